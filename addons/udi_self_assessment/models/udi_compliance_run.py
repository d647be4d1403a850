import logging
import time

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from odoo.addons.audit_seal.tools.workflow import workflow

_logger = logging.getLogger(__name__)

TRIGGERS = [("manual", "On demand"), ("cron", "Nightly")]
MANAGER_GROUP = "udi_master.group_trace_manager"


class UdiComplianceRun(models.Model):
    """One self-assessment of a company: every active rule run against the live data, with the
    per-rule figures (``udi.compliance.result``) and the offending records
    (``udi.compliance.finding``). Sealed: a run is a record of what the data said that day."""

    _name = "udi.compliance.run"
    _description = "Compliance Self-Assessment Run"
    _inherit = ["audit.seal.mixin", "audit.seal.workflow.mixin"]
    _order = "date_start desc, id desc"
    # the totals (records checked, findings, end, duration) are written once the rules have run:
    # they are the sums of the run's results, which are sealed with every figure
    _seal_fields = ("name", "company_id", "trigger", "user_id", "date_start")
    _workflow_fields = "__all__"

    name = fields.Char(required=True, readonly=True, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda s: s.env.company
    )
    trigger = fields.Selection(TRIGGERS, required=True, readonly=True, default="manual")
    user_id = fields.Many2one("res.users", string="Run by", readonly=True)
    date_start = fields.Datetime(string="Started", readonly=True)
    date_end = fields.Datetime(string="Finished", readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 3))
    population = fields.Integer(string="Records checked", readonly=True)
    finding_count = fields.Integer(string="Findings", readonly=True)
    error_rate = fields.Float(
        string="Data-error rate",
        compute="_compute_error_rate",
        digits=(16, 4),
        help="Findings divided by the records checked, over every rule of the run.",
    )
    result_ids = fields.One2many("udi.compliance.result", "run_id", string="Per rule")
    finding_ids = fields.One2many("udi.compliance.finding", "run_id", string="Findings list")

    @api.depends("population", "finding_count")
    def _compute_error_rate(self):
        for run in self:
            run.error_rate = run.finding_count / run.population if run.population else 0.0

    # ------------------------------------------------------------------ entry points

    def action_run_self_assessment(self):
        """Button (list header, form, dashboard): run every active rule for the current
        company now, as a Traceability manager; opens the new run."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only a Traceability manager can run the compliance self-assessment; ask one "
                    "to run it, or read the latest run."
                )
            )
        run = self._compliance_execute(self.env.company, trigger="manual")
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": run.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    @api.model
    def _cron_compliance_run(self):
        """Nightly: one run per company."""
        for company in self.env["res.company"].sudo().search([]):
            self._compliance_execute(company, trigger="cron")

    @api.model
    def _demo_run(self):
        """Demo data: a run of the current company, as the nightly job makes it."""
        return self._compliance_execute(self.env.company, trigger="manual")

    # ------------------------------------------------------------------ engine

    @api.model
    @workflow
    def _compliance_execute(self, company, trigger="manual"):
        """Run every active rule for ``company``; returns the run (sealed at the commit)."""
        started = fields.Datetime.now()
        tick = time.perf_counter()
        Run = self.sudo().with_company(company).with_context(lang=self._compliance_lang(company))
        run = Run.create(
            {
                "name": self.env["ir.sequence"].sudo().next_by_code("udi.compliance.run") or "/",
                "company_id": company.id,
                "trigger": trigger,
                "user_id": self.env.uid,
                "date_start": started,
            }
        )
        rules = run.env["udi.compliance.rule"].search([])
        results = run.env["udi.compliance.result"]
        for rule in rules:
            results |= run._compliance_run_rule(rule)
        run.write(
            {
                "date_end": fields.Datetime.now(),
                "duration": time.perf_counter() - tick,
                "population": sum(results.mapped("population")),
                "finding_count": sum(results.mapped("finding_count")),
            }
        )
        run.env.flush_all()
        _logger.info(
            "Compliance self-assessment %s of %s: %d findings in %d records, %.1f s",
            run.name,
            company.name,
            run.finding_count,
            run.population,
            run.duration,
        )
        return run.with_env(self.env)

    def _compliance_lang(self, company):
        """The language of the findings' names and details: the caller's (the web client sends
        the user's), else the company's."""
        return self.env.lang or self.env.user.lang or company.partner_id.lang or "en_US"

    @workflow
    def _compliance_run_rule(self, rule):
        """Run one rule in this run: its check, its findings (one INSERT), then its result,
        created with every value it seals (a sealed row is written once)."""
        self.ensure_one()
        tick = time.perf_counter()
        check = rule._compliance_check_function()(self.company_id)
        count = self._compliance_store_findings(rule, check)
        Result = self.env["udi.compliance.result"]
        return Result.create(
            {
                "run_id": self.id,
                "rule_id": rule.id,
                "code": rule.code,
                "company_id": self.company_id.id,
                "population": check.population,
                "finding_count": count,
                "findings_digest": Result._compliance_findings_digest(self, rule),
                "duration": time.perf_counter() - tick,
            }
        )

    def _compliance_store_findings(self, rule, check):
        """Insert the check's offenders as findings of ``rule`` in this run; returns how many."""
        if check.query is not None:
            rows = SQL(
                "SELECT * FROM (%s) AS offenders(res_model, res_id, name, detail)", check.query
            )
        elif check.rows:
            rows = SQL(
                "SELECT * FROM (VALUES %s) AS offenders(res_model, res_id, name, detail)",
                SQL(", ").join(SQL("(%s, %s, %s, %s)", *row) for row in check.rows),
            )
        else:
            return 0
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO udi_compliance_finding
                       (run_id, rule_id, company_id, res_model, res_id, name, detail,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(run)s, %(rule)s, %(company)s, o.res_model, o.res_id,
                       COALESCE(o.name, ''), o.detail, %(uid)s, now() at time zone 'UTC',
                       %(uid)s, now() at time zone 'UTC'
                  FROM (%(rows)s) o
                """,
                run=self.id,
                rule=rule.id,
                company=self.company_id.id,
                uid=self.env.uid,
                rows=rows,
            )
        )
        # the ORM cached the new run's findings as empty at its creation
        self.invalidate_recordset(["finding_ids"])
        return self.env.cr.rowcount

    @api.model
    def _compliance_latest(self, company):
        """The latest run of ``company`` (empty if none)."""
        return self.sudo().search([("company_id", "=", company.id)], limit=1).with_env(self.env)

    # ------------------------------------------------------------------ drill-down

    def action_view_findings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "udi_self_assessment.udi_compliance_finding_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {"search_default_group_rule": 1}
        return action
