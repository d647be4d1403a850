"""A distributor's own webhook endpoints, set up and managed in the portal (``/my/webhooks``).

Portal users read their commercial entity's endpoints under a record rule; every change goes
through the ``_portal_*`` methods below, which check that rule first, validate the whole form
(the backend's destination check, https only, the kinds an endpoint supports) and then write as
the system: portal users have no write access of their own.
"""

import ipaddress
import re
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError

from odoo.addons.trace_events.lib import webhook

#: what an endpoint may receive, by the form's value: only what ``trace.webhook.endpoint``
#: supports (the events of shipped units are EPCIS subscriptions, set up over /epcis/queries)
PORTAL_KINDS = ("recall_notices",)
#: the event kind of a test delivery (``X-Trace-Event``)
TEST_KIND = "webhook.test"
#: settings (ir.config_parameter) bounding what a partner may do, and their defaults
MAX_ENDPOINTS_PARAM = "partner_portal.webhook_max_endpoints"
MAX_ENDPOINTS = 10
TESTS_PER_PARTNER_PARAM = "partner_portal.webhook_tests_per_hour"
TESTS_PER_PARTNER = 10
TESTS_PER_HOST_PARAM = "partner_portal.webhook_tests_per_host_per_hour"
TESTS_PER_HOST = 30
NAME_MAX = 100
URL_MAX = 2000
NOTE_MAX = 1000
#: an IPv4 or IPv6 address in an error text
ADDRESS_RE = re.compile(
    r"\[?([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}|\d{1,3}(?:\.\d{1,3}){3})\]?"
)


