from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class ImplantRetentionRule(models.Model):
    """How long the patient data of implant records is kept, as data: N years after a basis
    date. A record's patient data is kept until the latest date of the rules that apply to
    its company; then the retention purge crypto-shreds it (an erasure sealed with the rule)."""

    _name = "implant.retention.rule"
    _description = "Patient Data Retention Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", help="Empty: the rule applies to every company.")
    basis = fields.Selection(
        [
            ("end_of_life", "End of the device's useful life"),
            ("explant", "Explantation"),
            ("implant", "Implantation"),
        ],
        required=True,
        default="end_of_life",
        help="End of useful life: the explantation date, or the implantation date plus the "
        "device's expected lifetime while it is implanted (a device without a lifetime is "
        "kept until it is explanted).",
    )
    years = fields.Integer(string="Years after", required=True, default=0)
    legal_reference = fields.Char(required=True)
    source_url = fields.Char(string="Source")
    note = fields.Text()

    _years_positive = models.Constraint(
        "CHECK(years >= 0)", "The retention period cannot be negative."
    )

    @api.model
    def _implant_rules(self, company):
        return self.search([("company_id", "in", [False, company.id])])

    def _implant_until(self, implant, explant):
        """The date until which this rule keeps the patient data of ``implant`` (and its
        ``explant``, possibly empty), or None while it cannot be known yet (kept)."""
        self.ensure_one()
        if self.basis == "implant":
            base = implant.event_date
        elif self.basis == "explant":
            base = explant.event_date if explant else None
        else:
            base = explant.event_date if explant else None
            life = implant.product_id.product_tmpl_id.udi_life_years
            if not base and life:
                base = implant.event_date + relativedelta(years=life)
        if not base:
            return None
        return base + relativedelta(years=self.years)
