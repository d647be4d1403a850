"""Portal pages of implanting facilities: ``/my/implants`` (their records, with the patient
ids they chose), ``/my/implants/<id>`` and ``/my/implants/new`` (record an implantation or an
explantation by scanning the unit's UDI).

The routes only read the form and call the ``_portal_*`` methods of ``implant.record``, which
check that the user is a contact of a healthcare facility and that the records are its own.
"""

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools.translate import LazyTranslate

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

_lt = LazyTranslate(__name__)
MESSAGES = {
    "implant": _lt("The implantation is recorded."),
    "explant": _lt("The explantation is recorded."),
}
FORM_FIELDS = ("event_type", "udi", "event_date", "physician", "patient_ref", "explant_reason")


class ImplantPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "implant_count" in counters:
            Record = request.env["implant.record"]
            values["implant_count"] = (
                Record.search_count(Record._portal_domain())
                if Record.has_access("read") and Record._portal_is_facility()
                else 0
            )
        return values

    def _implant_sortings(self):
        _ = request.env._
        return {
            "date": {"label": _("Newest"), "order": "event_date desc, id desc"},
            "name": {"label": _("Reference"), "order": "name desc, id desc"},
        }

    @http.route(
        ["/my/implants", "/my/implants/page/<int:page>"], type="http", auth="user", website=True
    )
    def portal_my_implants(self, page=1, sortby=None, search=None, **kw):
        Record = request.env["implant.record"]
        if not Record.has_access("read") or not Record._portal_is_facility():
            return request.redirect("/my")
        sortings = self._implant_sortings()
        sortby = sortby if sortby in sortings else "date"
        search = (search or "").strip()[:100]
        domain = Record._portal_domain()
        if search:
            domain += ["|", ("name", "ilike", search), ("lot_id.name", "ilike", search)]
        count = Record.search_count(domain)
        pager = portal_pager(
            url="/my/implants",
            url_args={"sortby": sortby, "search": search},
            total=count,
            page=page,
            step=self._items_per_page,
        )
        records = Record.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "records": records.sudo(),
                "patient_refs": records._portal_patient_refs() if records else {},
                "page_name": "implants",
                "default_url": "/my/implants",
                "pager": pager,
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "search": search,
                "search_in": "all",
                "searchbar_inputs": {},
            }
        )
        return request.render("implant_registry.portal_my_implants", values)

    @http.route("/my/implants/<int:record_id>", type="http", auth="user", website=True)
    def portal_my_implant(self, record_id, message=None, **kw):
        record = request.env["implant.record"].browse(record_id)
        try:
            record_sudo = record._portal_check_own()
            patient_refs = record._portal_patient_refs()
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "record": record_sudo,
                "patient_ref": patient_refs.get(record_sudo.id) or "",
                "page_name": "implant",
                "message": str(MESSAGES[message]) if message in MESSAGES else None,
            }
        )
        return request.render("implant_registry.portal_my_implant", values)

    def _implant_form_values(self, form=None, error=None):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "implant_new",
                "form": form
                or {
                    "event_type": "implant",
                    "event_date": fields.Date.context_today(request.env.user).isoformat(),
                },
                "error": error,
            }
        )
        return values

    @http.route("/my/implants/new", type="http", auth="user", website=True, methods=["GET"])
    def portal_my_implant_new(self, event_type=None, **kw):
        if not request.env["implant.record"]._portal_is_facility():
            return request.redirect("/my")
        form = {
            "event_type": "explant" if event_type == "explant" else "implant",
            "event_date": fields.Date.context_today(request.env.user).isoformat(),
        }
        return request.render(
            "implant_registry.portal_implant_form", self._implant_form_values(form)
        )

    @http.route("/my/implants/new", type="http", auth="user", website=True, methods=["POST"])
    def portal_my_implant_record(self, **post):
        form = {key: post.get(key) or "" for key in FORM_FIELDS}
        try:
            record = request.env["implant.record"]._portal_record_event(dict(form))
        except AccessError:
            request.env.cr.rollback()
            return request.redirect("/my")
        except UserError as exc:
            # all or nothing: whatever the recording wrote before it was refused is undone
            request.env.cr.rollback()
            values = self._implant_form_values(form, error=exc.args[0])
            return request.render("implant_registry.portal_implant_form", values, status=400)
        return request.redirect(f"/my/implants/{record.id}?message={record.event_type}")
