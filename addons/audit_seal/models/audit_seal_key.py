import logging
import os

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tools import SQL, config

from ..lib.keys import (
    generate_private_key_pem,
    key_id,
    load_private_key_pem,
    public_b64,
    public_raw,
)
from ..tools import seal_sql
from ..tools.key_file import KeyFile, KeyFileError

_logger = logging.getLogger(__name__)

#: Odoo configuration option naming the Ed25519 private key file (PEM, PKCS#8)
CONFIG_KEY_FILE = "audit_seal_private_key_file"
#: optional passphrase of an encrypted key file
CONFIG_KEY_PASSPHRASE = "audit_seal_private_key_passphrase"
DEMO_KEY_NAME = "audit_seal_demo_ed25519.pem"


class Signer:
    """The loaded private key. Lives in process memory only; never stored or returned."""

    __slots__ = ("demo", "key_id", "path", "private_key", "public_b64")

    def __init__(self, private_key, path, demo):
        raw = public_raw(private_key)
        self.private_key = private_key
        self.key_id = key_id(raw)
        self.public_b64 = public_b64(raw)
        self.path = path
        self.demo = demo

    def __repr__(self):  # never show the key material
        return f"<Signer {self.key_id}{' demo' if self.demo else ''}>"


def _generate_demo_key(path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(generate_private_key_pem())


def ed25519_key_file(option, passphrase_option, demo_folder, demo_name, logger, label):
    """A :class:`KeyFile` of an Ed25519 private key (PEM, PKCS#8, encrypted when the
    ``passphrase_option`` is set), loaded as a :class:`Signer`."""

    def load(path, demo):
        passphrase = config.get(passphrase_option)
        with open(path, "rb") as handle:
            private_key = load_private_key_pem(
                handle.read(), passphrase.encode() if passphrase else None
            )
        return Signer(private_key, path, demo)

    return KeyFile(
        option,
        demo_folder,
        demo_name,
        load=load,
        generate=_generate_demo_key,
        logger=logger,
        label=label,
    )


SIGNING_KEY_FILE = ed25519_key_file(
    CONFIG_KEY_FILE, CONFIG_KEY_PASSPHRASE, "audit_seal", DEMO_KEY_NAME, _logger, "audit_seal"
)


class AuditSealKey(models.Model):
    """Registry of the public keys that signed checkpoints, with their validity periods."""

    _name = "audit.seal.key"
    _description = "Audit Seal Public Key"
    _order = "valid_from desc, id desc"
    _rec_name = "key_id"

    name = fields.Char(string="Label")
    key_id = fields.Char(string="Key ID", required=True, readonly=True)
    public_key = fields.Char(string="Public Key (base64)", required=True, readonly=True)
    valid_from = fields.Datetime(required=True, readonly=True)
    valid_to = fields.Datetime(
        string="Valid Until",
        readonly=True,
        help="Empty while the key is the current signing key; set when a new key replaces it.",
    )
    is_demo = fields.Boolean(string="Demo Key", readonly=True)
    state = fields.Selection(
        [("current", "Current"), ("retired", "Retired")],
        compute="_compute_state",
    )
    checkpoint_count = fields.Integer(compute="_compute_checkpoint_count", string="Checkpoints")
    note = fields.Text()

    _key_id_unique = models.UniqueIndex("(key_id)")

    def init(self):
        result = super().init()
        seal_sql.guard_key_table(self.env.cr, self._table)
        return result

    @api.depends("valid_to")
    def _compute_state(self):
        for key in self:
            key.state = "retired" if key.valid_to else "current"

    def _compute_checkpoint_count(self):
        groups = self.env["audit.seal.checkpoint"]._read_group(
            [("key_id", "in", self.mapped("key_id"))], ["key_id"], ["__count"]
        )
        counts = dict(groups)
        for key in self:
            key.checkpoint_count = counts.get(key.key_id, 0)

    # keys are never deleted: no super() on purpose
    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "Public keys cannot be deleted: checkpoints signed with them must stay verifiable."
            )
        )

    # ------------------------------------------------------------------ signer

    @api.model
    def _seal_signer(self):
        """The signing key, read from the file named by ``audit_seal_private_key_file``.

        Without that option the addon runs in demo mode (see tools/key_file.py) and the ledger
        views show a warning. A configured file that cannot be read stops sealing (and the
        transaction) instead of silently falling back to a demo key.
        """
        try:
            return SIGNING_KEY_FILE.get(self.env.cr.dbname)
        except KeyFileError as exc:
            if exc.stage == "read":
                message = self.env._(
                    "Audit Seal cannot read its signing key file %(path)s (%(error)s). Check "
                    "the %(option)s option of the Odoo configuration.",
                    path=exc.path,
                    error=exc.error,
                    option=CONFIG_KEY_FILE,
                )
            else:
                message = self.env._(
                    "Audit Seal cannot use the signing key file %(path)s: %(error)s",
                    path=exc.path,
                    error=exc.error,
                )
            raise UserError(message) from exc

    @api.model
    def _seal_ensure_registered(self, signer, fresh, key_state=None):
        """Register the signing key (retiring the previous one) if needed; under the lock.

        ``key_state`` is ``(registered, valid_to)`` of the key when the caller already read it
        under the lock (:meth:`audit.seal.entry._seal_lock`). Returns True when the key was
        registered now.
        """
        cr = self.env.cr
        query = SQL("SELECT valid_to FROM audit_seal_key WHERE key_id = %s", signer.key_id)
        if key_state is None:
            cr.execute(query)
            row = cr.fetchone()
        else:
            row = (key_state[1],) if key_state[0] else None
        if row is None and not fresh:
            # our snapshot may predate the key's registration by another transaction
            with db_connect(cr.dbname).cursor() as fresh_cr:
                fresh_cr.execute(query)
                row = fresh_cr.fetchone()
        if row is not None:
            if row[0] is not None:
                raise UserError(
                    self.env._(
                        "The signing key %(key)s was retired on %(date)s and may not sign any "
                        "more. Configure the current key in %(option)s.",
                        key=signer.key_id,
                        date=row[0],
                        option=CONFIG_KEY_FILE,
                    )
                )
            return False
        cr.execute(SQL("SELECT clock_timestamp() AT TIME ZONE 'UTC'"))
        now = cr.fetchone()[0]
        cr.execute(
            SQL(
                "UPDATE audit_seal_key SET valid_to = %s WHERE valid_to IS NULL AND key_id <> %s",
                now,
                signer.key_id,
            )
        )
        cr.execute(
            SQL(
                """
                INSERT INTO audit_seal_key (name, key_id, public_key, valid_from, is_demo,
                                            create_uid, create_date, write_uid, write_date)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
                """,
                "Demo key" if signer.demo else "Signing key",
                signer.key_id,
                signer.public_b64,
                now,
                signer.demo,
                self.env.uid,
                now,
                self.env.uid,
                now,
            )
        )
        self.invalidate_model()
        _logger.info("audit_seal: registered signing key %s (demo=%s)", signer.key_id, signer.demo)
        return True

    # ------------------------------------------------------------------ status

    @api.model
    @api.readonly
    def get_signing_status(self):
        """{"demo", "key_id", "registered"} of the configured signing key (no key material)."""
        demo = not config.get(CONFIG_KEY_FILE)
        status = {"demo": demo, "key_id": False, "registered": False, "error": False}
        try:
            signer = self._seal_signer()
        except UserError as exc:
            status["error"] = str(exc)
            return status
        status["key_id"] = signer.key_id
        status["registered"] = bool(
            self.sudo().search_count([("key_id", "=", signer.key_id), ("valid_to", "=", False)])
        )
        return status
