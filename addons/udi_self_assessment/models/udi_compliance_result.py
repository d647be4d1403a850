from odoo import api, fields, models
from odoo.exceptions import UserError

#: beyond this many offending records, the drill-down lists the findings (a list of ids that long
#: is no use to anyone, and heavy for the web client)
OPEN_RECORDS_LIMIT = 10000


class UdiComplianceResult(models.Model):
    """What one rule found in one run: findings, records checked, time taken. The dashboard's
    rows (latest run) and its trend (every run) are these records."""

    _name = "udi.compliance.result"
    _description = "Compliance Rule Result"
    _inherit = ["audit.seal.mixin", "audit.seal.workflow.mixin"]
    _order = "run_id desc, sequence, id"
    _seal_fields = (
        "run_id",
        "rule_id",
        "code",
        "company_id",
        "population",
        "finding_count",
        "findings_digest",
    )
    _workflow_fields = "__all__"

    run_id = fields.Many2one(
        "udi.compliance.run", required=True, readonly=True, index=True, ondelete="restrict"
    )
    rule_id = fields.Many2one(
        "udi.compliance.rule", required=True, readonly=True, index=True, ondelete="restrict"
    )
    code = fields.Char(readonly=True, help="The rule's code at the run.")
    sequence = fields.Integer(related="rule_id.sequence", store=True)
    severity = fields.Selection(related="rule_id.severity", store=True)
    statement_ref = fields.Char(related="rule_id.statement_ref")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    date = fields.Datetime(related="run_id.date_start", store=True, string="Run date")
    population = fields.Integer(string="Records checked", readonly=True, aggregator="sum")
    finding_count = fields.Integer(string="Findings", readonly=True, aggregator="sum")
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 3))
    error_rate = fields.Float(
        string="Data-error rate",
        compute="_compute_error_rate",
        store=True,
        digits=(16, 4),
        aggregator="avg",
        help="Findings divided by the records checked.",
    )
    is_latest = fields.Boolean(
        string="Latest run",
        compute="_compute_is_latest",
        search="_search_is_latest",
        help="The result belongs to its company's latest run.",
    )
    finding_ids = fields.Many2many(
        "udi.compliance.finding", string="Findings list", compute="_compute_finding_ids"
    )
    findings_digest = fields.Char(
        readonly=True,
        help="SHA-256 of the findings' rows, sealed with the result: a finding changed or deleted "
        "afterwards no longer matches it.",
    )

    @api.depends("population", "finding_count")
    def _compute_error_rate(self):
        for result in self:
            result.error_rate = (
                result.finding_count / result.population if result.population else 0.0
            )

    def _latest_run_ids(self):
        self.env.cr.execute(
            """SELECT DISTINCT ON (company_id) id FROM udi_compliance_run
                ORDER BY company_id, date_start DESC, id DESC"""
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _compute_is_latest(self):
        latest = set(self._latest_run_ids())
        for result in self:
            result.is_latest = result.run_id.id in latest

    def _search_is_latest(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        positive = (operator == "=") == value
        return [("run_id", "in" if positive else "not in", self._latest_run_ids())]

    def _compute_finding_ids(self):
        Finding = self.env["udi.compliance.finding"]
        for result in self:
            result.finding_ids = Finding.search(result._compliance_findings_domain())

    def _compliance_findings_domain(self):
        self.ensure_one()
        return [("run_id", "=", self.run_id.id), ("rule_id", "=", self.rule_id.id)]

    @api.model
    def _compliance_findings_digest(self, run, rule):
        """SHA-256 (hex) of the findings of ``rule`` in ``run``: model, id, name and detail of
        each, in id order, computed by PostgreSQL over the rows as they are stored now."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT encode(sha256(convert_to(COALESCE(string_agg(
                       concat_ws('|', res_model, res_id, name, detail), E'\\n' ORDER BY id), ''),
                       'UTF8')), 'hex')
              FROM udi_compliance_finding WHERE run_id = %s AND rule_id = %s
            """,
            [run.id, rule.id],
        )
        return self.env.cr.fetchone()[0]

    def action_verify_findings(self):
        """Button: the findings still match the digest sealed with the result."""
        self.ensure_one()
        if self._compliance_findings_digest(self.run_id, self.rule_id) != self.findings_digest:
            raise UserError(
                self.env._(
                    "The findings of rule %(rule)s in run %(run)s no longer match the digest "
                    "sealed with the run: a finding was changed or deleted after the run. Run "
                    "the ledger verification and investigate.",
                    rule=self.code,
                    run=self.run_id.name,
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "The %(count)s findings of rule %(rule)s match the sealed digest.",
                    count=self.finding_count,
                    rule=self.code,
                ),
            },
        }

    def action_view_findings(self):
        """Drill-down: the findings of this rule in this run."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "udi_self_assessment.udi_compliance_finding_action"
        )
        action["domain"] = self._compliance_findings_domain()
        action["context"] = {}
        return action

    def action_open_records(self):
        """Drill-down: the offending records themselves (one model per list); the findings
        when a rule found records of several models or more than ``OPEN_RECORDS_LIMIT``."""
        self.ensure_one()
        Finding = self.env["udi.compliance.finding"]
        domain = self._compliance_findings_domain()
        groups = Finding._read_group(domain, ["res_model"], ["__count"])
        if len(groups) != 1 or groups[0][1] > OPEN_RECORDS_LIMIT:
            return self.action_view_findings()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Offending records: %(rule)s", rule=self.rule_id.display_name),
            "res_model": groups[0][0],
            "domain": [("id", "in", Finding.search_fetch(domain, ["res_id"]).mapped("res_id"))],
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "target": "current",
        }

    def action_run_self_assessment(self):
        """The dashboard's button: a new run for the current company (managers only)."""
        return self.env["udi.compliance.run"].action_run_self_assessment()
