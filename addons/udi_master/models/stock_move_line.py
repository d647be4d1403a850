from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Changes to these fields re-check a line's UDI scan against what the line says.
UDI_SCAN_FIELDS = {"udi_scan", "product_id", "move_id", "lot_id", "lot_name", "expiration_date"}


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    udi_scan = fields.Char(
        string="UDI scan",
        copy=False,
        help="Scan or paste the UDI from the device label (GS1 DataMatrix / GS1-128 / Digital "
        "Link, or HIBC): product, lot or serial number and expiry date are filled from it and "
        "checked against the product and the known lot.",
    )

    # -- user interface --------------------------------------------------------------------------

    @api.onchange("udi_scan")
    def _onchange_udi_scan(self):
        if not self.udi_scan:
            return None
        parser = self.env["udi.parser"]
        parsed = parser._parse_udi(self.udi_scan)
        self.update(self._udi_scan_values(parsed, with_quantity=True))
        if parsed["warnings"]:
            return {"warning": {
                "title": self.env._("UDI scan"),
                "message": "\n".join(parser._udi_message(w) for w in parsed["warnings"]),
                "type": "notification",
            }}
        return None

    # -- server-side rules -------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("udi_scan"):
                self.env["udi.parser"]._parse_udi(vals["udi_scan"])  # refuse bad input up front
        lines = super().create(vals_list)
        for line, vals in zip(lines, vals_list, strict=True):
            if line.udi_scan:
                line._udi_apply_scan(explicit=set(vals))
        return lines

    def write(self, vals):
        if vals.get("udi_scan"):
            self.env["udi.parser"]._parse_udi(vals["udi_scan"])  # refuse bad input up front
        res = super().write(vals)
        if UDI_SCAN_FIELDS & vals.keys() and not self.env.context.get("udi_scan_applying"):
            for line in self.filtered("udi_scan"):
                line._udi_apply_scan(explicit=set(vals))
        return res

    def _action_done(self):
        for line in self.filtered(lambda ml: ml.udi_scan and ml.quantity):
            line._udi_apply_scan(explicit=set())
        return super()._action_done()

    def _prepare_new_lot_vals(self):
        """A lot created at reception from a scanned line gets the scan's PI data."""
        vals = super()._prepare_new_lot_vals()
        if self.udi_scan:
            parsed = self.env["udi.parser"]._parse_udi(self.udi_scan)
            if parsed["manufactured"]:
                vals["udi_manufacture_date"] = parsed["manufactured"]
            if parsed["expiry"] and self.product_id.use_expiration_date:
                vals["expiration_date"] = self.env["stock.lot"]._udi_date_to_datetime(
                    parsed["expiry"]
                )
        return vals

    # -- scan semantics ----------------------------------------------------------------------------

    def _udi_apply_scan(self, explicit):
        """Check this line against its UDI scan and fill what the line leaves empty.

        ``explicit`` holds the fields the caller just set: a value given there that contradicts
        the scan is refused rather than overwritten.
        """
        self.ensure_one()
        parsed = self.env["udi.parser"]._parse_udi(self.udi_scan)
        values = self._udi_scan_values(parsed)
        scanned_name = values.get("lot_name") or self.env["stock.lot"].browse(
            values.get("lot_id")).name
        line_name = self.lot_id.name or self.lot_name
        if scanned_name and line_name and line_name != scanned_name:
            raise ValidationError(self.env._(
                "The line says lot/serial %(line)s but the scanned UDI says %(scan)s "
                "(%(product)s). Correct the line or clear the UDI scan.",
                line=line_name, scan=scanned_name, product=self.product_id.display_name))
        expiry = values.get("expiration_date")
        if (expiry and "expiration_date" in explicit and self.expiration_date
                and self.expiration_date.date() != expiry.date()):
            raise ValidationError(self.env._(
                "The line's expiration date %(line)s contradicts the scanned UDI's expiry "
                "%(scan)s (%(product)s).",
                line=self.expiration_date.date().isoformat(), scan=expiry.date().isoformat(),
                product=self.product_id.display_name))
        fill = {
            field: value for field, value in values.items()
            if (self[field].id if field in ("product_id", "lot_id") else self[field]) != value
            and not (field == "lot_name" and self.lot_id)
        }
        if fill:
            self.with_context(udi_scan_applying=True).write(fill)

    def _udi_scan_values(self, parsed, with_quantity=False):
        """The field values the parsed scan gives this line.

        Refuses (ValidationError) a DI of another product, an unknown DI, a lot that cannot be
        used here, an expiry contradicting the known lot's, and an expired lot on an outgoing
        move.
        """
        self.ensure_one()
        product, level = self._udi_scan_product(parsed)
        values = {"product_id": product.id}
        if product.tracking == "serial":
            name = parsed["serial"]
        elif product.tracking == "lot":
            name = parsed["lot"]
        else:
            name = None
        expiry = parsed["expiry"]
        if name:
            lot = self.env["stock.lot"].search([
                ("product_id", "=", product.id),
                ("name", "=", name),
                ("company_id", "in", [self.company_id.id or self.env.company.id, False]),
            ], limit=1)
            if lot:
                self._udi_check_known_lot(lot, expiry)
                values["lot_id"] = lot.id
                expiry = lot.udi_expiry_date or expiry
            elif self.picking_type_use_create_lots or not self.picking_type_id:
                values.update(lot_id=False, lot_name=name)
                if expiry and product.use_expiration_date:
                    values["expiration_date"] = self.env["stock.lot"]._udi_date_to_datetime(expiry)
            else:
                raise ValidationError(self.env._(
                    "Lot/serial %(lot)s of %(product)s does not exist, and %(operation)s only "
                    "takes existing lots. Receive it first or check the label.",
                    lot=name, product=product.display_name,
                    operation=self.picking_type_id.display_name))
        self._udi_check_not_expired(product, name, expiry)
        if with_quantity:
            values.update(self._udi_scan_quantity(product, level, parsed))
        return values

    def _udi_scan_quantity(self, product, level, parsed):
        """One scan is one labelled item: a package counts its base units (or the quantity its
        label states, AI 30); a base unit or a serial counts one, unless the line says more."""
        units = level._units_of_base() if level and product.tracking != "serial" else 1
        if product.tracking != "serial" and (parsed["quantity"] or units > 1):
            return {"quantity": (parsed["quantity"] or 1) * units}
        if not self.quantity:
            return {"quantity": 1}
        return {}

    def _udi_scan_product(self, parsed):
        """The product variant and DI level the scan identifies, checked against the line's."""
        expected = self.product_id or self.move_id.product_id
        if not parsed["di"]:
            return self._udi_scan_product_from_link(parsed["link"], expected)
        product, level = self.env["product.product"]._udi_find_by_di(parsed["di"])
        if not product:
            raise ValidationError(self.env._(
                "No device has the UDI-DI %(di)s. Add it to the device's UDI-DIs, or check that "
                "the right label was scanned.", di=parsed["di"]))
        if expected and product != expected:
            raise ValidationError(self.env._(
                "The scanned UDI-DI %(di)s belongs to %(scanned)s, not to %(expected)s of this "
                "line.", di=parsed["di"], scanned=product.display_name,
                expected=expected.display_name))
        return product, level

    def _udi_scan_product_from_link(self, link, product):
        """An HIBC secondary symbol names no DI; its link character must match the check character
        of one of the line product's HIBC DIs."""
        if not product:
            raise ValidationError(self.env._(
                "This HIBC secondary symbol carries no device identifier: choose the product or "
                "scan the primary symbol first."))
        levels = product.product_tmpl_id.udi_di_ids.filtered(
            lambda d: d.issuing_agency == "hibcc" and d.di[-1] == link
            and d.product_id in (product, self.env["product.product"]))
        if not levels:
            raise ValidationError(self.env._(
                "The HIBC secondary symbol (link character %(link)r) does not belong to "
                "%(product)s: none of its HIBC UDI-DIs ends with that character.",
                link=link, product=product.display_name))
        return product, levels[:1]

    def _udi_check_known_lot(self, lot, expiry):
        known = lot.udi_expiry_date
        if expiry and known and known != expiry:
            raise ValidationError(self.env._(
                "The scanned expiry %(scan)s contradicts the expiry %(known)s recorded for lot "
                "%(lot)s of %(product)s. Check the label; a relabelled lot needs its record "
                "corrected by quality first.",
                scan=expiry.isoformat(), known=known.isoformat(), lot=lot.name,
                product=lot.product_id.display_name))

    def _udi_check_not_expired(self, product, name, expiry):
        outgoing = self.picking_code == "outgoing" or self.location_dest_id.usage == "customer"
        if outgoing and expiry and expiry < fields.Date.context_today(self):
            raise ValidationError(self.env._(
                "Lot/serial %(lot)s of %(product)s expired on %(date)s and cannot be shipped.",
                lot=name or "", product=product.display_name, date=expiry.isoformat()))
