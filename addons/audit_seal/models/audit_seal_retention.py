from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class AuditSealRetention(models.Model):
    """A retention period of one jurisdiction; the longest active period applies."""

    _name = "audit.seal.retention"
    _description = "Audit Seal Retention Period"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    jurisdiction = fields.Selection(
        [
            ("nmpa", "China (NMPA)"),
            ("fda", "USA (FDA)"),
            ("eu_mdr", "EU (MDR)"),
            ("other", "Other"),
        ],
        required=True,
        default="other",
    )
    active = fields.Boolean(default=True)
    years = fields.Integer(
        required=True,
        default=10,
        help="Minimum number of years a sealed record is kept after its retention start "
        "(its creation unless the sealed model says otherwise, e.g. the end of device life).",
    )
    implantable_years = fields.Integer(
        string="Years (Implantables)",
        help="Years for records of implantable devices; 0 uses the general period.",
    )
    implantable_permanent = fields.Boolean(
        string="Implantables Kept Permanently",
        help="Records of implantable devices are never purged.",
    )
    permanent = fields.Boolean(
        string="Kept Permanently", help="Records are never purged under this jurisdiction."
    )
    basis = fields.Text(string="Legal Basis", translate=True)

    _years_positive = models.Constraint(
        "CHECK (years >= 0 AND implantable_years >= 0)",
        "Retention years cannot be negative.",
    )

    @api.constrains("years", "permanent")
    def _check_years(self):
        for policy in self:
            if not policy.permanent and policy.years < 1:
                raise ValidationError(
                    self.env._(
                        "Retention period %(name)s: keep records at least one year, or mark "
                        "it permanent.",
                        name=policy.name,
                    )
                )

    def _seal_years(self, implantable):
        """Years to keep a record, or None for permanently."""
        self.ensure_one()
        if self.permanent or (implantable and self.implantable_permanent):
            return None
        if implantable and self.implantable_years:
            return max(self.years, self.implantable_years)
        return self.years

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_use(self):
        """A period decides when sealed records may go: once records are sealed, it stays (and
        its changes, archiving included, are in the sealed change log)."""
        if self.env["audit.seal.entry"].sudo().search_count([], limit=1):
            raise UserError(
                self.env._(
                    "Retention period %(name)s applies to the records already sealed: it cannot "
                    "be deleted. Change it (the change is sealed) or archive it instead.",
                    name=self[:1].name,
                )
            )
