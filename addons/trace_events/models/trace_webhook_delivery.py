import json
import logging
import socket
import time
import uuid
from datetime import timedelta

import requests

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.audit_seal.models.audit_seal_key import ed25519_key_file
from odoo.addons.audit_seal.tools.key_file import KeyFileError

from ..lib import webhook
from ..tools.batch_purge import purge_in_batches

_logger = logging.getLogger(__name__)

#: Odoo configuration options of the webhook signing key (a key of its own, not the seal key)
CONFIG_KEY_FILE = "trace_webhook_private_key_file"
CONFIG_KEY_PASSPHRASE = "trace_webhook_private_key_passphrase"
DEMO_KEY_NAME = "trace_webhook_demo_ed25519.pem"
#: system parameters (Settings > Technical > System Parameters) and their defaults
PARAM_MAX_ATTEMPTS = "trace_events.webhook_max_attempts"
PARAM_BACKOFF = "trace_events.webhook_backoff_seconds"
PARAM_TIMEOUT = "trace_events.webhook_timeout_seconds"
PARAM_MAX_BYTES = "trace_events.webhook_max_payload_bytes"
PARAM_ALLOW_LOOPBACK = "trace_events.webhook_allow_loopback"
DEFAULTS = {
    PARAM_MAX_ATTEMPTS: 6,
    PARAM_BACKOFF: 60,
    PARAM_TIMEOUT: 10,
    PARAM_MAX_BYTES: 1024 * 1024,
}
BACKOFF_CAP = 6 * 3600
CHANNEL = "root.trace_webhook"
USER_AGENT = "UDI-Traceability-Webhook/1"


class DestinationUnresolved(UserError):
    """The destination's host name does not resolve now: a network error, retried."""


WEBHOOK_KEY_FILE = ed25519_key_file(
    CONFIG_KEY_FILE,
    CONFIG_KEY_PASSPHRASE,
    "trace_events",
    DEMO_KEY_NAME,
    _logger,
    "trace_events webhooks",
)


