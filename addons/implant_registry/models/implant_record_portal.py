"""Implant records in the hospitals' portal: a facility records implantations and explantations
of the units it uses, and reads its own records with the patient ids it chose.

The patient id a facility typed is that facility's own data: its portal contacts read it in
clear without the Patient Data Reader group, but only for records of their own facility (the
record rule of portal users, checked again here), and each such read is logged in the sealed
read log like every other read of clear patient data.
"""

import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.partner_portal.lib import inputs

#: lengths of what a facility types
UDI_MAX = 200
PHYSICIAN_MAX = 128
PATIENT_REF_MAX = 64
#: the reason written in the read log when a facility reads its own patient ids
PORTAL_READ_REASON = "facility portal: own records"


class ImplantRecord(models.Model):
    _inherit = "implant.record"

    # ------------------------------------------------------------------ who

    @api.model
    def _portal_facility(self):
        """The facility (commercial entity) of the portal contact signed in, or raise: only the
        contacts of a healthcare facility record implants in the portal."""
        user = self.env.user
        if self.env.su or user._is_public():
            raise AccessError(self.env._("Sign in as a contact of your facility."))
        facility = user.partner_id.commercial_partner_id
        role = self.env.ref("udi_master.partner_role_healthcare", raise_if_not_found=False)
        if not role or role not in facility.sudo().udi_role_ids:
            raise AccessError(
                self.env._(
                    "%(partner)s is not a healthcare facility: only the contacts of a hospital "
                    "or clinic record implants.",
                    partner=facility.display_name,
                )
            )
        return facility

    @api.model
    def _portal_is_facility(self):
        try:
            self._portal_facility()
        except AccessError:
            return False
        return True

    @api.model
    def _portal_domain(self):
        """The records of the signed-in contact's facility."""
        facility = self.env.user.partner_id.commercial_partner_id
        return [("facility_id", "child_of", facility.id)]

    def _portal_check_own(self):
        """The records, as the system, if they all belong to the signed-in contact's facility
        and its record rules let it read them; else AccessError."""
        if self.env.su:
            raise AccessError(self.env._("Facility pages are read as a user."))
        self.check_access("read")
        facility = self.env.user.partner_id.commercial_partner_id
        for record in self.sudo():
            if record.facility_id.commercial_partner_id != facility:
                raise AccessError(self.env._("This implant record is not your facility's."))
        return self.sudo()

    # ------------------------------------------------------------------ reading

    def _portal_patient_refs(self):
        """{record id: patient id in clear} of the facility's own records, each read logged
        in the sealed read log (the facility reads what it typed; nobody else does here)."""
        records = self._portal_check_own()
        clear = records._implant_decrypt_patient()
        read = records.filtered(lambda r: clear.get(r.id, {}).get("patient_ref"))
        self.env["implant.patient.access"].with_context(
            implant_access_reason=PORTAL_READ_REASON
        )._implant_log_reads(read, ["patient_ref"])
        return {record_id: values.get("patient_ref") for record_id, values in clear.items()}

    # ------------------------------------------------------------------ recording

    @api.model
    def _portal_record_event(self, values):
        """Record an implantation or explantation the facility reports: ``values`` =
        ``{"event_type": "implant"|"explant", "udi": scanned or typed UDI, "event_date":
        "YYYY-MM-DD", "physician": text, "patient_ref": the facility's patient id,
        "explant_reason": text (explant, optional)}``. Everything is checked first; on any
        error nothing is recorded. Returns the new record."""
        facility = self._portal_facility()
        if not isinstance(values, dict):
            raise UserError(self.env._("Give the implant event as an object of values."))
        event_type = values.get("event_type")
        if event_type not in ("implant", "explant"):
            raise UserError(self.env._("Choose the event: implantation or explantation."))
        lot, _parsed = self._portal_resolve_unit(values.get("udi"))
        event_date = self._portal_event_date(values.get("event_date"))
        physician = self._portal_text(
            values.get("physician"), self.env._("Physician"), PHYSICIAN_MAX, required=True
        )
        patient_ref = self._portal_text(
            values.get("patient_ref"), self.env._("Patient ID"), PATIENT_REF_MAX, required=True
        )
        reason = self._portal_text(
            values.get("explant_reason"), self.env._("Reason for explantation"), inputs.NOTE_MAX
        )
        vals = {
            "event_type": event_type,
            "udi": values["udi"].strip(),
            "event_date": event_date.isoformat(),
            "facility_id": facility.id,
            "physician": physician,
            "patient_ref": patient_ref,
            "explant_reason": reason if event_type == "explant" else False,
        }
        return self._portal_create_checked(lot, facility, vals)

    @api.model
    def _portal_text(self, text, what, limit, required=False):
        try:
            text = inputs.clean_text(text, limit)
        except inputs.PortalInputError as exc:
            raise UserError(self.env._(exc.message, **exc.params, what=what)) from None
        if required and not text:
            raise UserError(self.env._("Give the %(what)s.", what=what))
        return text

    @api.model
    def _portal_event_date(self, value):
        today = fields.Date.context_today(self)
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value.strip()[:10])
            except ValueError:
                raise UserError(
                    self.env._("%(value)s is not a date (YYYY-MM-DD).", value=value.strip()[:20])
                ) from None
        if not isinstance(value, datetime.date):
            raise UserError(self.env._("Give the date of the operation (YYYY-MM-DD)."))
        if value > today:
            raise UserError(
                self.env._("The date %(date)s is in the future.", date=value.isoformat())
            )
        return value

    @api.model
    def _portal_resolve_unit(self, udi):
        """The unit (stock.lot, as the system) a scanned UDI names, and the parsed UDI; an
        unknown DI, serial or lot, another company's, or a device that is not tracked is
        refused without saying whose it is."""
        if not isinstance(udi, str) or not udi.strip():
            raise UserError(self.env._("Scan or type the UDI of the unit."))
        if len(udi) > UDI_MAX:
            raise UserError(
                self.env._("The UDI is too long (at most %(limit)s characters).", limit=UDI_MAX)
            )
        parsed = self.env["udi.parser"]._parse_udi(udi.strip())
        unknown = self.env._(
            "%(udi)s is not a device unit we supplied: check the UDI (scan it again, or type "
            "it as printed on the label).",
            udi=parsed["hri"],
        )
        companies = self.env.user.company_ids
        product, _level = self.env["product.product"].sudo()._udi_find_by_di(parsed["di"])
        if not product or (product.company_id and product.company_id not in companies):
            raise UserError(unknown)
        if not product.implant_tracked:
            raise UserError(
                self.env._(
                    "%(device)s is not a tracked device: its implantation is not recorded in "
                    "the implant registry.",
                    device=product.display_name,
                )
            )
        number = parsed["serial"] or parsed["lot"]
        if not number:
            raise UserError(
                self.env._(
                    "%(udi)s has no serial or lot number: scan the full UDI of the unit "
                    "(device identifier and production identifier).",
                    udi=parsed["hri"],
                )
            )
        lot = (
            self.env["stock.lot"]
            .sudo()
            .search(
                [
                    ("product_id", "=", product.id),
                    ("name", "=", number),
                    ("company_id", "in", [*companies.ids, False]),
                ],
                limit=1,
            )
        )
        if not lot:
            raise UserError(unknown)
        return lot, parsed

    @api.model
    def _portal_create_checked(self, lot, facility, vals):
        """Check the event against the unit's history at this facility (without naming
        another facility's records), then record it with the registry's own checks and
        recording (encryption, numbering, sealing, EPCIS event), as the system: the portal
        contact stays the recorder (``sudo()`` keeps the user)."""
        history = self.sudo().search(
            [("lot_id", "=", lot.id), ("state", "!=", "voided")], order="event_date desc, id desc"
        )
        last = history[:1]
        here = last and last.facility_id.commercial_partner_id == facility
        if vals["event_type"] == "implant" and last:
            if not here:
                raise UserError(
                    self.env._(
                        "%(unit)s is recorded as implanted at another facility: check the UDI, "
                        "or contact the manufacturer to correct the registry.",
                        unit=lot.name,
                    )
                )
            if last.state == "implanted":
                raise UserError(
                    self.env._(
                        "%(unit)s is already recorded as implanted at your facility on "
                        "%(date)s (%(record)s): record its explantation first.",
                        unit=lot.name,
                        date=fields.Date.to_string(last.event_date),
                        record=last.name,
                    )
                )
        if vals["event_type"] == "explant" and not (
            here and last.event_type == "implant" and last.state == "implanted"
        ):
            raise UserError(
                self.env._(
                    "%(unit)s is not recorded as implanted at your facility: only a unit "
                    "implanted here can be explanted here. Check the UDI, or record its "
                    "implantation first.",
                    unit=lot.name,
                )
            )
        record = self.sudo()._implant_register(vals["event_type"], vals, source="portal")
        return record.sudo(False)
