from odoo import fields, models


class ImplantPatientErasure(models.Model):
    """The crypto-shredding of the patient data of implant records: who, when, why (a reason,
    or the retention rule whose period ended). Sealed in the ledger."""

    _name = "implant.patient.erasure"
    _description = "Patient Data Erasure"
    _inherit = ["audit.seal.mixin", "audit.seal.workflow.mixin"]
    _order = "id desc"
    _seal_fields = ("company_id", "record_ids", "user_id", "erased_at", "reason", "rule_id")
    _workflow_fields = "__all__"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    record_ids = fields.Many2many("implant.record", string="Records", readonly=True, copy=False)
    user_id = fields.Many2one("res.users", string="Erased by", required=True, readonly=True)
    erased_at = fields.Datetime(string="Erased at", required=True, readonly=True)
    reason = fields.Text(required=True, readonly=True)
    rule_id = fields.Many2one(
        "implant.retention.rule", string="Retention rule", readonly=True, ondelete="restrict"
    )
