"""Portal pages of recall notices: ``/my/recalls`` and ``/my/recalls/<id>``.

Reading a notice needs read access under the record rules (a portal user of the consignee) or
the notice's access token (the link in the mail). Every answer is a CSRF-protected POST of a
signed-in contact of the consignee; the routes only parse the form and call the notice's
``_portal_*`` methods, which check access again and validate everything (all or nothing).
"""

import csv
import io
import math
import re
from collections import OrderedDict

from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import content_disposition, request
from odoo.tools import consteq
from odoo.tools.translate import LazyTranslate

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..lib.inputs import QTY_KEYS, onward_form_rows
from ..models.recall_notice_invitation import (
    INVITE_INTERVAL_MINUTES,
    INVITE_INTERVAL_PARAM,
    INVITE_PER_IP,
    INVITE_PER_IP_PARAM,
)

#: lots/serials per page of a notice's units
UNITS_PER_PAGE = 50
#: responses shown in a notice's history (the newest)
HISTORY_LIMIT = 50
#: empty onward rows offered by the form
ONWARD_FORM_ROWS = 5
CSV_MAX_BYTES = 2 * 1024 * 1024
CSV_COLUMNS = ("lot", "on_hand", "used", "returned", "destroyed")
_lt = LazyTranslate(__name__)
MESSAGES = {
    "acknowledged": _lt("Your acknowledgement is signed and recorded."),
    "reported": _lt("Your quantities are recorded."),
    "evidence": _lt("Your evidence is attached."),
    "return": _lt(
        "Your return request is recorded; we will confirm it and tell you how to ship."
    ),
    "onward": _lt("Your customers are recorded; the recall will reach them too."),
    "invited": _lt(
        "If this address belongs to a contact of the consignee, an invitation to set a "
        "password was sent to it."
    ),
    "invite_wait": _lt(
        "An invitation was asked for this address (or from your network) a moment ago: check "
        "your mailbox, or try again in a few minutes."
    ),
}


class RecallLinkExpired(AccessError):
    """The notice was reached with its mail link (access token) after the link's lifetime."""


