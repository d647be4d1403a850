from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from odoo.addons.audit_seal.tools.workflow import workflow

MANAGER = "udi_master.group_trace_manager"
THRESHOLD_TYPES = [
    ("per_1000", "Complaints per 1,000 units delivered"),
    ("count", "Complaints per period"),
]


class VigilanceTrendRule(models.Model):
    """The trend a manufacturer watches for MDR Art. 88: for a device (or every device of a
    category), complaints over a period against a threshold, per 1,000 units delivered in the
    period or as a count. The observation period and threshold come from the PMS plan."""

    _name = "vigilance.trend.rule"
    _description = "Vigilance Trend Rule"
    _order = "company_id, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    product_id = fields.Many2one(
        "product.product",
        string="Device",
        check_company=True,
        help="The device watched. Empty: every device of the category.",
    )
    categ_id = fields.Many2one(
        "product.category",
        string="Device Category",
        help="Every device of this category (and its subcategories) is watched on its own.",
    )
    period_days = fields.Integer(
        string="Period (days)",
        required=True,
        default=90,
        help="The observation period: each computation looks back this many days.",
    )
    threshold_type = fields.Selection(
        THRESHOLD_TYPES, string="Threshold Per", required=True, default="per_1000"
    )
    threshold = fields.Float(
        required=True,
        help="Crossed when the complaint rate (or count) of a device in the period is above it.",
    )
    jurisdiction_ids = fields.Many2many(
        "recall.jurisdiction",
        string="Report To",
        help="The jurisdictions that receive the trend report when the threshold is crossed.",
    )
    reference = fields.Char(
        string="Legal Reference",
        default="Regulation (EU) 2017/745 (MDR) Art. 88",
        help="The article and the PMS plan section the rule comes from.",
    )
    active = fields.Boolean(default=True)
    result_ids = fields.One2many("vigilance.trend.result", "rule_id", string="Results")

    _period_positive = models.Constraint(
        "CHECK (period_days > 0)", "The period of a trend rule must be at least one day."
    )
    _threshold_positive = models.Constraint(
        "CHECK (threshold >= 0)", "The threshold of a trend rule cannot be negative."
    )

    @api.constrains("product_id", "categ_id")
    def _check_scope(self):
        for rule in self:
            if not (rule.product_id or rule.categ_id):
                raise ValidationError(
                    self.env._(
                        "Trend rule %(rule)s: choose the device or the device category it watches.",
                        rule=rule.name,
                    )
                )

    # ------------------------------------------------------------------ computation

    def action_compute(self):
        """Compute every watched device's complaint rate over the period ending now."""
        if not self.env.user.has_group(MANAGER):
            raise AccessError(
                self.env._("Only a Traceability Manager can compute vigilance trends.")
            )
        self.check_access("read")
        results = self._vigilance_compute(fields.Datetime.now())
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Trend Results"),
            "res_model": "vigilance.trend.result",
            "view_mode": "list,form",
            "domain": [("id", "in", results.ids)],
            "context": {"create": False},
        }

    @api.model
    def _cron_vigilance_trends(self):
        self.sudo().search([])._vigilance_compute(fields.Datetime.now())

    def _vigilance_products(self):
        """The devices a rule watches."""
        self.ensure_one()
        if self.product_id:
            return self.product_id
        return (
            self.env["product.product"]
            .sudo()
            .search(
                [
                    ("categ_id", "child_of", self.categ_id.id),
                    "|",
                    ("company_id", "=", False),
                    ("company_id", "=", self.company_id.id),
                ]
            )
        )

    @workflow
    def _vigilance_compute(self, date_to):
        """Record, per rule and device, the complaints and deliveries of the period ending at
        ``date_to`` and whether the threshold is crossed; open a trend report when it is."""
        Result = self.env["vigilance.trend.result"].sudo()
        results = Result
        for rule in self.sudo():
            date_from = date_to - timedelta(days=rule.period_days)
            for product in rule._vigilance_products():
                complaints = rule._vigilance_complaint_count(product, date_from, date_to)
                units = rule._vigilance_units_delivered(product, date_from, date_to)
                if not complaints and not units:
                    continue
                results |= Result._vigilance_record(
                    rule, product, date_from, date_to, complaints, units
                )
        return results.with_env(self.env)

    def _vigilance_complaint_count(self, product, date_from, date_to):
        """Complaint tickets about ``product`` received in the period."""
        self.ensure_one()
        return (
            self.env["helpdesk.ticket"]
            .sudo()
            .search_count(
                [
                    ("trace_product_id", "=", product.id),
                    ("trace_service_type", "=", "complaint"),
                    ("company_id", "=", self.company_id.id),
                    ("create_date", ">", date_from),
                    ("create_date", "<=", date_to),
                ]
            )
        )

    def _vigilance_units_delivered(self, product, date_from, date_to):
        """Units of ``product`` delivered to customers in the period (done outgoing moves, in
        the product's unit, returns deducted)."""
        self.ensure_one()
        moves = (
            self.env["stock.move"]
            .sudo()
            .search(
                [
                    ("product_id", "=", product.id),
                    ("state", "=", "done"),
                    ("company_id", "=", self.company_id.id),
                    ("date", ">", date_from),
                    ("date", "<=", date_to),
                    "|",
                    ("location_dest_id.usage", "=", "customer"),
                    ("location_id.usage", "=", "customer"),
                ]
            )
        )
        out = sum(
            moves.filtered(lambda m: m.location_dest_id.usage == "customer").mapped("product_qty")
        )
        back = sum(
            moves.filtered(lambda m: m.location_id.usage == "customer").mapped("product_qty")
        )
        return max(out - back, 0.0)
