"""The public webhook signing keys, current and previous, as published at /trace/webhook/keys.

The private key is a file outside the database (``trace_webhook_private_key_file``). Rotating it
means installing a new file there: the new key is registered at its first use (the next signed
delivery, the next request of the key set, or a manager's Rotate Key), and the key it replaces
is retired at that moment. A retired key stays published for the overlap period (system
parameter ``trace_events.webhook_key_overlap_days``) with its ``not_after``, so that receivers
still verify what it signed. The registry is append-only, as the seal's key registry: rows are
never deleted and only the retirement time is set, once (audit_seal's key-table trigger).
"""

import base64
import calendar
import logging
import os
import tempfile
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.audit_seal.lib.keys import generate_private_key_pem, public_b64, public_raw
from odoo.addons.audit_seal.tools import seal_sql

from ..lib import webhook
from .trace_webhook_delivery import CONFIG_KEY_FILE, WEBHOOK_KEY_FILE

_logger = logging.getLogger(__name__)

PARAM_OVERLAP = "trace_events.webhook_key_overlap_days"
DEFAULT_OVERLAP_DAYS = 30
#: pg_advisory_xact_lock key serialising registrations ("trwk")
REGISTER_LOCK = 0x7472776B


class TraceWebhookKey(models.Model):
    _name = "trace.webhook.key"
    _description = "Webhook Signing Key"
    _order = "valid_from desc, id desc"
    _rec_name = "key_id"

    name = fields.Char(string="Label")
    key_id = fields.Char(string="Key ID", required=True, readonly=True)
    public_key = fields.Char(string="Public Key (base64)", required=True, readonly=True)
    valid_from = fields.Datetime(
        string="Signing Since", required=True, readonly=True, help="When the key first signed."
    )
    valid_to = fields.Datetime(
        string="Retired On",
        readonly=True,
        help="When the next key replaced it. Published as not_after: a delivery signed by this "
        "key with a later timestamp is not authentic.",
    )
    is_demo = fields.Boolean(string="Demo Key", readonly=True)
    note = fields.Text()
    state = fields.Selection(
        [("current", "Current"), ("previous", "Previous (published)"), ("retired", "Retired")],
        compute="_compute_state",
    )
    published_until = fields.Datetime(
        compute="_compute_state",
        help="A previous key stays in the published key set until then (the overlap period).",
    )

    _key_id_unique = models.UniqueIndex("(key_id)")

    def init(self):
        result = super().init()
        seal_sql.guard_key_table(self.env.cr, self._table)
        return result

    @api.depends("valid_to")
    def _compute_state(self):
        now = fields.Datetime.now()
        overlap = timedelta(days=self._overlap_days())
        for key in self:
            key.published_until = key.valid_to and key.valid_to + overlap
            if not key.valid_to:
                key.state = "current"
            else:
                key.state = "previous" if key.published_until > now else "retired"

    # keys are never deleted: no super() on purpose
    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "Webhook signing keys cannot be deleted: the deliveries they signed must stay "
                "verifiable by the key id they name."
            )
        )

    @api.model
    def _overlap_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM_OVERLAP)
        try:
            return max(int(value), 0) if value else DEFAULT_OVERLAP_DAYS
        except ValueError:
            return DEFAULT_OVERLAP_DAYS

    # ------------------------------------------------------------------ the current key

    @api.model
    def _key_signer(self):
        """The signer of the key file, registered as the current key (retiring the one
        before) when it is new. Raises UserError when the file holds a retired key."""
        signer = self.env["trace.webhook.delivery"]._webhook_signer()
        self._key_register(signer)
        return signer

    @api.model
    def _key_register(self, signer):
        """Register ``signer``'s key if it is new, retiring the current one. True when new.

        Registrations are serialised by an advisory lock; two transactions that both see a new
        key end with one registering it and the other failing with a serialisation error,
        which Odoo and the job runner retry (before anything is sent).
        """
        cr = self.env.cr
        cr.execute(SQL("SELECT valid_to FROM trace_webhook_key WHERE key_id = %s", signer.key_id))
        row = cr.fetchone()
        if row is None:
            cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", REGISTER_LOCK))
            cr.execute(
                SQL("SELECT valid_to FROM trace_webhook_key WHERE key_id = %s", signer.key_id)
            )
            row = cr.fetchone()
        if row is not None:
            if row[0] is not None:
                raise UserError(
                    self.env._(
                        "The webhook signing key %(key)s in %(path)s was retired on %(date)s and "
                        "may not sign any more. Install the current key file (option "
                        "%(option)s) or a new one.",
                        key=signer.key_id,
                        path=signer.path,
                        date=row[0],
                        option=CONFIG_KEY_FILE,
                    )
                )
            return False
        cr.execute(SQL("SELECT date_trunc('second', clock_timestamp() AT TIME ZONE 'UTC')"))
        now = cr.fetchone()[0]
        cr.execute(
            SQL(
                "UPDATE trace_webhook_key SET valid_to = %s, write_date = %s "
                "WHERE valid_to IS NULL AND key_id <> %s RETURNING key_id",
                now,
                now,
                signer.key_id,
            )
        )
        retired = [r[0] for r in cr.fetchall()]
        cr.execute(
            SQL(
                """
                INSERT INTO trace_webhook_key (name, key_id, public_key, valid_from, is_demo,
                                               create_uid, create_date, write_uid, write_date)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (key_id) DO NOTHING
                """,
                "Demo key" if signer.demo else "Webhook signing key",
                signer.key_id,
                public_b64(public_raw(signer.private_key)),
                now,
                signer.demo,
                self.env.uid,
                now,
                self.env.uid,
                now,
            )
        )
        self.invalidate_model()
        _logger.info(
            "trace_events: webhook signing key %s registered (demo=%s), retiring %s",
            signer.key_id,
            signer.demo,
            ", ".join(retired) or "none",
        )
        return True

    # ------------------------------------------------------------------ the key set

    @api.model
    def _key_set(self):
        """The JSON Web Key Set: the current key and the previous keys still in their overlap
        period, each with ``status`` and, as Unix times, ``not_before`` and ``not_after``."""
        try:
            self._key_signer()
        except UserError as exc:
            # a key file that cannot sign (unreadable, or a retired key put back) stops the
            # deliveries, not the publication of the keys that signed the earlier ones
            _logger.warning("trace_events: webhook key set without a current key: %s", exc)
        cutoff = fields.Datetime.now() - timedelta(days=self._overlap_days())
        keys = self.sudo().search(["|", ("valid_to", "=", False), ("valid_to", ">", cutoff)])
        return {"keys": [key._key_jwk() for key in keys]}

    def _key_jwk(self):
        self.ensure_one()
        jwk = webhook.jwk(base64.b64decode(self.public_key), self.key_id)
        jwk["status"] = "previous" if self.valid_to else "current"
        jwk["not_before"] = _unix(self.valid_from)
        if self.valid_to:
            jwk["not_after"] = _unix(self.valid_to)
        return jwk

    # ------------------------------------------------------------------ rotation

    def action_rotate(self):
        """Make the key in the key file the current key (traceability managers).

        With a configured key file (production), the administrator installs the new file
        first; this registers it at once instead of at its first use, and says so when the
        file still holds the current key. In demo mode (no key file configured) it generates
        a new demo key.
        """
        if not self.env.user.has_group("udi_master.group_trace_manager"):
            raise AccessError(
                self.env._("Only a traceability manager may rotate the webhook signing key.")
            )
        Key = self.sudo()
        if WEBHOOK_KEY_FILE.is_demo():
            Key._key_new_demo_file()
        signer = self.env["trace.webhook.delivery"]._webhook_signer()
        if not Key._key_register(signer):
            raise UserError(
                self.env._(
                    "The key file %(path)s still holds the current key %(key)s. Install the new "
                    "private key in that file (or name another file in the %(option)s option "
                    "and restart Odoo), then rotate again.",
                    path=signer.path,
                    key=signer.key_id,
                    option=CONFIG_KEY_FILE,
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Webhook signing key rotated"),
                "message": self.env._(
                    "Deliveries are now signed with %(key)s; the previous key stays published "
                    "for %(days)s days.",
                    key=signer.key_id,
                    days=self._overlap_days(),
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _key_new_demo_file(self):
        """Replace the demo key file with a new key (demo mode only)."""
        path = WEBHOOK_KEY_FILE.demo_path(self.env.cr.dbname)
        folder = os.path.dirname(path)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".rotate-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(generate_private_key_pem())
        os.replace(temporary, path)
        _logger.warning("trace_events webhooks: DEMO MODE, new demo key generated in %s", path)


def _unix(value):
    """Unix time of a naive UTC datetime."""
    return calendar.timegm(value.timetuple()) if value else None
