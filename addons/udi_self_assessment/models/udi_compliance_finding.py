from odoo import fields, models
from odoo.exceptions import UserError


class UdiComplianceFinding(models.Model):
    """One offending record of one rule in one run: which record (model and id, as it was
    named at the run), what is wrong with it. Written by the run in one INSERT per rule.

    Findings are not sealed one by one (a run over a large database can find hundreds of
    thousands of records, one ledger entry each would cost more than the checks): their rule
    result, which is sealed, holds their count and a SHA-256 digest of their rows
    (:meth:`udi.compliance.result._compliance_findings_digest`), so that a finding changed or
    deleted afterwards is detected. Nobody has write, create or delete rights on them.
    """

    _name = "udi.compliance.finding"
    _description = "Compliance Finding"
    _inherit = ["audit.seal.workflow.mixin"]
    _order = "run_id desc, rule_id, id"
    _workflow_fields = "__all__"

    run_id = fields.Many2one(
        "udi.compliance.run", required=True, readonly=True, ondelete="restrict"
    )
    rule_id = fields.Many2one(
        "udi.compliance.rule", required=True, readonly=True, ondelete="restrict"
    )
    code = fields.Char(related="rule_id.code")
    severity = fields.Selection(related="rule_id.severity")
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", required=True, readonly=True
    )
    name = fields.Char(string="Record", readonly=True)
    detail = fields.Char(readonly=True)
    run_date = fields.Datetime(related="run_id.date_start", string="Run date")

    _run_rule_index = models.Index("(run_id, rule_id)")

    def action_open_record(self):
        """Drill-down: the offending record's form."""
        self.ensure_one()
        record = self.env[self.res_model].browse(self.res_id).exists()
        if not record:
            raise UserError(
                self.env._(
                    "The record %(name)s of finding %(finding)s no longer exists.",
                    name=self.name,
                    finding=self.id,
                )
            )
        record.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