class TraceWebhookEndpoint(models.Model):
    _inherit = "trace.webhook.endpoint"

    # ------------------------------------------------------------------ access

    @api.model
    def _portal_entity(self):
        """The commercial entity of the portal user, whose endpoints they manage; AccessError
        for anyone else (internal users manage endpoints in the backend)."""
        user = self.env.user
        if not user._is_portal():
            raise AccessError(self.env._("Only portal users manage their webhooks here."))
        return user.commercial_partner_id

    @api.model
    def _portal_endpoints(self):
        """The entity's endpoints (enabled or not), under the portal record rule."""
        entity = self._portal_entity()
        return self.with_context(active_test=False).search(
            [("partner_id", "=", entity.id)], order="name, id"
        )

    def _portal_check(self):
        """This endpoint, as the system, if it is the portal user's entity's; else raise
        MissingError (the controller answers 404 to anyone else)."""
        self.ensure_one()
        entity = self._portal_entity()
        endpoint = self.with_context(active_test=False).exists()
        if not endpoint or not endpoint.has_access("read"):
            raise MissingError(self.env._("This webhook endpoint does not exist."))
        endpoint_sudo = endpoint.sudo()
        if endpoint_sudo.partner_id != entity:
            raise MissingError(self.env._("This webhook endpoint does not exist."))
        return endpoint_sudo

    # ------------------------------------------------------------------ form

    @api.model
    def _portal_form_values(self, form):
        """The endpoint values of a portal form ({name, url, kinds, signing, note}), every
        field checked; UserError naming the first wrong field otherwise."""
        _ = self.env._
        url = (form.get("url") or "").strip()
        if not url:
            raise UserError(_("Enter the https:// address of your receiver."))
        if len(url) > URL_MAX:
            raise UserError(_("The address is longer than %(max)s characters.", max=URL_MAX))
        Delivery = self.env["trace.webhook.delivery"]
        try:
            scheme, host, _port = webhook.split_destination(url)
        except webhook.DestinationError:
            scheme = None
        if scheme == "http":
            raise UserError(
                _(
                    "%(url)s is not an https:// address: deliveries to partners go only over "
                    "HTTPS. Enter the https:// address of your receiver.",
                    url=url,
                )
            )
        # the backend's destination check (scheme, credentials, forbidden addresses)
        Delivery._check_destination(url)
        kinds = form.get("kinds") or []
        unknown = [kind for kind in kinds if kind not in PORTAL_KINDS]
        if unknown:
            raise UserError(
                _(
                    "%(kind)s is not something an endpoint can receive; choose recall notices.",
                    kind=str(unknown[0])[:50],
                )
            )
        if not kinds:
            raise UserError(_("Choose what the endpoint receives."))
        signing = form.get("signing") or "ed25519"
        if signing not in ("ed25519", "hmac"):
            raise UserError(_("Choose Ed25519 or HMAC-SHA256 as the signing method."))
        name = (form.get("name") or "").strip() or host
        note = (form.get("note") or "").strip()
        if len(name) > NAME_MAX or len(note) > NOTE_MAX:
            raise UserError(
                _(
                    "The name has at most %(name)s characters and the note at most %(note)s.",
                    name=NAME_MAX,
                    note=NOTE_MAX,
                )
            )
        return {
            "name": name,
            "webhook_url": url,
            "push_recall_notices": "recall_notices" in kinds,
            "webhook_signing": signing,
            "note": note or False,
        }

    @api.model
    def _portal_create(self, form):
        """A new endpoint of the portal user's entity. Returns (endpoint as the system, the
        HMAC secret to show once, or False)."""
        entity = self._portal_entity()
        vals = self._portal_form_values(form)
        limit = self._portal_setting(MAX_ENDPOINTS_PARAM, MAX_ENDPOINTS)
        if len(self._portal_endpoints()) >= limit:
            raise UserError(
                self.env._(
                    "%(partner)s has %(count)s webhook endpoints already, the most allowed: "
                    "delete one before adding another.",
                    partner=entity.display_name,
                    count=limit,
                )
            )
        endpoint = self.sudo().create(
            dict(vals, partner_id=entity.id, company_id=self.env.user.company_id.id)
        )
        return endpoint, endpoint.webhook_signing == "hmac" and endpoint.webhook_secret

    def _portal_update(self, form):
        """Change the endpoint from the portal form. Returns the new HMAC secret to show once
        when the form switched to HMAC, else False."""
        endpoint = self._portal_check()
        vals = self._portal_form_values(form)
        to_hmac = vals["webhook_signing"] == "hmac" and endpoint.webhook_signing != "hmac"
        if vals["webhook_signing"] == "ed25519":
            vals["webhook_secret"] = False
        elif to_hmac:
            vals["webhook_secret"] = self._webhook_new_secret()
        endpoint.write(vals)
        return to_hmac and endpoint.webhook_secret

    def _portal_set_active(self, active):
        self._portal_check().write({"active": bool(active)})

    def _portal_rotate_secret(self):
        """A new HMAC secret (the old one stops verifying at once). Returns it, to show once."""
        endpoint = self._portal_check()
        if endpoint.webhook_signing != "hmac":
            raise UserError(
                self.env._(
                    "%(endpoint)s signs with Ed25519, which has no secret to rotate.",
                    endpoint=endpoint.name,
                )
            )
        endpoint.webhook_secret = self._webhook_new_secret()
        return endpoint.webhook_secret

    def _portal_delete(self):
        """Delete the endpoint; its deliveries stay in the suite's log under its name."""
        self._portal_check().unlink()

    # ------------------------------------------------------------------ deliveries

    def _portal_deliveries(self, offset=0, limit=None):
        """(the endpoint's deliveries as the system, newest first; their count)."""
        endpoint = self._portal_check()
        Delivery = self.env["trace.webhook.delivery"].sudo()
        domain = [("target_model", "=", self._name), ("target_id", "=", endpoint.id)]
        return (
            Delivery.search(domain, offset=offset, limit=limit),
            Delivery.search_count(domain),
        )

    def _portal_send_test(self):
        """Queue one real signed test delivery to the endpoint. Bounded per partner and per
        receiving host (settings ``partner_portal.webhook_tests_per_hour`` and
        ``partner_portal.webhook_tests_per_host_per_hour``): a partner cannot flood anyone."""
        endpoint = self._portal_check()
        if not endpoint.active:
            raise UserError(
                self.env._(
                    "%(endpoint)s is disabled: enable it to send it a test delivery.",
                    endpoint=endpoint.name,
                )
            )
        self._portal_check_test_rate(endpoint)
        payload = {
            "kind": TEST_KIND,
            "occurred_at": fields.Datetime.to_string(fields.Datetime.now()),
            "company": endpoint.company_id.name,
            "consignee": {"id": endpoint.partner_id.id, "name": endpoint.partner_id.name},
            "endpoint": endpoint.name,
            "requested_by": self.env.user.name,
            "message": "Test delivery: your receiver verified the signature if it accepts it.",
        }
        return self.env["trace.webhook.delivery"]._enqueue(endpoint, TEST_KIND, payload)

    def _portal_check_test_rate(self, endpoint):
        since = fields.Datetime.now() - timedelta(hours=1)
        recent = (
            self.env["trace.webhook.delivery"]
            .sudo()
            .search_read(
                [
                    ("kind", "=", TEST_KIND),
                    ("target_model", "=", self._name),
                    ("create_date", ">=", since),
                ],
                ["target_id", "url"],
            )
        )
        own_ids = set(self.sudo()._portal_entity_endpoint_ids(endpoint.partner_id))
        host = _host(endpoint.webhook_url)
        per_partner = sum(1 for row in recent if row["target_id"] in own_ids)
        per_host = sum(1 for row in recent if _host(row["url"]) == host)
        if per_partner >= self._portal_setting(TESTS_PER_PARTNER_PARAM, TESTS_PER_PARTNER) or (
            per_host >= self._portal_setting(TESTS_PER_HOST_PARAM, TESTS_PER_HOST)
        ):
            raise UserError(
                self.env._(
                    "Too many test deliveries in the last hour (%(count)s for your company, "
                    "%(host_count)s to %(host)s): wait before sending another.",
                    count=per_partner,
                    host_count=per_host,
                    host=host,
                )
            )

    @api.model
    def _portal_entity_endpoint_ids(self, entity):
        return self.with_context(active_test=False).search([("partner_id", "=", entity.id)]).ids

    def _portal_retry(self, delivery_id):
        """Send the endpoint's dead letter ``delivery_id`` again."""
        endpoint = self._portal_check()
        delivery = (
            self.env["trace.webhook.delivery"]
            .sudo()
            .search(
                [
                    ("id", "=", int(delivery_id)),
                    ("target_model", "=", self._name),
                    ("target_id", "=", endpoint.id),
                ]
            )
        )
        if not delivery:
            raise MissingError(self.env._("This delivery does not exist."))
        if delivery.state != "dead":
            raise UserError(
                self.env._(
                    "Delivery %(delivery)s is not a dead letter: only those can be sent again.",
                    delivery=delivery.delivery_uuid,
                )
            )
        if not endpoint.active:
            raise UserError(
                self.env._(
                    "%(endpoint)s is disabled: enable it to send deliveries again.",
                    endpoint=endpoint.name,
                )
            )
        delivery._retry()
        return delivery

    # ------------------------------------------------------------------ display

    @api.model
    def _portal_key_id(self):
        """The published key id of Ed25519 signatures, or False when the key is unusable."""
        try:
            return self.env["trace.webhook.delivery"].sudo()._webhook_signer().key_id
        except UserError:
            return False

    def _portal_last_deliveries(self):
        """{endpoint id: its newest delivery (as the system)}."""
        Delivery = self.env["trace.webhook.delivery"].sudo()
        last = {}
        for endpoint in self:
            last[endpoint.id] = Delivery.search(
                [("target_model", "=", self._name), ("target_id", "=", endpoint.id)], limit=1
            )
        return last

    @api.model
    def _portal_error(self, error):
        """A delivery's error as the portal shows it: the non-public addresses a host name
        resolved to are hidden (a partner does not learn the suite's internal networks)."""

        def hide(match):
            try:
                address = str(ipaddress.ip_address(match.group(1)))
            except ValueError:
                return match.group(0)
            return "[hidden]" if webhook.forbidden_address(address) else match.group(0)

        return ADDRESS_RE.sub(hide, error or "")

    @api.model
    def _portal_setting(self, param, default):
        """A positive integer setting (ir.config_parameter), else ``default``."""
        value = self.env["ir.config_parameter"].sudo().get_param(param)
        try:
            value = int(value)
        except (TypeError, ValueError):
            return default
        return value if value > 0 else default


def _host(url):
    try:
        return webhook.split_destination(url)[1].lower()
    except webhook.DestinationError:
        return None
