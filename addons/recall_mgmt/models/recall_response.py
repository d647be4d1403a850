from odoo import api, fields, models

RESPONSE_KINDS = [
    ("acknowledgement", "Acknowledgement"),
    ("quantities", "Quantities"),
    ("onward", "Onward consignee"),
    ("note", "Note"),
]
CHANNELS = [
    ("portal", "Portal"),
    ("api", "API"),
    ("backend", "Recorded by staff"),
]


class RecallResponse(models.Model):
    """A consignee's answer to a notice; sealed, so it can be supplemented, never changed."""

    _name = "recall.response"
    _description = "Recall Response"
    _inherit = ["audit.seal.mixin"]
    _order = "id desc"
    _seal_fields = (
        "notice_id",
        "kind",
        "channel",
        "lot_id",
        "qty_on_hand",
        "qty_used",
        "qty_returned",
        "qty_destroyed",
        "onward_partner_id",
        "onward_quantity",
        "onward_event_id",
        "signature_id",
        "note",
        "attachment_ids",
        "create_uid",
        "create_date",
    )

    notice_id = fields.Many2one(
        "recall.notice", required=True, readonly=True, ondelete="restrict", index=True
    )
    campaign_id = fields.Many2one(related="notice_id.campaign_id", store=True)
    partner_id = fields.Many2one(related="notice_id.partner_id", store=True)
    company_id = fields.Many2one(related="notice_id.company_id", store=True, precompute=True)
    kind = fields.Selection(RESPONSE_KINDS, required=True, readonly=True)
    channel = fields.Selection(CHANNELS, required=True, readonly=True, default="backend")
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial", readonly=True)
    qty_on_hand = fields.Float(string="On Hand", readonly=True, digits="Product Unit")
    qty_used = fields.Float(string="Used", readonly=True, digits="Product Unit")
    qty_returned = fields.Float(string="Returned", readonly=True, digits="Product Unit")
    qty_destroyed = fields.Float(string="Destroyed", readonly=True, digits="Product Unit")
    onward_partner_id = fields.Many2one(
        "res.partner", string="Onward Consignee", readonly=True
    )
    onward_quantity = fields.Float(readonly=True, digits="Product Unit")
    onward_event_id = fields.Many2one("trace.event", string="Captured Event", readonly=True)
    signature_id = fields.Many2one("recall.signature", readonly=True)
    note = fields.Text(readonly=True)
    attachment_ids = fields.Many2many("ir.attachment", string="Evidence", readonly=True)

    @api.depends("kind", "notice_id", "lot_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for response in self:
            parts = [kinds.get(response.kind, ""), response.notice_id.name, response.lot_id.name]
            response.display_name = " ".join(part for part in parts if part)
