"""Recall notices of implanting facilities: their implanted units, and the reports per
patient they give in the portal (or over the API)."""

from datetime import date, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.audit_seal.tools.workflow import workflow

from .recall_implant_report import PATIENT_STATUSES


class RecallNotice(models.Model):
    _inherit = "recall.notice"

    implant_line_ids = fields.One2many("recall.implant.line", "notice_id", string="Implanted Units")
    implant_report_ids = fields.One2many(
        "recall.implant.report", "notice_id", string="Patient Reports"
    )
    implant_unit_count = fields.Integer(
        string="Number of Implanted Units", compute="_compute_implant_unit_count"
    )

    @api.depends("implant_line_ids")
    def _compute_implant_unit_count(self):
        for notice in self:
            notice.implant_unit_count = len(notice.implant_line_ids)

    @api.depends("implant_line_ids.lot_id")
    def _compute_figures(self):  # pylint: disable=missing-return
        super()._compute_figures()
        for notice in self:
            notice.lot_count = len(notice.line_ids.lot_id | notice.implant_line_ids.lot_id)

    # ------------------------------------------------------------------ sending, completion

    @workflow
    def _recall_send(self):
        """A facility that received no unit from us (they came through a distributor) has a
        notice for its implanted units only: it is sent like the others."""
        implants_only = self.filtered(
            lambda n: n.state == "draft" and not n.line_ids and n.implant_line_ids
        )
        result = super()._recall_send()
        now = fields.Datetime.now()
        for notice in implants_only:
            notice.write(
                {
                    "state": "sent",
                    "sent_at": now,
                    "deadline": now + timedelta(days=notice.campaign_id.response_days or 0),
                }
            )
        implants_only._recall_mail()
        return result

    @workflow
    def _recall_check_completed(self):  # pylint: disable=missing-return
        """A facility's notice is completed once every patient has a report, and the units
        not implanted have their quantities reported (an implanted unit's fate is its
        patient's report, not a quantity)."""
        with_implants = self.filtered("implant_line_ids")
        super(RecallNotice, self - with_implants)._recall_check_completed()
        now = fields.Datetime.now()
        for notice in with_implants.filtered(lambda n: n.state == "acknowledged"):
            implanted = notice.implant_line_ids
            if any(line.status == "pending" for line in implanted):
                continue
            lots = implanted.lot_id
            lines = notice.line_ids.filtered(lambda line, lots=lots: line.lot_id not in lots)
            lines.invalidate_recordset(["reported_located", "recovered_quantity"])
            if all(line.reported_located + 1e-9 >= line.received_quantity for line in lines):
                notice.write({"state": "completed", "completed_at": now})

    # ------------------------------------------------------------------ per-patient reports

    def _portal_report_patients(self, rows, channel="portal", note=None):
        """Record what the facility did for its patients: ``rows`` = ``[{"line_id": id of
        the implanted unit in this notice, "status": "notified" | "follow_up" |
        "explanted", "date": "YYYY-MM-DD"}]``. Every row is checked first; if any is wrong
        nothing is recorded. Returns the reports (sealed)."""
        notice = self._portal_check_consignee()
        notice._portal_check_open()
        note = notice._portal_clean_text(note, self.env._("Note"))
        if not isinstance(rows, list) or not rows:
            raise UserError(self.env._("Choose the status of at least one patient."))
        lines = {line.id: line for line in notice.implant_line_ids}
        statuses = {key for key, _label in PATIENT_STATUSES}
        today = fields.Date.context_today(self)
        errors, vals_list, seen = [], [], set()
        for position, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                errors.append(notice._portal_row_error(position, self.env._("not an object")))
                continue
            notice._portal_unknown_keys(row, ("line_id", "status", "date"), errors, position)
            line = lines.get(row.get("line_id")) if isinstance(row.get("line_id"), int) else None
            if not line:
                errors.append(
                    notice._portal_row_error(
                        position, self.env._("this implanted unit is not in this notice")
                    )
                )
                continue
            if line.id in seen:
                errors.append(
                    notice._portal_row_error(
                        position, self.env._("%(unit)s is reported twice", unit=line.lot_id.name)
                    )
                )
                continue
            seen.add(line.id)
            if row.get("status") not in statuses:
                errors.append(
                    notice._portal_row_error(
                        position,
                        self.env._(
                            "%(unit)s: choose notified, follow-up planned or explanted",
                            unit=line.lot_id.name,
                        ),
                    )
                )
                continue
            status_date = self._portal_patient_date(row.get("date"), today)
            if isinstance(status_date, str):
                errors.append(
                    notice._portal_row_error(position, f"{line.lot_id.name}: {status_date}")
                )
                continue
            if line.implant_date and status_date < line.implant_date:
                errors.append(
                    notice._portal_row_error(
                        position,
                        self.env._(
                            "%(unit)s: the date is before its implantation", unit=line.lot_id.name
                        ),
                    )
                )
                continue
            vals_list.append(
                {
                    "line_id": line.id,
                    "notice_id": notice.id,
                    "implant_id": line.implant_id.id,
                    "status": row["status"],
                    "status_date": status_date,
                    "channel": channel,
                    "note": note,
                }
            )
        notice._portal_refuse(errors)
        reports = self.env["recall.implant.report"].sudo().create(vals_list)
        notice._recall_check_completed()
        return reports

    @api.model
    def _portal_patient_date(self, value, today):
        """The date of a patient report, or the text of what is wrong with it."""
        if isinstance(value, str) and value.strip():
            try:
                value = date.fromisoformat(value.strip()[:10])
            except ValueError:
                return self.env._("%(value)s is not a date (YYYY-MM-DD)", value=value[:20])
        if not isinstance(value, date):
            return self.env._("give the date (YYYY-MM-DD)")
        if value > today:
            return self.env._("the date %(date)s is in the future", date=value.isoformat())
        return value

    def portal_report_patients(self, rows, note=None):
        """Report per patient what your facility did about a recalled implant: ``rows`` =
        ``[{"line_id": 12, "status": "notified" | "follow_up" | "explanted", "date":
        "2026-12-05"}]`` (``line_id`` from ``portal_implants``). All rows are checked first; if
        any is wrong nothing is recorded. Returns ``{"report_ids", "state"}``."""
        reports = self._portal_report_patients(rows, channel="api", note=note)
        return {"report_ids": reports.ids, "state": self.sudo().state}

    def portal_implants(self):
        """The implanted units of this notice at your facility, with the patient ids your
        facility recorded (each read is logged) and the status you reported last."""
        self._portal_check_consignee()
        return self._portal_implant_rows()

    def _portal_implant_rows(self, clear=True):
        """Rows of the implanted units. With ``clear``, the patient ids in clear: only for a
        contact of the facility (checked again as the user of this recordset's environment,
        each read logged); else none (masked)."""
        self.ensure_one()
        lines = self.sudo().implant_line_ids
        if not lines:
            return []
        if clear:
            records = self.env["implant.record"].browse(lines.implant_id.ids)
            patient_refs = records._portal_patient_refs()
        else:
            patient_refs = {}
        return lines._portal_rows(patient_refs)
