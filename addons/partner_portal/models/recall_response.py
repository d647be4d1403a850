from odoo import fields, models


class RecallResponse(models.Model):
    _inherit = "recall.response"

    # a portal user names its own customer; it must never learn another partner's stored name
    # (a GLN or a name may resolve to a partner recorded under another name): the portal and
    # the API show the name as typed, the partner is for internal users only
    onward_partner_id = fields.Many2one(groups="udi_master.group_trace_user")
    onward_name = fields.Char(
        string="Onward Consignee as Reported",
        readonly=True,
        help="The customer's name as the consignee typed it in its onward report.",
    )