class TraceWebhookDelivery(models.Model):
    """One signed POST of a JSON payload to a webhook destination, with its attempts.

    Each attempt is one queue job (channel ``root.trace_webhook``). A failed attempt commits its
    log line and queues the next attempt after an exponential backoff (a RetryableJobError would
    roll the log line back with the job's transaction); after the configured number of failed
    attempts the delivery is a dead letter, which a traceability manager may send again.
    """

    _name = "trace.webhook.delivery"
    _description = "Webhook Delivery"
    _order = "id desc"
    _rec_name = "delivery_uuid"

    delivery_uuid = fields.Char(
        string="Delivery ID",
        required=True,
        readonly=True,
        index=True,
        copy=False,
        default=lambda self: str(uuid.uuid4()),
    )
    target_model = fields.Char(string="Destination Model", required=True, readonly=True)
    target_id = fields.Many2oneReference(
        string="Destination Record", model_field="target_model", required=True, readonly=True
    )
    target_name = fields.Char(string="Destination", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    kind = fields.Char(string="Event Kind", required=True, readonly=True, index=True)
    url = fields.Char(string="Destination URL", readonly=True)
    signing = fields.Selection(
        [("ed25519", "Ed25519"), ("hmac", "HMAC-SHA256")],
        string="Signing Method",
        readonly=True,
    )
    key_id = fields.Char(string="Key ID", readonly=True)
    body = fields.Text(string="Payload", readonly=True)
    body_size = fields.Integer(string="Payload Size (bytes)", readonly=True)
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("retrying", "Retrying"),
            ("delivered", "Delivered"),
            ("dead", "Dead Letter"),
            ("discarded", "Discarded"),
        ],
        required=True,
        default="queued",
        readonly=True,
        index=True,
    )
    attempt_count = fields.Integer(string="Attempts", readonly=True)
    round_start = fields.Integer(readonly=True, help="Attempts made before the last manual retry.")
    attempt_ids = fields.One2many(
        "trace.webhook.attempt", "delivery_id", string="Attempt Log", readonly=True
    )
    last_status_code = fields.Integer(readonly=True)
    last_error = fields.Char(readonly=True)
    next_attempt_at = fields.Datetime(string="Next Attempt", readonly=True)
    delivered_at = fields.Datetime(string="Delivered On", readonly=True)
    discarded_at = fields.Datetime(string="Discarded On", readonly=True)
    discarded_by_id = fields.Many2one("res.users", readonly=True, ondelete="set null")
    job_uuid = fields.Char(string="Job", readonly=True, copy=False)

    _target_index = models.Index("(target_model, target_id)")

    # ------------------------------------------------------------------ queueing

    @api.model
    def _enqueue(self, target, kind, payload):
        """Queue one signed delivery of ``payload`` (a JSON-serialisable dict) to ``target``.

        ``target`` is one record inheriting ``trace.webhook.target``; ``kind`` names the event
        (``recall.notice.issued``, ``epcis.events``...) and is sent as ``X-Trace-Event``.
        Returns the ``trace.webhook.delivery`` record (sudo). Raises UserError when the target
        has no valid destination or the payload exceeds the size limit.
        """
        target.ensure_one()
        target_sudo = target.sudo()
        if not target_sudo.webhook_url:
            raise UserError(
                self.env._(
                    "%(target)s has no destination URL: enter one before sending to it.",
                    target=target_sudo.display_name,
                )
            )
        self._check_destination(target_sudo.webhook_url, target_sudo)
        body = webhook.canonical_body(payload)
        limit = self._param_int(PARAM_MAX_BYTES)
        if len(body) > limit:
            raise UserError(
                self.env._(
                    "The %(kind)s payload for %(target)s has %(size)s bytes, more than the limit "
                    "of %(limit)s bytes (system parameter %(param)s). Send less per delivery.",
                    kind=kind,
                    target=target_sudo.display_name,
                    size=len(body),
                    limit=limit,
                    param=PARAM_MAX_BYTES,
                )
            )
        delivery = self.sudo().create(
            {
                "target_model": target._name,
                "target_id": target.id,
                "target_name": target_sudo._webhook_label(),
                "company_id": target_sudo.company_id.id or self.env.company.id,
                "kind": kind,
                "url": target_sudo.webhook_url,
                "signing": target_sudo.webhook_signing,
                "body": body.decode("utf-8"),
                "body_size": len(body),
            }
        )
        delivery._schedule_attempt()
        return delivery

    def _schedule_attempt(self, eta=None):
        for delivery in self:
            job = delivery.with_delay(
                channel=CHANNEL,
                eta=eta,
                max_retries=1,
                description=self.env._(
                    "Webhook %(kind)s to %(target)s",
                    kind=delivery.kind,
                    target=delivery.target_name,
                ),
            )._deliver_attempt()
            delivery.write(
                {"job_uuid": getattr(job, "uuid", False), "next_attempt_at": eta or False}
            )

    # ------------------------------------------------------------------ the job

    def _deliver_attempt(self):
        """The job: one POST attempt; logs it, then delivered, a retry later, or dead."""
        self.ensure_one()
        self = self.sudo()  # noqa: PLW0642 - the job runs as whoever queued it (a portal user)
        if self.state in ("delivered", "dead", "discarded"):
            return f"nothing to do: the delivery is {self.state}"
        target = self.env[self.target_model].sudo().with_context(active_test=False)
        target = target.browse(self.target_id).exists()
        if not target or not target.active:
            return self._record_attempt(
                {"error": "the destination was deleted or archived"}, final=True
            )
        try:
            self._check_destination(target.webhook_url, target, resolve=True)
        except DestinationUnresolved as exc:
            return self._record_attempt({"error": str(exc)[:500]})
        except UserError as exc:
            return self._record_attempt({"error": str(exc)[:500]}, final=True)
        try:
            outcome = self._post(target)
        except UserError as exc:  # no signing key or secret: nothing to send until fixed
            return self._record_attempt({"error": str(exc)[:500]}, final=True)
        return self._record_attempt(outcome)

    def _post(self, target):
        """POST the body, signed for this attempt. Returns the attempt's log values."""
        timestamp = int(time.time())
        body = self.body.encode("utf-8")
        key_id, signature = self._sign(target, timestamp, body)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            webhook.HEADER_DELIVERY: self.delivery_uuid,
            webhook.HEADER_EVENT: self.kind,
            webhook.HEADER_TIMESTAMP: str(timestamp),
            webhook.HEADER_KEY_ID: key_id,
            webhook.HEADER_SIGNATURE: signature,
        }
        timeout = self._param_int(PARAM_TIMEOUT)
        values = {"url": target.webhook_url, "key_id": key_id}
        start = time.monotonic()
        try:
            response = requests.post(
                target.webhook_url,
                data=body,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
            )
            response.close()
            values["status_code"] = response.status_code
            if not 200 <= response.status_code < 300:
                values["error"] = f"HTTP {response.status_code} {response.reason or ''}".strip()
        except requests.Timeout:
            values["error"] = f"no answer within {timeout} s (timeout)"
        except requests.RequestException as exc:
            values["error"] = f"network error: {type(exc).__name__}"
        values["duration_ms"] = int((time.monotonic() - start) * 1000)
        return values

    def _record_attempt(self, values, final=False):
        """Log one attempt and move the delivery on. Returns the job's result text."""
        self.ensure_one()
        number = self.attempt_count + 1
        self.env["trace.webhook.attempt"].sudo().create(
            {
                "delivery_id": self.id,
                "number": number,
                "url": values.get("url") or self.url,
                "key_id": values.get("key_id"),
                "status_code": values.get("status_code") or 0,
                "duration_ms": values.get("duration_ms") or 0,
                "error": values.get("error"),
            }
        )
        vals = {
            "attempt_count": number,
            "last_status_code": values.get("status_code") or 0,
            "last_error": values.get("error") or False,
            "next_attempt_at": False,
        }
        if values.get("key_id"):
            vals["key_id"] = values["key_id"]
        if not values.get("error"):
            vals.update(state="delivered", delivered_at=fields.Datetime.now())
            self.write(vals)
            return f"delivered on attempt {number} (HTTP {values['status_code']})"
        failures = number - self.round_start
        if final or failures >= self._param_int(PARAM_MAX_ATTEMPTS):
            vals["state"] = "dead"
            self.write(vals)
            _logger.warning(
                "webhook delivery %s to %s is a dead letter after %s attempts: %s",
                self.delivery_uuid,
                self.target_name,
                number,
                values.get("error"),
            )
            return f"dead letter after attempt {number}: {values.get('error')}"
        delay = self._backoff_seconds(failures)
        vals["state"] = "retrying"
        self.write(vals)
        self._schedule_attempt(eta=fields.Datetime.now() + timedelta(seconds=delay))
        return f"attempt {number} failed ({values.get('error')}); next in {delay} s"

    def _backoff_seconds(self, failures):
        """Exponential backoff: base, 2 x base, 4 x base... capped at 6 hours."""
        base = self._param_int(PARAM_BACKOFF)
        return min(base * 2 ** max(failures - 1, 0), BACKOFF_CAP)

    # ------------------------------------------------------------------ manager actions

    def action_retry(self):
        """Send dead letters again: a new round of attempts, starting now."""
        if not self.env.user.has_group("udi_master.group_trace_manager"):
            raise AccessError(
                self.env._("Only a traceability manager may send a webhook delivery again.")
            )
        return self._retry()

    def _retry(self):
        """Send dead letters again (the caller checked who may: a manager, a partner in the
        portal for its own endpoints)."""
        not_dead = self.filtered(lambda d: d.state != "dead")
        if not_dead:
            raise UserError(
                self.env._(
                    "Only dead letters can be sent again; %(ids)s are not dead letters.",
                    ids=", ".join(not_dead.mapped("delivery_uuid")),
                )
            )
        for delivery in self.sudo():
            delivery.write({"state": "retrying", "round_start": delivery.attempt_count})
            delivery._schedule_attempt()
        return True

    def action_discard(self):
        """Give up on dead letters: they are no longer sent, and are purged after the
        company's retention period, counted from now (kept until then as the record that a
        receiver never got them)."""
        if not self.env.user.has_group("udi_master.group_trace_manager"):
            raise AccessError(self.env._("Only a traceability manager may discard a dead letter."))
        not_dead = self.filtered(lambda d: d.state != "dead")
        if not_dead:
            raise UserError(
                self.env._(
                    "Only dead letters can be discarded; %(ids)s are not dead letters.",
                    ids=", ".join(not_dead.mapped("delivery_uuid")),
                )
            )
        self.sudo().write(
            {
                "state": "discarded",
                "discarded_at": fields.Datetime.now(),
                "discarded_by_id": self.env.uid,
            }
        )
        return True

    # ------------------------------------------------------------------ retention

    @api.model
    def _cron_purge_expired(self, batch_size=1000):
        """Delete, with their attempts, the deliveries past their company's retention period:
        delivered ones from their delivery, discarded dead letters from their discard. Queued
        and retrying deliveries and dead letters are never purged. Returns the count purged."""
        purged = 0
        companies = (
            self.env["res.company"].sudo().search([("trace_webhook_retention_days", ">", 0)])
        )
        for company in companies:
            count, finished = purge_in_batches(
                self.sudo(), self._purge_domain(company), self._purge_batch, batch_size
            )
            purged += count
            if not finished:
                break
        return purged

    @api.model
    def _purge_domain(self, company):
        cutoff = fields.Datetime.now() - timedelta(days=company.trace_webhook_retention_days)
        return [
            ("company_id", "=", company.id),
            "|",
            "&",
            ("state", "=", "delivered"),
            ("delivered_at", "<", cutoff),
            "&",
            ("state", "=", "discarded"),
            ("discarded_at", "<", cutoff),
        ]

    @api.model
    def _purge_batch(self, deliveries):
        """Delete these deliveries; their attempts go with them (ON DELETE CASCADE)."""
        deliveries.unlink()
        self.env.flush_all()

    # ------------------------------------------------------------------ signing

    def _sign(self, target, timestamp, body):
        """(key id, signature header) of ``body`` for ``target``'s signing method."""
        if target.webhook_signing == "hmac":
            secret = target.sudo().webhook_secret
            if not secret:
                raise UserError(
                    self.env._(
                        "%(target)s signs with HMAC but has no secret: enter one.",
                        target=target.display_name,
                    )
                )
            return webhook.hmac_key_id(secret), webhook.sign_hmac(secret, timestamp, body)
        signer = self.env["trace.webhook.key"]._key_signer()
        return signer.key_id, webhook.sign_ed25519(signer.private_key, timestamp, body)

    @api.model
    def _webhook_signer(self):
        """The Ed25519 webhook key, read from ``trace_webhook_private_key_file``.

        The same handling as the seal key (audit_seal's tools/key_file.py): a file outside the
        database, named in the Odoo configuration; without it, a demo key generated once per
        database in the filestore. A key of its own: it signs outbound traffic to many
        receivers and may be rotated on its own schedule, and its compromise never forges a
        ledger checkpoint.
        """
        try:
            return WEBHOOK_KEY_FILE.get(self.env.cr.dbname)
        except KeyFileError as exc:
            if exc.stage == "read":
                message = self.env._(
                    "The webhook signing key file %(path)s cannot be read (%(error)s). Check the "
                    "%(option)s option of the Odoo configuration.",
                    path=exc.path,
                    error=exc.error,
                    option=CONFIG_KEY_FILE,
                )
            else:
                message = self.env._(
                    "The webhook signing key file %(path)s cannot be used: %(error)s",
                    path=exc.path,
                    error=exc.error,
                )
            raise UserError(message) from exc

    @api.model
    def _public_keys(self):
        """The JSON Web Key Set of the webhook signing keys: the current key and the previous
        ones still published (public halves only; see trace.webhook.key)."""
        return self.env["trace.webhook.key"].sudo()._key_set()

    # ------------------------------------------------------------------ destination check

    @api.model
    def _check_destination(self, url, target=None, resolve=False):
        """Refuse a URL that is not http(s) or whose host is a forbidden address (SSRF).

        Literal addresses are always checked; host names are resolved when ``resolve`` (at
        delivery time) and every address they resolve to must be allowed. Loopback is allowed
        only when the system parameter ``trace_events.webhook_allow_loopback`` is set.
        """
        name = target.display_name if target else url
        try:
            _scheme, host, port = webhook.split_destination(url)
        except webhook.DestinationError as exc:
            raise UserError(self._destination_message(exc, url, name)) from exc
        allow_loopback = self._param_bool(PARAM_ALLOW_LOOPBACK)
        addresses = []
        literal = webhook.literal_address(host)
        if literal:
            addresses = [literal]
        elif resolve or host.lower().rstrip(".") in ("localhost", "localhost.localdomain"):
            try:
                infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
            except (OSError, UnicodeError) as exc:
                raise DestinationUnresolved(
                    self.env._(
                        "The host of %(url)s (%(target)s) does not resolve: %(error)s",
                        url=url,
                        target=name,
                        error=exc,
                    )
                ) from exc
            addresses = sorted({info[4][0] for info in infos})
        for address in addresses:
            reason = webhook.forbidden_address(address, allow_loopback)
            if reason:
                raise UserError(
                    self.env._(
                        "%(url)s (%(target)s) resolves to %(address)s, a %(reason)s address: "
                        "webhooks go only to public addresses. Enter the receiver's public URL.",
                        url=url,
                        target=name,
                        address=address,
                        reason=reason,
                    )
                )
        return True

    def _destination_message(self, exc, url, name):
        if exc.code == "scheme":
            return self.env._(
                "%(url)s (%(target)s) is not an http:// or https:// URL: webhooks are sent only "
                "over HTTP(S). Enter an https:// address.",
                url=url,
                target=name,
            )
        if exc.code == "credentials":
            return self.env._(
                "%(url)s (%(target)s) carries a user name or password: remove them from the URL "
                "(deliveries are signed instead).",
                url=url,
                target=name,
            )
        return self.env._(
            "%(url)s (%(target)s) is not a valid URL (%(detail)s). Enter an https:// address.",
            url=url,
            target=name,
            detail=exc.detail,
        )

    # ------------------------------------------------------------------ settings

    @api.model
    def _param_int(self, key):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            number = int(value) if value else DEFAULTS[key]
        except ValueError:
            number = DEFAULTS[key]
        return max(number, 1)

    @api.model
    def _param_bool(self, key):
        value = self.env["ir.config_parameter"].sudo().get_param(key) or ""
        return value.strip().lower() in ("1", "true", "yes")

    def _payload(self):
        self.ensure_one()
        return json.loads(self.body or "{}")
