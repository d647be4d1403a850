"""A distributor's webhook endpoints in the portal: ``/my/webhooks``.

Only portal users of the endpoint's commercial entity reach an endpoint: anyone else gets a 404
for every page and every form post. The routes parse the forms and call the endpoint's
``_portal_*`` methods, which check access again and validate everything. An HMAC secret is
shown once, in the answer to the form that created or rotated it, and never again.
"""

from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools.translate import LazyTranslate

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.trace_webhook_endpoint_portal import PORTAL_KINDS

#: deliveries per page of an endpoint's log
DELIVERIES_PER_PAGE = 30
KEYS_PATH = "/trace/webhook/keys"
_lt = LazyTranslate(__name__)
MESSAGES = {
    "created": _lt("The endpoint is saved."),
    "saved": _lt("Your changes are saved."),
    "enabled": _lt("The endpoint is enabled: it receives deliveries again."),
    "disabled": _lt("The endpoint is disabled: nothing is sent to it until you enable it."),
    "deleted": _lt("The endpoint is deleted."),
    "test": _lt("A test delivery is queued: its result shows in the log below."),
    "retried": _lt("The delivery is queued again."),
}


class WebhookPortal(CustomerPortal):
    # ------------------------------------------------------------------ home

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if not request.env.user._is_portal():
            return values
        count = len(request.env["trace.webhook.endpoint"]._portal_endpoints())
        if "webhook_count" in counters:
            values["webhook_count"] = count
        if not counters:  # the home page itself: the card shows even without endpoints
            values["webhook_card_count"] = count
        return values

    # ------------------------------------------------------------------ helpers

    def _webhook_endpoint(self, endpoint_id):
        """The portal user's endpoint ``endpoint_id`` (as the system), else raise."""
        return request.env["trace.webhook.endpoint"].browse(endpoint_id)._portal_check()

    def _webhook_form(self, post):
        form = {key: post.get(key) or "" for key in ("name", "url", "signing", "note")}
        form["kinds"] = request.httprequest.form.getlist("kinds")
        return form

    def _webhook_common_values(self):
        Endpoint = request.env["trace.webhook.endpoint"]
        return {
            "key_id": Endpoint._portal_key_id(),
            "keys_url": request.httprequest.host_url.rstrip("/") + KEYS_PATH,
            "kinds": PORTAL_KINDS,
        }

    def _webhook_render(self, template, values, status=200, secret=None):
        response = request.render(template, values, status=status)
        if secret:
            # the secret is shown once: never keep this answer anywhere
            response.headers["Cache-Control"] = "no-store"
        return response

    def _webhook_page_values(
        self, endpoint_sudo, page=1, message=None, error=None, form=None, secret=None
    ):
        pager = portal_pager(
            url=f"/my/webhooks/{endpoint_sudo.id}",
            total=endpoint_sudo._portal_deliveries(limit=1)[1],
            page=page,
            step=DELIVERIES_PER_PAGE,
        )
        deliveries, _count = endpoint_sudo._portal_deliveries(
            offset=pager["offset"], limit=DELIVERIES_PER_PAGE
        )
        values = self._prepare_portal_layout_values()
        values.update(self._webhook_common_values())
        values.update(
            {
                "page_name": "webhook",
                "endpoint": endpoint_sudo,
                "deliveries": deliveries,
                "pager": pager,
                "message": str(MESSAGES[message]) if message in MESSAGES else None,
                "error": error,
                "form": form or _endpoint_form(endpoint_sudo),
                "secret": secret,
            }
        )
        return values

    def _webhook_action(self, endpoint_id, action, success, anchor="", **post):
        """Run ``action(endpoint)`` and redirect to the endpoint's page with ``success``, or show
        the page again with the error (400), or 404 when the endpoint is not the user's."""
        Endpoint = request.env["trace.webhook.endpoint"]
        try:
            result = action(Endpoint.browse(endpoint_id))
        except (AccessError, MissingError):
            request.env.cr.rollback()
            return request.not_found()
        except UserError as exc:
            request.env.cr.rollback()
            endpoint_sudo = self._webhook_endpoint(endpoint_id)
            values = self._webhook_page_values(
                endpoint_sudo, error=exc.args[0], form=post.get("form")
            )
            return self._webhook_render("partner_portal.portal_webhook_page", values, status=400)
        if isinstance(result, str):  # a new HMAC secret: shown in this answer only
            endpoint_sudo = self._webhook_endpoint(endpoint_id)
            values = self._webhook_page_values(endpoint_sudo, message=success, secret=result)
            return self._webhook_render("partner_portal.portal_webhook_page", values, secret=result)
        url = "/my/webhooks" if success == "deleted" else f"/my/webhooks/{endpoint_id}"
        return request.redirect(f"{url}?{url_encode({'message': success})}{anchor}")

    # ------------------------------------------------------------------ pages

    @http.route("/my/webhooks", type="http", auth="user", website=True)
    def portal_my_webhooks(self, message=None, **kw):
        Endpoint = request.env["trace.webhook.endpoint"]
        try:
            endpoints = Endpoint._portal_endpoints()
        except AccessError:
            return request.not_found()
        values = self._prepare_portal_layout_values()
        values.update(self._webhook_common_values())
        values.update(
            {
                "page_name": "webhooks",
                "endpoints": endpoints.sudo(),
                "last_deliveries": endpoints.sudo()._portal_last_deliveries(),
                "message": str(MESSAGES[message]) if message in MESSAGES else None,
            }
        )
        return request.render("partner_portal.portal_my_webhooks", values)

    @http.route("/my/webhooks/new", type="http", auth="user", website=True)
    def portal_my_webhook_new(self, **post):
        Endpoint = request.env["trace.webhook.endpoint"]
        try:
            Endpoint._portal_entity()
        except AccessError:
            return request.not_found()
        values = self._prepare_portal_layout_values()
        values.update(self._webhook_common_values())
        values.update(
            {
                "page_name": "webhook_new",
                "error": None,
                "form": {"kinds": list(PORTAL_KINDS), "signing": "ed25519"},
            }
        )
        if request.httprequest.method != "POST":
            return request.render("partner_portal.portal_webhook_new", values)
        form = self._webhook_form(post)
        try:
            endpoint, secret = Endpoint._portal_create(form)
        except AccessError:
            request.env.cr.rollback()
            return request.not_found()
        except UserError as exc:
            request.env.cr.rollback()
            values.update({"error": exc.args[0], "form": form})
            return request.render("partner_portal.portal_webhook_new", values, status=400)
        if secret:
            values = self._webhook_page_values(endpoint, message="created", secret=secret)
            return self._webhook_render("partner_portal.portal_webhook_page", values, secret=secret)
        return request.redirect(f"/my/webhooks/{endpoint.id}?message=created")

    @http.route(
        ["/my/webhooks/<int:endpoint_id>", "/my/webhooks/<int:endpoint_id>/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
    )
    def portal_my_webhook(self, endpoint_id, page=1, message=None, **kw):
        try:
            endpoint_sudo = self._webhook_endpoint(endpoint_id)
        except (AccessError, MissingError):
            return request.not_found()
        values = self._webhook_page_values(endpoint_sudo, page=page, message=message)
        return request.render("partner_portal.portal_webhook_page", values)

    # ------------------------------------------------------------------ forms (POST)

    @http.route(
        "/my/webhooks/<int:endpoint_id>/edit",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_webhook_edit(self, endpoint_id, **post):
        form = self._webhook_form(post)
        return self._webhook_action(
            endpoint_id, lambda endpoint: endpoint._portal_update(form), "saved", form=form
        )

    @http.route(
        "/my/webhooks/<int:endpoint_id>/toggle",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_webhook_toggle(self, endpoint_id, active=None, **post):
        enable = active == "1"

        def action(endpoint):
            endpoint._portal_set_active(enable)

        return self._webhook_action(endpoint_id, action, "enabled" if enable else "disabled")

    @http.route(
        "/my/webhooks/<int:endpoint_id>/rotate",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_webhook_rotate(self, endpoint_id, **post):
        return self._webhook_action(
            endpoint_id, lambda endpoint: endpoint._portal_rotate_secret(), "saved"
        )

    @http.route(
        "/my/webhooks/<int:endpoint_id>/delete",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_webhook_delete(self, endpoint_id, **post):
        return self._webhook_action(
            endpoint_id, lambda endpoint: endpoint._portal_delete(), "deleted"
        )

    @http.route(
        "/my/webhooks/<int:endpoint_id>/test",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_webhook_test(self, endpoint_id, **post):
        def action(endpoint):
            endpoint._portal_send_test()

        return self._webhook_action(endpoint_id, action, "test", anchor="#deliveries")

    @http.route(
        "/my/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/retry",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_webhook_retry(self, endpoint_id, delivery_id, **post):
        def action(endpoint):
            endpoint._portal_retry(delivery_id)

        return self._webhook_action(endpoint_id, action, "retried", anchor="#deliveries")


def _endpoint_form(endpoint_sudo):
    """The edit form's values of an endpoint."""
    return {
        "name": endpoint_sudo.name,
        "url": endpoint_sudo.webhook_url or "",
        "signing": endpoint_sudo.webhook_signing,
        "note": endpoint_sudo.note or "",
        "kinds": ["recall_notices"] if endpoint_sudo.push_recall_notices else [],
    }
