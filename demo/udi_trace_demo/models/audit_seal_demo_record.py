from odoo import fields, models


class AuditSealDemoRecord(models.Model):
    """A small sealed model for the demo: the mixin on plain fields, with no business logic.

    Real users (``trace.event`` and its lines, ``auditlog.log``) live in the addons and inherit
    the mixin the same way; the tests and the benchmark use the test-only
    ``audit.seal.test.record``.
    """

    _name = "audit.seal.demo.record"
    _description = "Audit Seal Demo Record"
    _inherit = ["audit.seal.mixin"]
    _order = "id desc"
    _seal_fields = (
        "name",
        "reference",
        "quantity",
        "event_time",
        "event_date",
        "partner_id",
        "note",
        "kind",
    )

    name = fields.Char(required=True)
    reference = fields.Char()
    quantity = fields.Float(digits=(16, 4))
    event_time = fields.Datetime(default=fields.Datetime.now)
    event_date = fields.Date()
    partner_id = fields.Many2one("res.partner", ondelete="restrict")
    note = fields.Text()
    kind = fields.Selection([("receipt", "Receipt"), ("shipment", "Shipment")], default="receipt")
    comment = fields.Char(string="Free Comment", help="Not sealed: may be edited at any time.")
