from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.audit_seal.tools.workflow import workflow

#: (code, label, automatic): the checks of an incoming inspection, in order
CHECKS = [
    ("di", "Scanned UDI-DI matches the purchased device", True),
    ("lot", "Lot/serial matches the received lot", True),
    ("expiry", "Expiry date matches the received lot", True),
    ("shelf_life", "Minimum remaining shelf life", True),
    ("licence", "Supplier's business licence valid", True),
    ("registration", "Registration certificate valid", True),
    ("quantity", "Quantity received matches the delivery note", False),
    ("packaging", "Packaging intact", False),
    ("label", "Label legible and complete", False),
    ("certificate", "Certificate of conformity attached", False),
]

RESULTS = [("pending", "To check"), ("pass", "Pass"), ("fail", "Fail"), ("na", "Not applicable")]


class UdiInspectionCheck(models.Model):
    """One check of an incoming inspection: its result, who recorded it and when.

    Automatic checks are run by the system from the scanned UDI and the master data; the others
    are recorded by the clerk or the inspector with the Pass / Fail / N/A buttons. Results are
    set by these workflow methods only, and bound by the decision's electronic signature.
    """

    _name = "udi.inspection.check"
    _description = "Incoming Inspection Check"
    _inherit = ["audit.seal.workflow.mixin"]
    _order = "inspection_id, sequence, id"
    _workflow_fields = "__all__"

    inspection_id = fields.Many2one(
        "udi.inspection", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="inspection_id.company_id", store=True)
    sequence = fields.Integer(readonly=True)
    code = fields.Selection(
        [(code, label) for code, label, _auto in CHECKS], required=True, readonly=True
    )
    name = fields.Char(string="Check", compute="_compute_name")
    automatic = fields.Boolean(compute="_compute_name")
    result = fields.Selection(RESULTS, default="pending", required=True, readonly=True)
    detail = fields.Char(readonly=True)
    user_id = fields.Many2one("res.users", string="Checked by", readonly=True)
    checked_at = fields.Datetime(string="Checked on", readonly=True)
    state = fields.Selection(related="inspection_id.state")

    _code_unique = models.UniqueIndex("(inspection_id, code)")

    @api.model
    def _udi_codes(self):
        return [code for code, _label, _auto in CHECKS]

    @api.depends("code")
    def _compute_name(self):
        labels = dict(self._fields["code"]._description_selection(self.env))
        automatic = {code for code, _label, auto in CHECKS if auto}
        for check in self:
            check.name = labels.get(check.code, "")
            check.automatic = check.code in automatic

    # ------------------------------------------------------------------ manual checks

    def action_pass(self):
        return self._udi_record("pass")

    def action_fail(self):
        return self._udi_record("fail")

    def action_not_applicable(self):
        return self._udi_record("na")

    @workflow
    def _udi_record(self, result):
        """Record ``result`` for these manual checks, as the current user, now."""
        self.inspection_id._udi_check_pending()
        self.inspection_id._udi_check_clerk()
        automatic = self.filtered("automatic")
        if automatic:
            raise UserError(
                self.env._(
                    "%(checks)s: the system records these checks from the scan and the master "
                    "data; scan the label again to re-run them.",
                    checks=", ".join(automatic.mapped("name")),
                )
            )
        if result == "pass":
            for check in self.filtered(lambda c: c.code == "certificate"):
                if (
                    not self.env["ir.attachment"]
                    .sudo()
                    .search_count(
                        [
                            ("res_model", "=", "udi.inspection"),
                            ("res_id", "=", check.inspection_id.id),
                        ]
                    )
                ):
                    raise UserError(
                        self.env._(
                            "%(inspection)s: attach the supplier's certificate of conformity to "
                            "the inspection before recording it as present.",
                            inspection=check.inspection_id.display_name,
                        )
                    )
        self.sudo().write(
            {
                "result": result,
                "user_id": self.env.uid,
                "checked_at": fields.Datetime.now(),
                "detail": False,
            }
        )
        return True

    # ------------------------------------------------------------------ automatic checks

    @workflow
    def _udi_run_automatic(self, parsed):
        """Run the automatic checks of these lines; ``parsed`` is the parsed scan (None before
        the label is scanned: only the master-data checks can run)."""
        today = fields.Date.context_today(self)
        for check in self.filtered("automatic"):
            method = getattr(check, f"_udi_check_{check.code}")
            outcome = method(parsed, today)
            if outcome is None:  # needs the scan
                check.sudo().write(
                    {
                        "result": "pending",
                        "detail": self.env._("Scan the UDI on the label."),
                        "user_id": False,
                        "checked_at": False,
                    }
                )
                continue
            result, detail = outcome
            check.sudo().write(
                {
                    "result": result,
                    "detail": detail,
                    "user_id": self.env.uid,
                    "checked_at": fields.Datetime.now(),
                }
            )
        return True

    def _udi_check_di(self, parsed, today):
        if parsed is None:
            return None
        inspection = self.inspection_id
        expected = inspection.purchase_line_id.product_id or inspection.product_id
        if not parsed["di"]:
            return "fail", self.env._("The scanned code carries no device identifier.")
        product, _level = self.env["product.product"].sudo()._udi_find_by_di(parsed["di"])
        if product.company_id and product.company_id != inspection.company_id:
            product = product.browse()  # another company's device is not named here
        if not product:
            return "fail", self.env._("No device has the UDI-DI %(di)s.", di=parsed["di"])
        if product != expected:
            return "fail", self.env._(
                "UDI-DI %(di)s belongs to %(scanned)s, not to the purchased %(expected)s.",
                di=parsed["di"],
                scanned=product.display_name,
                expected=expected.display_name,
            )
        return "pass", parsed["di"]

    def _udi_check_lot(self, parsed, today):
        if parsed is None:
            return None
        inspection = self.inspection_id
        tracking = inspection.product_id.tracking
        if tracking == "none":
            return "na", self.env._("The device is not tracked by lot or serial.")
        scanned = parsed["serial"] if tracking == "serial" else parsed["lot"]
        received = inspection.lot_id.name
        if scanned != received:
            return "fail", self.env._(
                "The label says %(scanned)s, the receipt recorded %(received)s.",
                scanned=scanned or self.env._("no lot/serial"),
                received=received or "-",
            )
        return "pass", received

    def _udi_check_expiry(self, parsed, today):
        if parsed is None:
            return None
        known = self.inspection_id.lot_id.udi_expiry_date
        scanned = parsed["expiry"]
        if not scanned and not known:
            return "na", self.env._("Neither the label nor the lot has an expiry date.")
        if scanned != known:
            return "fail", self.env._(
                "The label's expiry %(scanned)s differs from the received lot's %(known)s.",
                scanned=scanned.isoformat() if scanned else "-",
                known=known.isoformat() if known else "-",
            )
        return "pass", scanned.isoformat()

    def _udi_check_shelf_life(self, parsed, today):
        inspection = self.inspection_id
        minimum = inspection.product_id.udi_min_shelf_life_days
        expiry = inspection.lot_id.udi_expiry_date or (parsed and parsed["expiry"])
        if not minimum:
            return "na", self.env._("No minimum remaining shelf life set for the device.")
        if not expiry:
            return (
                None
                if parsed is None
                else (
                    "fail",
                    self.env._(
                        "The device requires %(days)s days of remaining shelf life but no expiry "
                        "date is known.",
                        days=minimum,
                    ),
                )
            )
        remaining = (expiry - today).days
        if expiry < today + timedelta(days=minimum):
            return "fail", self.env._(
                "Expires on %(expiry)s: %(remaining)s days left, %(days)s required.",
                expiry=expiry.isoformat(),
                remaining=remaining,
                days=minimum,
            )
        return "pass", self.env._(
            "%(remaining)s days left (%(days)s required).", remaining=remaining, days=minimum
        )

    def _udi_check_licence(self, parsed, today):
        supplier = self.inspection_id.partner_id.commercial_partner_id.sudo()
        if not supplier:
            return "fail", self.env._("The receipt names no supplier.")
        state = supplier.with_context(date=today).udi_licence_state
        if state == "none":
            return "na", self.env._(
                "%(supplier)s's roles require no business licence.", supplier=supplier.display_name
            )
        if state == "missing":
            return "fail", self.env._(
                "%(supplier)s has no business licence on record.", supplier=supplier.display_name
            )
        if state == "expired":
            return "fail", self.env._(
                "%(supplier)s's business licence %(licence)s expired on %(date)s.",
                supplier=supplier.display_name,
                licence=supplier.udi_licence_number or "",
                date=supplier.udi_licence_expiry.isoformat(),
            )
        return "pass", self.env._(
            "%(licence)s, valid until %(date)s",
            licence=supplier.udi_licence_number or "",
            date=supplier.udi_licence_expiry.isoformat() if supplier.udi_licence_expiry else "-",
        )

    def _udi_check_registration(self, parsed, today):
        device = self.inspection_id.product_id.product_tmpl_id.sudo()
        if not device.udi_registration_number:
            return "fail", self.env._(
                "%(device)s has no registration certificate number on record.",
                device=device.display_name,
            )
        expiry = device.udi_registration_expiry
        if expiry and expiry < today:
            return "fail", self.env._(
                "Registration certificate %(number)s expired on %(date)s.",
                number=device.udi_registration_number,
                date=expiry.isoformat(),
            )
        return "pass", self.env._(
            "%(number)s, valid until %(date)s",
            number=device.udi_registration_number,
            date=expiry.isoformat() if expiry else "-",
        )
