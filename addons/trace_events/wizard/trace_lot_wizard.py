from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..models.stock_package import sscc_digits, sscc_problem
from ..models.trace_event_tree import TRACE_DIRECTIONS


class TraceLotWizard(models.TransientModel):
    """Trace a lot or serial: pick it, or scan its UDI, choose the direction, see the tree."""

    _name = "trace.lot.wizard"
    _description = "Trace a Lot or Serial"

    scan = fields.Char(
        help="Scan the UDI on the label (GS1 DataMatrix, GS1-128, Digital Link or HIBC), or type "
        "a lot/serial number: the lot or serial is added to the list below.",
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        string="Lots / serials",
        default=lambda self: self._default_lot_ids(),
        help="The lots and serials to trace, together.",
    )
    direction = fields.Selection(
        TRACE_DIRECTIONS,
        required=True,
        default="forward",
        help="Forward: the devices a lot went into and everyone holding them (recall). "
        "Backward: the components and suppliers a device came from (investigation).",
    )

    def _default_lot_ids(self):
        context = self.env.context
        if context.get("active_model") == "stock.lot" and context.get("active_ids"):
            return self.env["stock.lot"].browse(context["active_ids"]).exists()
        return self.env["stock.lot"]

    @api.onchange("scan")
    def _onchange_scan(self):
        if not self.scan:
            return None
        code = self.scan
        self.scan = False
        try:
            lots = self._trace_scan_lots(code)
        except UserError as error:
            return {
                "warning": {
                    "title": self.env._("Scan not traced"),
                    "message": error.args[0],
                }
            }
        self.lot_ids |= lots
        return None

    @api.model
    def _trace_scan_lots(self, code):
        """The lot/serial a scanned UDI or a typed lot/serial number names.

        :raise UserError: nothing or several lots match; the message says why and what to do
        """
        code = (code or "").strip()
        if not code:
            raise UserError(self.env._("Scan a UDI or type a lot/serial number."))
        digits = sscc_digits(code)
        if digits and (not code.isdigit() or not sscc_problem(digits)):
            return self._trace_scan_package(code)
        Lot = self.env["stock.lot"]
        try:
            parsed = self.env["udi.parser"].parse(code)
        except ValidationError as error:
            lots = Lot.search([("name", "=", code)], limit=2)
            if len(lots) == 1:
                return lots
            if len(lots) > 1:
                raise UserError(
                    self.env._(
                        "Several devices have a lot/serial %(name)s: scan the full UDI, or "
                        "pick the lot/serial in the list.",
                        name=code,
                    )
                ) from None
            raise UserError(
                self.env._(
                    "%(code)s is neither a valid UDI nor a known lot/serial number: %(reason)s",
                    code=code,
                    reason=error.args[0],
                )
            ) from None
        if not parsed["product_id"]:
            raise UserError(
                self.env._(
                    "No device has the UDI-DI %(di)s: register the DI on its product first.",
                    di=parsed["di"],
                )
            )
        product = self.env["product.product"].browse(parsed["product_id"])
        if product.tracking == "serial":
            name = parsed["serial"] or parsed["lot"]
        else:
            name = parsed["lot"] or parsed["serial"]
        if not name:
            raise UserError(
                self.env._(
                    "The UDI of %(product)s carries no lot or serial number: pick the "
                    "lot/serial in the list.",
                    product=product.display_name,
                )
            )
        lots = Lot.search([("product_id", "=", product.id), ("name", "=", name)])
        if not lots:
            raise UserError(
                self.env._(
                    "Lot/serial %(name)s of %(product)s is not known here: nothing was "
                    "received, made or recorded under it.",
                    name=name,
                    product=product.display_name,
                )
            )
        return lots

    @api.model
    def _trace_scan_package(self, code):
        """Every lot/serial packed in the package (pallet, case) whose SSCC was scanned,
        through the packages it holds."""
        events = self.env["trace.event"]
        ref, _package = events._trace_package_of_code(code)
        lot_ids, _inner = events._trace_package_contents(ref, events._trace_company_ids())
        lots = self.env["stock.lot"].browse(lot_ids)._filtered_access("read")
        if not lots:
            raise UserError(
                self.env._(
                    "Nothing was packed in the package with SSCC %(code)s in your companies: "
                    "scan the UDI of a device instead.",
                    code=ref,
                )
            )
        return lots

    def action_trace(self):
        """Open the trace tree of the chosen lots/serials (and of a scan not yet added)."""
        self.ensure_one()
        lots = self.lot_ids
        if self.scan:
            lots |= self._trace_scan_lots(self.scan)
        if not lots:
            raise UserError(
                self.env._("Choose or scan at least one lot or serial number to trace.")
            )
        return lots.action_open_trace_tree(self.direction)
