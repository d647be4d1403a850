from odoo import api, fields, models

from odoo.addons.audit_seal.tools.workflow import workflow

from .vigilance_trend_rule import THRESHOLD_TYPES


class VigilanceTrendResult(models.Model):
    """One computation of a trend rule for one device and period: the complaints, the units
    delivered, the rate per 1,000 units and whether the threshold was crossed. Sealed."""

    _name = "vigilance.trend.result"
    _description = "Vigilance Trend Result"
    _inherit = ["audit.seal.mixin", "audit.seal.workflow.mixin"]
    _order = "date_to desc, id desc"
    _workflow_fields = "__all__"
    _seal_fields = (
        "rule_id",
        "company_id",
        "product_id",
        "date_from",
        "date_to",
        "complaint_count",
        "units_delivered",
        "rate",
        "threshold_type",
        "threshold",
        "crossed",
    )

    rule_id = fields.Many2one(
        "vigilance.trend.rule", required=True, readonly=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    product_id = fields.Many2one("product.product", string="Device", required=True, readonly=True)
    date_from = fields.Datetime(string="From", required=True, readonly=True)
    date_to = fields.Datetime(string="To", required=True, readonly=True)
    complaint_count = fields.Integer(string="Complaints", readonly=True)
    units_delivered = fields.Float(readonly=True)
    rate = fields.Float(
        string="Complaints per 1,000 Units",
        readonly=True,
        digits=(16, 3),
        help="Complaints per 1,000 units delivered in the period (0 when nothing was delivered).",
    )
    threshold_type = fields.Selection(THRESHOLD_TYPES, string="Threshold Per", readonly=True)
    threshold = fields.Float(readonly=True)
    crossed = fields.Boolean(string="Threshold Crossed", readonly=True)
    report_ids = fields.One2many("vigilance.report", "trend_id", string="Trend Reports")

    @api.depends("product_id", "date_to")
    def _compute_display_name(self):
        for result in self:
            result.display_name = (
                f"{result.product_id.display_name or ''} "
                f"{fields.Date.to_string(result.date_to.date()) if result.date_to else ''}"
            )

    @workflow
    @api.model
    def _vigilance_record(self, rule, product, date_from, date_to, complaints, units):
        rate = complaints * 1000.0 / units if units else 0.0
        measured = rate if rule.threshold_type == "per_1000" else complaints
        crossed = measured > rule.threshold and (rule.threshold_type == "count" or units > 0)
        result = self.sudo().create(
            {
                "rule_id": rule.id,
                "company_id": rule.company_id.id,
                "product_id": product.id,
                "date_from": date_from,
                "date_to": date_to,
                "complaint_count": complaints,
                "units_delivered": units,
                "rate": rate,
                "threshold_type": rule.threshold_type,
                "threshold": rule.threshold,
                "crossed": crossed,
            }
        )
        if crossed and not result._vigilance_reported_recently():
            self.env["vigilance.report"]._vigilance_open_trend(result)
        return result

    def _vigilance_reported_recently(self):
        """A trend report of the same rule and device opened within the period: the trend is
        already being reported, the next report waits for the next period."""
        self.ensure_one()
        return bool(
            self.env["vigilance.report"]
            .sudo()
            .search_count(
                [
                    ("trend_id.rule_id", "=", self.rule_id.id),
                    ("product_id", "=", self.product_id.id),
                    ("clock_start", ">", self.date_from),
                ]
            )
        )
