"""The recall notice page of an implanting facility: its implanted units with the patient ids
it recorded (shown to its signed-in contacts only) and a report per patient."""

from odoo import fields, http
from odoo.http import request
from odoo.tools.translate import LazyTranslate

from odoo.addons.partner_portal.controllers import portal as partner_portal

_lt = LazyTranslate(__name__)
PATIENTS_RECORDED = _lt("Your reports per patient are recorded.")


class ImplantRecallPortal(partner_portal.RecallPortal):
    def _recall_page_values(
        self,
        notice_sudo,
        access_token=None,
        page=1,
        search=None,
        message=None,
        error=None,
        form=None,
        **kw,
    ):
        values = super()._recall_page_values(
            notice_sudo,
            access_token=access_token,
            page=page,
            search=search,
            message=message,
            error=error,
            form=form,
            **kw,
        )
        # the patient ids are the facility's: in clear for its signed-in contacts only
        clear = bool(values.get("can_act"))
        # as the visitor: the notice comes as the superuser (_document_check_access)
        notice = request.env["recall.notice"].browse(notice_sudo.id)
        values["implant_rows"] = notice._portal_implant_rows(clear=clear)
        values["implant_clear"] = clear
        values["patient_report_today"] = fields.Date.context_today(request.env.user).isoformat()
        if message == "patients":
            values["message"] = str(PATIENTS_RECORDED)
        values["patient_statuses"] = dict(
            request.env["recall.implant.report"]
            ._fields["status"]
            ._description_selection(request.env)
        )
        return values

    @http.route(
        "/my/recalls/<int:notice_id>/patients",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_recall_patients(self, notice_id, note=None, **post):
        form = {
            key: value
            for key, value in post.items()
            if key.startswith(("patient_status-", "patient_date-"))
        }
        form["patient_note"] = note or ""

        def action(notice):
            notice._portal_check_consignee()
            rows = _patient_form_rows(post)
            notice._portal_report_patients(rows, channel="portal", note=note)

        return self._recall_answer(notice_id, action, "patients", "patients", form=form)


def _patient_form_rows(post):
    """Rows of the per-patient form (``patient_status-<line id>``, ``patient_date-<line
    id>``): the patients whose status was chosen; an id that is not a number is kept as text
    so that the model names it as not in this notice."""
    rows = []
    for name, status in post.items():
        key, sep, line_key = name.partition("-")
        if key != "patient_status" or not sep or not status:
            continue
        line_id = int(line_key) if line_key.isdigit() else line_key[:20]
        rows.append(
            {
                "line_id": line_id,
                "status": status,
                "date": post.get(f"patient_date-{line_key}") or None,
            }
        )
    return rows
