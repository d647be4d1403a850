from odoo import api, fields, models
from odoo.exceptions import ValidationError

#: The checks a rule may run: (method name, label). A rule names one of these methods; nothing
#: else is ever called, whatever a caller writes in the record (the selection refuses any other
#: value, the constraint and the engine check it again).
CHECK_METHODS = [
    ("_check_t16_lot_and_di", "Implant and class III moves carry a lot/serial and a DI"),
    ("_check_t7_published_di", "Regulated devices shipped with a published DI"),
    ("_check_chronology", "Nothing shipped before it was made or received"),
    ("_check_expiry_after_manufacture", "Expiry date after the manufacture date"),
    ("_check_consignee_licence", "Consignee licence valid on the shipping date"),
    ("_check_event_glns", "Parties and locations of events have GLNs"),
    ("_check_di_records_complete", "DI records complete for each database published in"),
]
SEVERITIES = [("critical", "Critical"), ("major", "Major"), ("minor", "Minor")]


class UdiComplianceRule(models.Model):
    """One compliance rule, as data: what it checks (a whitelisted ``_check_…`` method), why (the
    statement of ``shared/REGULATORY.md`` it enforces, with the citation) and how bad a finding
    is. The checks themselves live in ``udi_compliance_rule_checks.py``."""

    _name = "udi.compliance.rule"
    _description = "Compliance Rule"
    _inherit = ["mail.thread"]
    _order = "sequence, code"
    _rec_names_search = ["code", "name"]

    code = fields.Char(required=True, tracking=True, help="Short key of the rule, e.g. T16.")
    name = fields.Char(required=True, translate=True, tracking=True)
    description = fields.Text(translate=True, help="What the rule checks and how to fix a finding.")
    severity = fields.Selection(SEVERITIES, required=True, default="major", tracking=True)
    statement_ref = fields.Char(
        string="Source statement",
        required=True,
        tracking=True,
        help="Identifier(s) of the regulatory statement in the suite's REGULATORY.md, e.g. "
        "EU-2 / T16.",
    )
    citation = fields.Text(help="The statement's text and source, as REGULATORY.md cites it.")
    check_method = fields.Selection(
        CHECK_METHODS,
        string="Check",
        required=True,
        tracking=True,
        help="The check the rule runs: one of the suite's checks, never code entered here.",
    )
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(default=10)
    result_ids = fields.One2many("udi.compliance.result", "rule_id", string="Results")
    last_finding_count = fields.Integer(
        string="Findings (latest run)", compute="_compute_last_result"
    )
    last_population = fields.Integer(string="Checked (latest run)", compute="_compute_last_result")
    last_error_rate = fields.Float(
        string="Error rate (latest run)",
        compute="_compute_last_result",
        digits=(16, 4),
        help="Findings divided by the records checked, in the latest run of the current company.",
    )

    _code_unique = models.UniqueIndex("(code)", "A compliance rule with this code already exists.")

    @api.constrains("check_method")
    def _check_check_method(self):
        allowed = dict(CHECK_METHODS)
        for rule in self:
            if rule.check_method not in allowed or not hasattr(rule, rule.check_method):
                raise ValidationError(
                    self.env._(
                        "Rule %(code)s: %(method)s is not one of the suite's compliance checks. "
                        "Choose a check from the list.",
                        code=rule.code,
                        method=rule.check_method,
                    )
                )

    @api.depends_context("company")
    def _compute_last_result(self):
        latest = self.env["udi.compliance.run"]._compliance_latest(self.env.company)
        by_rule = {result.rule_id.id: result for result in latest.result_ids}
        for rule in self:
            result = by_rule.get(rule.id)
            rule.last_finding_count = result.finding_count if result else 0
            rule.last_population = result.population if result else 0
            rule.last_error_rate = result.error_rate if result else 0.0

    def _compliance_check_function(self):
        """The bound check method of this rule, after checking that it is whitelisted."""
        self.ensure_one()
        if self.check_method not in dict(CHECK_METHODS):
            raise ValidationError(
                self.env._(
                    "Rule %(code)s names no compliance check of the suite (%(method)s): choose a "
                    "check from the list.",
                    code=self.code,
                    method=self.check_method,
                )
            )
        return getattr(self, self.check_method)

    def action_view_results(self):
        """The rule's trend: its results over the runs (graph, then list)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "udi_self_assessment.udi_compliance_result_action_trend"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        return action
