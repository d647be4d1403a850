import io

import xlsxwriter

from odoo import fields, models
from odoo.exceptions import UserError

from .implant_tracking_line import STATUSES


class ProductTemplate(models.Model):
    """The tracking report of a tracked device: list, PDF and xlsx (21 CFR 821.25(a))."""

    _inherit = "product.template"

    def _implant_check_tracked_devices(self):
        untracked = self.filtered(lambda t: not t.implant_tracked)
        if untracked:
            raise UserError(
                self.env._(
                    "%(devices)s: not a tracked device, there is no tracking report.",
                    devices=", ".join(untracked.mapped("display_name")),
                )
            )

    def action_implant_tracking(self):
        self._implant_check_tracked_devices()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "implant_registry.implant_tracking_line_action"
        )
        action["domain"] = [("product_tmpl_id", "in", self.ids)]
        return action

    def _implant_tracking_data(self):
        """The report's data: per device, its units' rows and the count per status."""
        self._implant_check_tracked_devices()
        rows = self.env["implant.tracking.line"]._implant_tracking_rows(
            self.product_variant_ids.ids
        )
        labels = dict(STATUSES)
        partners = self.env["res.partner"].browse(
            {r["holder_id"] for r in rows if r["holder_id"]}
            | {r["facility_id"] for r in rows if r["facility_id"]}
        )
        names = dict(zip(partners.ids, partners.mapped("display_name"), strict=True))
        locations = self.env["stock.location"].browse(
            {r["location_id"] for r in rows if r["location_id"]}
        )
        names_loc = dict(zip(locations.ids, locations.mapped("display_name"), strict=True))
        devices = []
        for template in self:
            variant_ids = set(template.product_variant_ids.ids)
            units = [r for r in rows if r["product_id"] in variant_ids]
            for row in units:
                row["status_label"] = labels.get(row["status"], row["status"])
                row["where"] = (
                    names.get(row["facility_id"])
                    if row["status"] in ("implanted", "explanted")
                    else names.get(row["holder_id"]) or names_loc.get(row["location_id"]) or ""
                )
            counts = {}
            for row in units:
                counts[row["status"]] = counts.get(row["status"], 0) + 1
            devices.append(
                {
                    "template": template,
                    "rows": units,
                    "counts": [(labels[s], counts.get(s, 0)) for s, _label in STATUSES],
                }
            )
        return {"devices": devices, "generated_at": fields.Datetime.now()}

    def action_implant_tracking_xlsx(self):
        data = self._implant_tracking_data()
        # the file holds what the caller just read (tokens, no patient id); it is attached
        # to the device, readable by whoever reads the device
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": self.env._(
                        "Tracking report %(date)s.xlsx",
                        date=fields.Date.context_today(self).isoformat(),
                    ),
                    "raw": self._implant_tracking_xlsx(data),
                    "res_model": self._name,
                    "res_id": self[:1].id,
                    "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                }
            )
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _implant_tracking_xlsx(self, data):
        _ = self.env._
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        bold = book.add_format({"bold": True})
        dates = book.add_format({"num_format": "yyyy-mm-dd"})
        headers = [
            _("Device"),
            _("Unit (serial/lot)"),
            _("Status"),
            _("Since"),
            _("Where"),
            _("Implanted on"),
            _("Patient token"),
        ]
        for device in data["devices"]:
            sheet = book.add_worksheet(
                device["template"].default_code or str(device["template"].id)
            )
            sheet.write(0, 0, device["template"].display_name, bold)
            for col, header in enumerate(headers):
                sheet.write(2, col, header, bold)
            for line, row in enumerate(device["rows"], start=3):
                sheet.write(line, 0, device["template"].display_name)
                sheet.write(line, 1, row["name"])
                sheet.write(line, 2, row["status_label"])
                if row["status_date"]:
                    sheet.write_datetime(
                        line, 3, fields.Datetime.to_datetime(row["status_date"]), dates
                    )
                sheet.write(line, 4, row["where"])
                if row["implant_date"]:
                    sheet.write_datetime(
                        line, 5, fields.Datetime.to_datetime(row["implant_date"]), dates
                    )
                sheet.write(line, 6, row["patient_token"] or "")
        book.close()
        return buffer.getvalue()