class RecallPortal(CustomerPortal):
    # ------------------------------------------------------------------ home

    def _recall_base_domain(self):
        entity = request.env.user.partner_id.commercial_partner_id
        return [("partner_id", "child_of", entity.id), ("state", "!=", "draft")]

    def _recall_filters(self):
        _ = request.env._
        return OrderedDict(
            [
                ("open", {"label": _("Open"),
                          "domain": [("state", "in", ("sent", "acknowledged"))]}),
                ("awaiting", {"label": _("Awaiting my acknowledgement"),
                              "domain": [("state", "=", "sent")]}),
                ("overdue", {"label": _("Overdue"), "domain": [("is_overdue", "=", True)]}),
                ("completed", {"label": _("Completed"), "domain": [("state", "=", "completed")]}),
                ("all", {"label": _("All"), "domain": []}),
            ]
        )

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        keys = {
            "recall_count": "open",
            "recall_awaiting_count": "awaiting",
            "recall_overdue_count": "overdue",
        }
        wanted = [key for key in keys if key in counters]
        if not wanted:
            return values
        Notice = request.env["recall.notice"]
        readable = Notice.has_access("read")
        filters = self._recall_filters()
        for key in wanted:
            values[key] = (
                Notice.search_count(self._recall_base_domain() + filters[keys[key]]["domain"])
                if readable
                else 0
            )
        return values

    # ------------------------------------------------------------------ list

    def _recall_sortings(self):
        _ = request.env._
        return {
            "date": {"label": _("Newest"), "order": "sent_at desc, id desc"},
            "deadline": {"label": _("Respond by"), "order": "deadline asc, id desc"},
            "name": {"label": _("Reference"), "order": "name desc, id desc"},
        }

    def _recall_search_inputs(self):
        _ = request.env._
        return OrderedDict(
            [
                ("all", {"input": "all", "label": _("Search in All")}),
                ("name", {"input": "name", "label": _("Search in Reference")}),
                ("title", {"input": "title", "label": _("Search in Subject")}),
                ("lot", {"input": "lot", "label": _("Search in Lots/Serials")}),
            ]
        )

    def _recall_search_domain(self, search_in, search):
        parts = {
            "name": [("name", "ilike", search)],
            "title": [("campaign_id.title", "ilike", search)],
            "lot": [("line_ids.lot_id.name", "ilike", search)],
        }
        if search_in in parts:
            return parts[search_in]
        return ["|", "|", *parts["name"], *parts["title"], *parts["lot"]]

    @http.route(
        ["/my/recalls", "/my/recalls/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_recalls(self, page=1, sortby=None, filterby=None, search=None, search_in="all",
                          **kw):
        Notice = request.env["recall.notice"]
        if not Notice.has_access("read"):
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        filters = self._recall_filters()
        sortings = self._recall_sortings()
        inputs = self._recall_search_inputs()
        filterby = filterby if filterby in filters else "open"
        sortby = sortby if sortby in sortings else "date"
        search_in = search_in if search_in in inputs else "all"
        search = (search or "").strip()[:100]
        # what the user may see, under the record rules; then the search as the system, since
        # the subject and the lots live on records portal users do not read directly
        visible = Notice.search(self._recall_base_domain() + filters[filterby]["domain"])
        domain = [("id", "in", visible.ids)]
        if search:
            domain += self._recall_search_domain(search_in, search)
        NoticeSudo = Notice.sudo()
        count = NoticeSudo.search_count(domain)
        pager = portal_pager(
            url="/my/recalls",
            url_args={"sortby": sortby, "filterby": filterby, "search": search,
                      "search_in": search_in},
            total=count,
            page=page,
            step=self._items_per_page,
        )
        notices = NoticeSudo.search(
            domain, order=sortings[sortby]["order"], limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session["my_recalls_history"] = notices.ids[:100]
        lot_counts = dict(
            request.env["recall.campaign.line"].sudo()._read_group(
                [("notice_id", "in", notices.ids), ("holder_type", "=", "partner")],
                ["notice_id"],
                ["lot_id:count_distinct"],
            )
        )
        values.update(
            {
                "notices": notices,
                "lot_counts": {notice.id: count for notice, count in lot_counts.items()},
                "page_name": "recalls",
                "default_url": "/my/recalls",
                "pager": pager,
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
                "searchbar_inputs": inputs,
                "search_in": search_in,
                "search": search,
            }
        )
        return request.render("partner_portal.portal_my_recalls", values)

    # ------------------------------------------------------------------ one notice

    def _recall_check_access(self, notice_id, access_token=None):
        """The notice (as the system) if the visitor may read it, else raise (RecallLinkExpired
        when only the mail link's token opens it and the link expired)."""
        notice_sudo = self._document_check_access("recall.notice", notice_id, access_token)
        campaign = notice_sudo.campaign_id
        if notice_sudo.state == "draft" or (campaign.is_drill and not campaign.drill_send_mail):
            raise MissingError(request.env._("This document does not exist."))
        if (
            not request.env["recall.notice"].browse(notice_sudo.id).has_access("read")
            and notice_sudo._portal_token_expired()
        ):
            raise RecallLinkExpired(
                request.env._("The link to this recall notice expired: sign in to read it.")
            )
        return notice_sudo

    def _recall_link_expired_page(self, notice_id):
        """Ask the visitor who came with an expired mail link to sign in (nothing of the
        notice is shown)."""
        values = {
            "login_url": "/web/login?" + url_encode({"redirect": f"/my/recalls/{notice_id}"}),
        }
        return request.render("partner_portal.portal_recall_link_expired", values, status=403)

    def _recall_actor(self, notice_sudo):
        """``(can_act, reason)``: may the visitor answer the notice (signed-in consignee)?"""
        if request.env.user._is_public():
            return False, "login"
        notice = request.env["recall.notice"].browse(notice_sudo.id)
        try:
            notice._portal_check_consignee()
        except (AccessError, MissingError):
            return False, "other_user"
        return True, None

    def _recall_page_values(self, notice_sudo, access_token=None, page=1, search=None,
                            message=None, error=None, form=None, **kw):
        _ = request.env._
        search = (search or "").strip()[:100]
        unit_count = notice_sudo._portal_unit_count(search)
        url = f"/my/recalls/{notice_sudo.id}"
        url_args = {}
        if access_token:
            url_args["access_token"] = access_token
        if search:
            url_args["search"] = search
        pager = portal_pager(
            url=url, url_args=url_args, total=unit_count, page=page, step=UNITS_PER_PAGE,
        )
        units = notice_sudo._portal_units(offset=pager["offset"], limit=UNITS_PER_PAGE,
                                          search=search)
        responses = request.env["recall.response"].sudo().search(
            [("notice_id", "=", notice_sudo.id)], order="id desc", limit=HISTORY_LIMIT
        )
        response_count = request.env["recall.response"].sudo().search_count(
            [("notice_id", "=", notice_sudo.id)]
        )
        can_act, why_not = self._recall_actor(notice_sudo)
        campaign = notice_sudo.campaign_id
        is_open = (
            notice_sudo.state in ("acknowledged", "completed")
            and campaign.state not in ("closed", "terminated")
        )
        pending_return = notice_sudo.return_picking_ids.filtered(
            lambda p: p.recall_portal_requested and p.state not in ("done", "cancel")
        )
        meanings = dict(
            request.env["recall.signature"]._fields["meaning"]._description_selection(request.env)
        )
        values = {
            "notice": notice_sudo,
            "campaign": campaign,
            "page_name": "recall",
            "units": units,
            "unit_count": unit_count,
            "units_pager": pager,
            "search": search,
            "figures": notice_sudo._portal_figures(),
            "required_actions": notice_sudo._portal_required_actions(),
            "responses": responses,
            "response_count": response_count,
            "can_act": can_act,
            "why_not": why_not,
            "can_acknowledge": can_act and notice_sudo.state == "sent"
            and campaign.state not in ("closed", "terminated"),
            "can_report": can_act and is_open,
            "can_request_return": can_act and is_open and campaign.action_return
            and not pending_return,
            "pending_return": pending_return,
            "signature_meaning": meanings["acknowledge"],
            "signer": request.env.user,
            "message": str(MESSAGES[message]) if message in MESSAGES else None,
            "error": error,
            "form": form or {},
            "onward_rows": range(ONWARD_FORM_ROWS),
            "login_url": "/web/login?" + url_encode({"redirect": url}),
            "pdf_url": f"{url}/pdf" + (f"?access_token={access_token}" if access_token else ""),
            "csv_url": f"{url}/units.csv",
            "evidence_limit": f"{notice_sudo._portal_evidence_limit():g}",
            "access_token": access_token,
            "qty_keys": QTY_KEYS,
            "error_anchor": None,
        }
        return self._get_page_view_values(
            notice_sudo, access_token, values, "my_recalls_history", False, **kw
        )

    @http.route(
        ["/my/recalls/<int:notice_id>", "/my/recalls/<int:notice_id>/page/<int:page>"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_recall(self, notice_id, access_token=None, page=1, search=None, message=None,
                         **kw):
        try:
            notice_sudo = self._recall_check_access(notice_id, access_token)
        except RecallLinkExpired:
            return self._recall_link_expired_page(notice_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._recall_page_values(notice_sudo, access_token, page=page, search=search,
                                          message=message)
        return request.render("partner_portal.portal_recall_page", values)

    @http.route("/my/recalls/<int:notice_id>/pdf", type="http", auth="public", website=True)
    def portal_my_recall_pdf(self, notice_id, access_token=None, **kw):
        try:
            notice_sudo = self._recall_check_access(notice_id, access_token)
        except RecallLinkExpired:
            return self._recall_link_expired_page(notice_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        return self._show_report(
            model=notice_sudo,
            report_type="pdf",
            report_ref="recall_mgmt.action_report_recall_notice",
            download=True,
        )

    @http.route(
        "/my/recalls/<int:notice_id>/evidence/<int:attachment_id>",
        type="http",
        auth="public",
        website=True,
        readonly=True,
    )
    def portal_my_recall_evidence(self, notice_id, attachment_id, access_token=None, **kw):
        try:
            notice_sudo = self._recall_check_access(notice_id, access_token)
        except RecallLinkExpired:
            return self._recall_link_expired_page(notice_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        attachment = notice_sudo.response_ids.attachment_ids.filtered(
            lambda a: a.id == attachment_id
        )
        if not attachment:
            return request.not_found()
        stream = request.env["ir.binary"]._get_stream_from(attachment)
        return stream.get_response(as_attachment=True)

    @http.route("/my/recalls/<int:notice_id>/units.csv", type="http", auth="user", website=True,
                readonly=True)
    def portal_my_recall_units_csv(self, notice_id, **kw):
        """The notice's units with the quantities last reported: fill in, upload back."""
        notice = request.env["recall.notice"].browse(notice_id)
        try:
            notice_sudo = notice._portal_check_consignee()
        except (AccessError, MissingError):
            return request.redirect("/my")
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([*CSV_COLUMNS, "product", "shipped"])
        for unit in notice_sudo._portal_units():
            writer.writerow(
                [
                    _csv_safe(unit["lot_name"]),
                    *(f"{unit[key]:g}" for key in QTY_KEYS),
                    _csv_safe(unit["product_name"]),
                    f"{unit['shipped']:g}",
                ]
            )
        content = buffer.getvalue().encode("utf-8-sig")
        filename = re.sub(r"[^\w.-]+", "_", notice_sudo.name) + "_units.csv"
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )

    # ------------------------------------------------------------------ answers (POST)

    def _recall_answer(self, notice_id, action, success, anchor, form=None, **kw):
        """Run ``action(notice)`` (all or nothing) and redirect, or show the page again with
        the error and the values the user typed."""
        notice = request.env["recall.notice"].browse(notice_id)
        try:
            action(notice)
        except (AccessError, MissingError):
            request.env.cr.rollback()
            return request.redirect("/my")
        except UserError as exc:
            # all or nothing: undo whatever the answer wrote before it was refused (a whole
            # transaction rollback rather than a savepoint, which would seal early)
            request.env.cr.rollback()
            notice_sudo = notice.sudo()
            values = self._recall_page_values(
                notice_sudo, page=kw.get("page") or 1, search=kw.get("search"),
                error=exc.args[0], form=form,
            )
            values["error_anchor"] = anchor
            return request.render("partner_portal.portal_recall_page", values, status=400)
        query = {"message": success}
        if kw.get("search"):
            query["search"] = kw["search"]
        page = kw.get("page")
        path = f"/my/recalls/{notice_id}"
        if page and str(page).isdigit() and int(page) > 1:
            path += f"/page/{int(page)}"
        return request.redirect(f"{path}?{url_encode(query)}#{anchor}")

    @http.route("/my/recalls/<int:notice_id>/acknowledge", type="http", auth="user",
                methods=["POST"], website=True)
    def portal_my_recall_acknowledge(self, notice_id, password=None, confirm=None, **kw):
        def action(notice):
            if confirm != "on":
                # check access before telling anything about the notice
                notice._portal_check_consignee()
                raise UserError(
                    request.env._(
                        "Tick the box to confirm that you read the notice and sign its "
                        "acknowledgement."
                    )
                )
            notice._portal_acknowledge(password or "", channel="portal")

        return self._recall_answer(notice_id, action, "acknowledged", "acknowledge")

    @http.route("/my/recalls/<int:notice_id>/report", type="http", auth="user",
                methods=["POST"], website=True)
    def portal_my_recall_report(self, notice_id, note=None, **post):
        form = {key: value for key, value in post.items() if key.startswith("qty_")}
        form["note"] = note or ""

        def action(notice):
            notice_sudo = notice._portal_check_consignee()
            reports = _parse_quantity_form(notice_sudo, post)
            notice._portal_report(reports, channel="portal", note=note)

        return self._recall_answer(notice_id, action, "reported", "units", form=form,
                                   page=post.get("page"), search=post.get("search"))

    @http.route("/my/recalls/<int:notice_id>/report_csv", type="http", auth="user",
                methods=["POST"], website=True)
    def portal_my_recall_report_csv(self, notice_id, report_file=None, note=None, **kw):
        def action(notice):
            notice._portal_check_consignee()
            reports = _parse_quantity_csv(report_file)
            notice._portal_report(reports, channel="portal", note=note)

        return self._recall_answer(notice_id, action, "reported", "units")

    @http.route("/my/recalls/<int:notice_id>/evidence", type="http", auth="user",
                methods=["POST"], website=True)
    def portal_my_recall_evidence_upload(self, notice_id, note=None, **kw):
        files = [
            (upload.filename, upload.read())
            for upload in request.httprequest.files.getlist("files")
            if upload and upload.filename
        ]

        def action(notice):
            notice._portal_attach_evidence(files, note=note, channel="portal")

        return self._recall_answer(notice_id, action, "evidence", "evidence",
                                   form={"evidence_note": note or ""})

    @http.route("/my/recalls/<int:notice_id>/return", type="http", auth="user",
                methods=["POST"], website=True)
    def portal_my_recall_return(self, notice_id, note=None, **kw):
        def action(notice):
            notice._portal_request_return(note=note)

        return self._recall_answer(notice_id, action, "return", "return",
                                   form={"return_note": note or ""})

    @http.route("/my/recalls/<int:notice_id>/onward", type="http", auth="user",
                methods=["POST"], website=True)
    def portal_my_recall_onward(self, notice_id, note=None, **post):
        rows = onward_form_rows(post, ONWARD_FORM_ROWS)
        form = {key: value for key, value in post.items() if key.startswith("onward_")}
        form["onward_note"] = note or ""

        def action(notice):
            notice._portal_check_consignee()
            if not rows:
                raise UserError(request.env._("Fill in at least one onward shipment."))
            notice._portal_report_onward(rows, channel="portal", note=note)

        return self._recall_answer(notice_id, action, "onward", "onward", form=form)

    @http.route("/my/recalls/<int:notice_id>/invite", type="http", auth="public",
                methods=["POST"], website=True)
    def portal_my_recall_invite(self, notice_id, access_token=None, email=None, **kw):
        """A visitor with the mail's link asks for an invitation: it goes to ``email`` only if
        that address is a contact of the consignee; the answer is the same either way."""
        try:
            notice_sudo = self._recall_check_access(notice_id, access_token)
        except RecallLinkExpired:
            return self._recall_link_expired_page(notice_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if not access_token or not consteq(notice_sudo.access_token or "", access_token):
            return request.redirect("/my")
        message = "invited"
        if isinstance(email, str) and len(email) <= 254:
            if self._recall_invite_allowed(notice_sudo, email):
                notice_sudo._portal_invite_address(email)
            else:
                message = "invite_wait"
        query = url_encode({"access_token": access_token, "message": message})
        return request.redirect(f"/my/recalls/{notice_id}?{query}#acknowledge")

    def _recall_invite_allowed(self, notice_sudo, email):
        """Rate limits of the anonymous invitation requests (settings
        ``partner_portal.invite_interval_minutes``, ``partner_portal.invite_per_ip_per_hour``)."""
        interval = notice_sudo._portal_setting(INVITE_INTERVAL_PARAM, INVITE_INTERVAL_MINUTES)
        per_ip = notice_sudo._portal_setting(INVITE_PER_IP_PARAM, INVITE_PER_IP)
        return request.env["recall.notice.invite.request"]._portal_allow(
            notice_sudo, email, request.httprequest.remote_addr, interval, per_ip
        )


def _csv_safe(value):
    """A text cell that spreadsheet programs will not run as a formula."""
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _parse_number(text, what, lot_name, errors):
    text = (text or "").strip().replace(",", ".") if isinstance(text, str) else text
    if text in ("", None):
        return 0.0
    try:
        value = float(text)
    except (TypeError, ValueError):
        errors.append(
            request.env._("%(lot)s: %(what)s %(value)s is not a number", lot=lot_name, what=what,
                          value=str(text)[:20])
        )
        return None
    if not math.isfinite(value):
        errors.append(request.env._("%(lot)s: %(what)s is not a number", lot=lot_name,
                                    what=what))
        return None
    return value


def _quantity_labels():
    _ = request.env._
    return {
        "qty_on_hand": _("on hand"),
        "qty_used": _("used"),
        "qty_returned": _("returned"),
        "qty_destroyed": _("destroyed"),
    }


def _parse_quantity_form(notice_sudo, post):
    """Report rows of the quantities form (``qty_on_hand-<lot id>`` ...): the lots whose
    figures differ from the last report (the form shows the last report's figures)."""
    labels = _quantity_labels()
    lots, _by_name = notice_sudo._portal_lot_ids()
    latest = notice_sudo._recall_latest_reports()
    submitted, errors = {}, []
    for name, raw in post.items():
        key, sep, lot_key = name.partition("-")
        if key not in QTY_KEYS or not sep:
            continue
        if not lot_key.isdigit() or int(lot_key) not in lots:
            errors.append(
                request.env._("lot/serial %(lot)s is not in this notice", lot=lot_key[:20])
            )
            continue
        lot = lots[int(lot_key)]
        value = _parse_number(raw, labels[key], lot.name, errors)
        submitted.setdefault(lot.id, {})[key] = value
    if errors:
        raise UserError(request.env._("Nothing was recorded: %(errors)s.",
                                      errors="; ".join(errors[:20])))
    reports = []
    for lot_id, values in submitted.items():
        report = latest.get((notice_sudo.id, lot_id))
        current = {key: (report[key] if report else 0.0) for key in QTY_KEYS}
        row = {key: values.get(key, current[key]) for key in QTY_KEYS}
        if any(abs(row[key] - current[key]) > 1e-9 for key in QTY_KEYS):
            reports.append({"lot_id": lot_id, **row})
    if not reports:
        raise UserError(
            request.env._(
                "Nothing to record: change the quantities of at least one lot or serial."
            )
        )
    return reports


def _parse_quantity_csv(upload):
    """Report rows of an uploaded CSV (``lot,on_hand,used,returned,destroyed``)."""
    _ = request.env._
    if not upload or not getattr(upload, "filename", None):
        raise UserError(_("Choose the CSV file to upload."))
    content = upload.read(CSV_MAX_BYTES + 1)
    if len(content) > CSV_MAX_BYTES:
        raise UserError(_("The CSV file is larger than 2 MB; split it."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(_("The CSV file is not UTF-8 text.")) from None
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [cell.strip().lower() for cell in next(reader, [])]
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        raise UserError(
            _("The CSV file needs the columns %(columns)s (missing: %(missing)s).",
              columns=", ".join(CSV_COLUMNS), missing=", ".join(missing))
        )
    index = {column: header.index(column) for column in CSV_COLUMNS}
    labels = _quantity_labels()
    keys = dict(zip(CSV_COLUMNS[1:], QTY_KEYS, strict=True))
    reports, errors = [], []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(header):
            errors.append(_("line %(line)s has too few columns", line=number))
            continue
        lot = cells[index["lot"]].strip()
        if lot.startswith("'"):
            lot = lot[1:]
        row = {"lot": lot}
        for column, key in keys.items():
            value = _parse_number(cells[index[column]], labels[key], lot or f"#{number}", errors)
            row[key] = value if value is not None else 0.0
        reports.append(row)
        if len(reports) > 20000:
            raise UserError(_("The CSV file has more than 20,000 lines; split it."))
    if errors:
        raise UserError(_("Nothing was recorded: %(errors)s.", errors="; ".join(errors[:20])))
    if not reports:
        raise UserError(_("The CSV file has no lines to report."))
    return reports
