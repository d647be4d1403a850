from odoo import fields, models

from .udi_di_publication import DATABASES, STATES


class UdiDiTransition(models.Model):
    """One step of a DI's life cycle (who, when, from, to, with which signature): sealed."""

    _name = "udi.di.transition"
    _description = "UDI-DI Life Cycle Step"
    _inherit = ["audit.seal.mixin", "audit.seal.workflow.mixin"]
    _order = "date desc, id desc"
    _workflow_fields = "__all__"
    _seal_fields = (
        "di_id",
        "from_state",
        "to_state",
        "database",
        "date",
        "user_id",
        "signature_id",
        "note",
    )

    di_id = fields.Many2one(
        "udi.di", string="UDI-DI", required=True, ondelete="restrict", index=True, readonly=True
    )
    company_id = fields.Many2one(related="di_id.company_id", store=True)
    from_state = fields.Selection(STATES, string="From", readonly=True)
    to_state = fields.Selection(STATES, string="To", required=True, readonly=True)
    database = fields.Selection(DATABASES, readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one(
        "res.users", string="By", required=True, readonly=True, default=lambda self: self.env.user
    )
    signature_id = fields.Many2one("recall.signature", readonly=True)
    note = fields.Char(readonly=True)
