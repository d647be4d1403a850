import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.audit_seal.tools.workflow import workflow

from ..lib.keyring import normalise

MAX_TEXT = 200


class ImplantRecord(models.Model):
    """Recording implantations and explantations: the checks, the records, the trace events.

    The public methods are the integration API (JSON-2, XML-RPC); the staff wizard and the
    portal call :meth:`_implant_register` with their own source.
    """

    _inherit = "implant.record"

    # ------------------------------------------------------------------ public API

    @api.model
    def record_implant(
        self,
        udi,
        facility_id,
        event_date,
        patient_ref,
        physician=False,
        patient_contact=False,
        reporter_partner_id=False,
    ):
        """Record the implantation of the unit ``udi`` (the scanned GS1 or HIBC UDI, with its
        serial or lot) at the facility ``facility_id`` (a partner with the Healthcare role) on
        ``event_date`` (ISO date) in the patient ``patient_ref`` (the facility's pseudonymous
        patient id).

        :return: dict with ``id``, ``name``, ``lot_id``, ``patient_token`` and ``event_id``
            (the EPCIS eventID of the trace event)
        """
        record = self._implant_register(
            "implant",
            {
                "udi": udi,
                "facility_id": facility_id,
                "event_date": event_date,
                "patient_ref": patient_ref,
                "physician": physician,
                "patient_contact": patient_contact,
                "reporter_partner_id": reporter_partner_id,
            },
            source="api",
        )
        return record._implant_api_result()

    @api.model
    def record_explant(
        self,
        udi,
        facility_id,
        event_date,
        reason=False,
        physician=False,
        patient_ref=False,
        reporter_partner_id=False,
    ):
        """Record the explantation of the implanted unit ``udi`` at ``facility_id`` on
        ``event_date``. ``patient_ref``, when given, must be the patient of the implantation.

        :return: dict as :meth:`record_implant`
        """
        record = self._implant_register(
            "explant",
            {
                "udi": udi,
                "facility_id": facility_id,
                "event_date": event_date,
                "explant_reason": reason,
                "physician": physician,
                "patient_ref": patient_ref,
                "reporter_partner_id": reporter_partner_id,
            },
            source="api",
        )
        return record._implant_api_result()

    def _implant_api_result(self):
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "lot_id": self.lot_id.id,
            "patient_token": self.patient_token or False,
            "event_id": self.trace_event_id.event_uid or False,
        }

    # ------------------------------------------------------------------ recording

    @api.model
    def _implant_register(self, event_type, values, source):
        """Check and record one implantation or explantation; return the record.

        ``values``: ``udi`` (scanned text) or ``lot_id``, ``facility_id``, ``event_date``,
        ``patient_ref``, ``patient_contact``, ``physician``, ``explant_reason``,
        ``reporter_partner_id``. Every refusal is a UserError naming what is wrong; nothing is
        recorded then.
        """
        self._implant_check_recorder(source)
        lot, level, scan = self._implant_resolve_unit(values)
        company = self._implant_unit_company(lot)
        facility = self._implant_check_facility(values.get("facility_id"))
        event_date = self._implant_check_date(values.get("event_date"))
        vals = {
            "company_id": company.id,
            "event_type": event_type,
            "lot_id": lot.id,
            "product_id": lot.product_id.id,
            "udi_di_id": level.id or False,
            "udi_scan": scan,
            "event_date": event_date,
            "facility_id": facility.id,
            "physician": self._implant_text(values.get("physician"), "physician"),
            "source": source,
            "reporter_id": self.env.uid,
            "reporter_partner_id": self._implant_reporter(values.get("reporter_partner_id")),
        }
        if event_type == "implant":
            holder = self._implant_check_implantable(lot, facility, event_date)
            patient_ref = self._implant_text(values.get("patient_ref"), "patient_ref")
            if not patient_ref:
                raise UserError(
                    self.env._(
                        "Give the patient id (the facility's pseudonym of the patient) of the "
                        "implantation of %(unit)s.",
                        unit=lot.display_name,
                    )
                )
            vals["patient_ref"] = patient_ref
            contact = self._implant_text(values.get("patient_contact"), "patient_contact")
            if contact:
                vals["patient_contact"] = contact
            return self._implant_create_with_event([vals], holder)
        implant = self._implant_check_explantable(lot, event_date, values.get("patient_ref"))
        vals.update(
            implant_id=implant.id,
            explant_reason=self._implant_text(values.get("explant_reason"), "explant_reason"),
            state="explanted",
        )
        return self._implant_create_with_event([vals], False, implant)

    @workflow
    def _implant_create_with_event(self, vals_list, holder, implant=None):
        records = self._implant_create(vals_list)
        if implant:
            records._implant_copy_patient(implant)
            implant.sudo().write({"state": "explanted", "explant_id": records[:1].id})
        events = self.env["trace.event"]._implant_record_events(
            records, dict.fromkeys(records.ids, holder) if holder else {}
        )
        for record, event in zip(records, events, strict=True):
            record.sudo().trace_event_id = event
        return records

    def _implant_copy_patient(self, implant):
        """The explantation carries the implantation's patient (same ciphertexts)."""
        source = implant.sudo()
        self.sudo().write(
            {
                "patient_key_enc": source.patient_key_enc,
                "patient_key_id": source.patient_key_id,
                "patient_ref_enc": source.patient_ref_enc,
                "patient_contact_enc": source.patient_contact_enc,
                "patient_token": source.patient_token,
            }
        )

    # ------------------------------------------------------------------ checks

    @api.model
    def _implant_check_recorder(self, source):
        user = self.env.user
        if source == "portal" or self.env.su:
            return
        if not user.has_group("udi_master.group_trace_user"):
            raise AccessError(
                self.env._(
                    "Only Traceability users record implantations and explantations; %(user)s "
                    "is not one. Hospitals report theirs in the portal.",
                    user=user.name,
                )
            )

    @api.model
    def _implant_text(self, value, what):
        if value in (None, False, ""):
            return False
        if not isinstance(value, str):
            raise ValidationError(
                self.env._("%(field)s must be text.", field=self._implant_label(what))
            )
        value = " ".join(value.split())
        if len(value) > MAX_TEXT and what != "explant_reason":
            raise ValidationError(
                self.env._(
                    "%(field)s is longer than %(max)s characters.",
                    field=self._implant_label(what),
                    max=MAX_TEXT,
                )
            )
        return value or False

    @api.model
    def _implant_label(self, name):
        return self._fields[name]._description_string(self.env)

    @api.model
    def _implant_resolve_unit(self, values):
        """(lot, UDI-DI level, scanned text) of the unit named by ``udi`` or ``lot_id``."""
        scan = values.get("udi")
        if values.get("lot_id") and not scan:
            lot = self.env["stock.lot"].browse(values["lot_id"]).exists()
            lot = lot._filtered_access("read")
            if not lot:
                raise UserError(self.env._("Unknown unit: choose a serial or lot you can read."))
            self._implant_check_tracked(lot.product_id)
            return lot, self.env["udi.di"], False
        if not scan or not isinstance(scan, str):
            raise ValidationError(
                self.env._("Scan the unit's UDI (with its serial number or lot).")
            )
        parsed = self.env["udi.parser"]._parse_udi(scan)
        unit_name = parsed["serial"] or parsed["lot"]
        if not parsed["di"] or not unit_name:
            raise ValidationError(
                self.env._(
                    "The UDI %(udi)s names no serial number or lot: scan the full UDI of the "
                    "unit (with its production identifiers).",
                    udi=parsed["hri"],
                )
            )
        product, level = self.env["udi.parser"]._udi_find_product(parsed["di"])
        lot = self.env["stock.lot"]
        if product:
            lot = lot.search([("product_id", "=", product.id), ("name", "=", unit_name)], limit=1)
        if not lot:
            # another company's unit reads exactly as one that does not exist
            raise UserError(
                self.env._(
                    "Unknown unit: no serial/lot %(unit)s of UDI-DI %(di)s is recorded here. "
                    "Check the label, or ask the manufacturer.",
                    unit=unit_name,
                    di=parsed["di"],
                )
            )
        self._implant_check_tracked(product)
        return lot, level, parsed["hri"]

    @api.model
    def _implant_unit_company(self, lot):
        """The company of the caller's that made or moved ``lot``; a unit no company of the
        caller's ever held is unknown (a lot shared by all companies included), exactly as
        one that does not exist."""
        allowed = self.env.companies
        if lot.company_id:
            if lot.company_id in allowed:
                return lot.company_id
        else:
            found = (
                self.env["stock.quant"]
                .sudo()
                .search([("lot_id", "=", lot.id), ("company_id", "in", allowed.ids)], limit=1)
            )
            if found:
                return found.company_id
            held = self.env["trace.event"].sudo()._trace_holders([lot.id], allowed.ids)
            if held:
                return self.env["res.company"].browse(held[0]["company_id"])
        raise UserError(
            self.env._(
                "Unknown unit: no serial/lot %(unit)s is recorded here. Check the label, or ask "
                "the manufacturer.",
                unit=lot.name,
            )
        )

    @api.model
    def _implant_check_tracked(self, product):
        if not product.product_tmpl_id.implant_tracked:
            raise UserError(
                self.env._(
                    "%(device)s is not a tracked device: the implant registry records tracked "
                    "devices only (set 'Tracked device' on the product if it is one).",
                    device=product.display_name,
                )
            )

    @api.model
    def _implant_check_facility(self, facility_id):
        partner = self.env["res.partner"]
        if isinstance(facility_id, int) and not isinstance(facility_id, bool):
            partner = partner.browse(facility_id).exists()._filtered_access("read")
        if not partner:
            raise UserError(self.env._("Unknown facility: give the id of the hospital."))
        roles = partner.commercial_partner_id.udi_role_ids | partner.udi_role_ids
        if "healthcare" not in roles.mapped("code"):
            raise UserError(
                self.env._(
                    "%(partner)s is not a healthcare facility: give it the Healthcare role "
                    "(its supply-chain roles) before recording implants there.",
                    partner=partner.display_name,
                )
            )
        return partner

    @api.model
    def _implant_check_date(self, value):
        try:
            day = fields.Date.to_date(value)
        except (TypeError, ValueError):
            day = None
        if not day or isinstance(value, (int, float)):
            raise ValidationError(
                self.env._("Give the date of the event as YYYY-MM-DD (got %(value)s).", value=value)
            )
        today = fields.Date.context_today(self)
        if day > today + datetime.timedelta(days=1):
            raise ValidationError(
                self.env._("The date %(date)s is in the future.", date=day.isoformat())
            )
        return day

    @api.model
    def _implant_reporter(self, partner_id):
        if not partner_id:
            return False
        partner = self.env["res.partner"].browse(partner_id).exists()._filtered_access("read")
        if not partner:
            raise UserError(self.env._("Unknown reporter: give the id of a contact."))
        return partner.id

    @api.model
    def _implant_check_implantable(self, lot, facility, event_date):
        """Refuse an implantation of a unit that is implanted, was explanted, or never left
        our stock; return the partner that held it before (or False)."""
        records = self.sudo().search(
            [("lot_id", "=", lot.id), ("state", "!=", "voided")], order="event_date desc, id desc"
        )
        if records:
            last = records[0]
            raise UserError(
                self.env._(
                    "%(unit)s cannot be implanted: it was %(what)s on %(date)s (%(record)s).",
                    unit=lot.display_name,
                    what=self.env._("implanted")
                    if last.event_type == "implant"
                    else self.env._("explanted, and an explanted unit is not implanted again"),
                    date=last.event_date.isoformat(),
                    record=last.name,
                )
            )
        stock = (
            self.env["stock.quant"]
            .sudo()
            .search(
                [
                    ("lot_id", "=", lot.id),
                    ("location_id.usage", "=", "internal"),
                    ("quantity", ">", 0),
                ],
                limit=1,
            )
        )
        if stock:
            raise UserError(
                self.env._(
                    "%(unit)s is in stock at %(location)s: it was never shipped, so it cannot "
                    "have been implanted at %(facility)s. Check the serial number, or deliver "
                    "the unit first.",
                    unit=lot.display_name,
                    location=stock.location_id.display_name,
                    facility=facility.display_name,
                )
            )
        # every company's holdings: the consignee is whoever received the unit last
        holders = [
            holder
            for holder in self.env["trace.event"]
            .sudo()
            ._trace_holders([lot.id], self.env["res.company"].sudo().search([]).ids)
            if holder["holder_type"] == "partner" and holder["quantity"] > 0
        ]
        holders.sort(key=lambda holder: holder["last_date"] or "", reverse=True)
        target = facility.commercial_partner_id
        if target.id in {holder["partner_id"] for holder in holders}:
            return target
        return self.env["res.partner"].browse(holders[0]["partner_id"] if holders else [])

    @api.model
    def _implant_check_explantable(self, lot, event_date, patient_ref):
        implant = self.sudo().search(
            [("lot_id", "=", lot.id), ("event_type", "=", "implant"), ("state", "=", "implanted")],
            limit=1,
        )
        if not implant:
            raise UserError(
                self.env._(
                    "%(unit)s cannot be explanted: no implantation of it is recorded. Record "
                    "the implantation first (from the hospital's report).",
                    unit=lot.display_name,
                )
            )
        if event_date < implant.event_date:
            raise ValidationError(
                self.env._(
                    "The explantation date %(date)s is before the implantation of %(unit)s on "
                    "%(implanted)s.",
                    date=event_date.isoformat(),
                    unit=lot.display_name,
                    implanted=implant.event_date.isoformat(),
                )
            )
        if patient_ref:
            keyring = self.env["implant.keyring"]._implant_keyring()
            if keyring.token(implant.facility_id.id, normalise(patient_ref)) != (
                implant.patient_token
            ):
                raise UserError(
                    self.env._(
                        "The patient id does not match the patient of the implantation of "
                        "%(unit)s (%(record)s). Check the patient id.",
                        unit=lot.display_name,
                        record=implant.name,
                    )
                )
        return implant
