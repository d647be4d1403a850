import base64
import logging
import time
from collections import namedtuple

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import timestamp
from ..lib.chain import checkpoint_message
from ..lib.keys import parse_public_key, verify_signature
from ..lib.verify import timestamp_problem
from ..tools import seal_sql
from ..tools.workflow import workflow

_logger = logging.getLogger(__name__)

#: ir.config_parameter keys of the time-stamping settings (res.config.settings)
PARAM_TSA_URL = "audit_seal.tsa_url"
PARAM_TSA_CERTIFICATE = "audit_seal.tsa_certificate"
#: checkpoints ending after this entry are time-stamped (set when the TSA is switched on)
PARAM_TSA_FROM_SEQ = "audit_seal.tsa_from_seq"
#: seconds to wait for the TSA's answer
TSA_TIMEOUT = 10
#: checkpoints whose tokens one query of the verification reads
VERIFY_CHUNK = 2000
#: checkpoints read per step, and seconds a stamping run may take before leaving the rest
TSA_BATCH = 50
TSA_RUN_SECONDS = 240
#: the columns the stamping step writes (the only ones a checkpoint's UPDATE may change)
TSA_COLUMNS = (
    "tsa_token",
    "tsa_gen_time",
    "tsa_name",
    "tsa_serial",
    "tsa_policy",
    "tsa_nonce",
    "tsa_error",
    "tsa_attempts",
    "tsa_last_attempt",
)

TsaSettings = namedtuple("TsaSettings", "url certificates from_seq")


class AuditSealCheckpoint(models.Model):
    """An Ed25519 signature over the chain head after one append (one per transaction), and
    optionally an RFC 3161 time-stamp token over what that signature covers."""

    _name = "audit.seal.checkpoint"
    _inherit = ["audit.seal.workflow.mixin"]
    _description = "Audit Seal Signed Checkpoint"
    _order = "seq_to desc"
    _rec_name = "seq_to"
    _log_access = False
    # written by the append (SQL) and the stamping step (@workflow) only
    _workflow_fields = "__all__"

    seq_from = fields.Integer(string="First Entry", required=True, readonly=True)
    seq_to = fields.Integer(string="Last Entry (Head)", required=True, readonly=True)
    head_hash = fields.Char(required=True, readonly=True)
    signed_at = fields.Datetime(required=True, readonly=True)
    key_id = fields.Char(string="Key ID", required=True, readonly=True, index=True)
    signature = fields.Char(string="Signature (base64)", required=True, readonly=True)
    key_ref_id = fields.Many2one("audit.seal.key", string="Signing Key", compute="_compute_key_ref")
    entry_count = fields.Integer(string="Entries", compute="_compute_entry_count")
    signature_valid = fields.Boolean(
        compute="_compute_signature_valid",
        help="Checked against the registered public key and its validity period.",
    )
    tsa_token = fields.Binary(
        string="Time-Stamp Token",
        attachment=False,
        readonly=True,
        help="RFC 3161 time-stamp token (DER) of the time-stamping authority over the bytes "
        "this checkpoint's signature covers.",
    )
    tsa_token_filename = fields.Char(
        string="Token File Name", compute="_compute_tsa_token_filename"
    )
    tsa_gen_time = fields.Datetime(
        string="Time-Stamped At",
        readonly=True,
        help="The time the time-stamping authority certifies (genTime of the token).",
    )
    tsa_name = fields.Char(string="Time-Stamping Authority", readonly=True)
    tsa_serial = fields.Char(string="Token Serial Number", readonly=True)
    tsa_policy = fields.Char(string="TSA Policy", readonly=True)
    tsa_nonce = fields.Char(string="Token Nonce", readonly=True)
    tsa_error = fields.Char(string="Time-Stamp Error", readonly=True)
    tsa_attempts = fields.Integer(string="Time-Stamp Attempts", readonly=True)
    tsa_last_attempt = fields.Datetime(string="Last Time-Stamp Attempt", readonly=True)
    tsa_state = fields.Selection(
        [
            ("none", "Not requested"),
            ("pending", "Waiting for the TSA"),
            ("failed", "Failed, will retry"),
            ("stamped", "Time-stamped"),
        ],
        string="Time-Stamp",
        compute="_compute_tsa_state",
    )

    _seq_to_unique = models.UniqueIndex("(seq_to)")
    _tsa_stamped_index = models.Index(
        "(seq_to) WHERE tsa_token IS NOT NULL OR tsa_gen_time IS NOT NULL"
    )

    def init(self):
        result = super().init()
        seal_sql.guard_checkpoint_table(self.env.cr, self._table, TSA_COLUMNS)
        return result

    @api.depends("key_id")
    def _compute_key_ref(self):
        keys = self.env["audit.seal.key"].search([("key_id", "in", self.mapped("key_id"))])
        by_id = {key.key_id: key for key in keys}
        for checkpoint in self:
            checkpoint.key_ref_id = by_id.get(checkpoint.key_id, False)

    @api.depends("seq_from", "seq_to")
    def _compute_entry_count(self):
        for checkpoint in self:
            checkpoint.entry_count = checkpoint.seq_to - checkpoint.seq_from + 1

    def _compute_signature_valid(self):
        for checkpoint in self:
            key = checkpoint.key_ref_id
            valid = (
                bool(key)
                and key.valid_from <= checkpoint.signed_at
                and (not key.valid_to or checkpoint.signed_at < key.valid_to)
            )
            if valid:
                valid = verify_signature(
                    parse_public_key(key.public_key),
                    checkpoint._seal_message(),
                    checkpoint.signature,
                )
            checkpoint.signature_valid = valid

    def _seal_message(self):
        """The exact bytes the checkpoint signature covers (and its time-stamp token's imprint)."""
        self.ensure_one()
        return checkpoint_message(
            self.seq_from, self.seq_to, self.head_hash, self.signed_at, self.key_id
        )

    @api.depends("seq_to")
    def _compute_tsa_token_filename(self):
        for checkpoint in self:
            checkpoint.tsa_token_filename = f"checkpoint-{checkpoint.seq_to}.tst"

    @api.depends("tsa_gen_time", "tsa_error")
    def _compute_tsa_state(self):
        settings = self._seal_tsa_settings(parse=False)
        for checkpoint in self:
            if checkpoint.tsa_gen_time:
                state = "stamped"
            elif checkpoint.tsa_error:
                state = "failed"
            elif settings and checkpoint.seq_to > settings.from_seq:
                state = "pending"
            else:
                state = "none"
            checkpoint.tsa_state = state

    # ------------------------------------------------------------------ time-stamping

    @api.model
    def _seal_tsa_settings(self, parse=True):
        """The configured TSA (``url``, trusted ``certificates``, ``from_seq``), or None when
        time-stamping is off. ``parse=False`` leaves the certificates unread (an empty list)."""
        params = self.env["ir.config_parameter"].sudo()
        url = (params.get_param(PARAM_TSA_URL) or "").strip()
        if not url:
            return None
        pem = params.get_param(PARAM_TSA_CERTIFICATE) or ""
        certificates = timestamp.load_certificates(pem) if parse and pem.strip() else []
        try:
            from_seq = int(params.get_param(PARAM_TSA_FROM_SEQ) or -1)
        except ValueError:
            from_seq = -1
        return TsaSettings(url, certificates, from_seq)

    @api.model
    def _seal_tsa_switched_on(self):
        """Time-stamp the newest checkpoint and those signed from now on, not the whole history
        (the token of a checkpoint also covers every entry before it, through the chain)."""
        self.env.cr.execute(SQL("SELECT coalesce(max(seq_from), 1) - 1 FROM audit_seal_checkpoint"))
        from_seq = self.env.cr.fetchone()[0]
        self.env["ir.config_parameter"].sudo().set_param(PARAM_TSA_FROM_SEQ, str(from_seq))
        return from_seq

    @api.model
    def _cron_seal_timestamp(self):
        return self._seal_timestamp_pending()

    @api.model
    def _seal_timestamp_pending(self):
        """Ask the TSA for a token for each checkpoint waiting for one, oldest first.

        Each read and each write runs in a short transaction of its own (a new cursor); no
        transaction is open and the chain lock is never held while the TSA is asked, so
        sealing goes on while the TSA is slow. At the first failure (the TSA is unreachable,
        answers an error, or answers a token that does not hold) the checkpoint records the
        error and the run stops; the next run retries. Returns the number of tokens stored.
        """
        deadline = time.monotonic() + TSA_RUN_SECONDS
        stamped = 0
        while time.monotonic() < deadline:
            with self.env.registry.cursor() as cr:
                Checkpoint = self.env(cr=cr, su=True)[self._name]
                try:
                    settings = Checkpoint._seal_tsa_settings()
                except timestamp.TimestampError as exc:
                    _logger.error("audit_seal: the TSA certificate setting is unusable: %s", exc)
                    return stamped
                if settings is None:
                    return stamped
                if settings.from_seq < 0:
                    settings = settings._replace(from_seq=Checkpoint._seal_tsa_switched_on())
                jobs = Checkpoint._seal_timestamp_jobs(settings.from_seq, TSA_BATCH)
            for checkpoint_id, message in jobs:
                if not self._seal_timestamp_one(settings, checkpoint_id, message):
                    return stamped
                stamped += 1
            if len(jobs) < TSA_BATCH:
                break
        return stamped

    @api.model
    def _seal_timestamp_jobs(self, from_seq, limit):
        """``(id, signed bytes)`` of the next checkpoints to time-stamp: those after the newest
        time-stamped one (and after ``from_seq``), oldest first."""
        self.env.cr.execute(
            SQL(
                """
                SELECT id, seq_from, seq_to, head_hash, signed_at, key_id
                  FROM audit_seal_checkpoint
                 WHERE seq_to > GREATEST(%s, (
                           SELECT max(seq_to) FROM audit_seal_checkpoint
                            WHERE tsa_token IS NOT NULL OR tsa_gen_time IS NOT NULL))
                 ORDER BY seq_to
                 LIMIT %s
                """,
                from_seq,
                limit,
            )
        )
        return [(row[0], checkpoint_message(*row[1:])) for row in self.env.cr.fetchall()]

    @api.model
    def _seal_timestamp_one(self, settings, checkpoint_id, message):
        """Request and store one checkpoint's token; False when it failed (error stored)."""
        nonce = timestamp.new_nonce()
        try:
            info = timestamp.request_token(
                settings.url, message, settings.certificates, timeout=TSA_TIMEOUT, nonce=nonce
            )
            error = None
        except timestamp.TimestampError as exc:
            info, error = None, str(exc)
            _logger.warning(
                "audit_seal: time-stamping checkpoint id %s at %s failed, will retry: %s",
                checkpoint_id,
                settings.url,
                error,
            )
        with self.env.registry.cursor() as cr:
            checkpoint = self.env(cr=cr, su=True)[self._name].browse(checkpoint_id)
            checkpoint._seal_timestamp_store(info, error)
        return info is not None

    @workflow
    def _seal_timestamp_store(self, info=None, error=None):
        """Record a token (``TokenInfo``) or a failed attempt on the checkpoint; a checkpoint
        that meanwhile got a token (a concurrent run) is left as it is."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                "SELECT tsa_attempts, tsa_gen_time FROM audit_seal_checkpoint WHERE id = %s "
                "FOR NO KEY UPDATE",
                self.id,
            )
        )
        attempts, stamped_at = self.env.cr.fetchone()
        if stamped_at:
            return False
        vals = {"tsa_attempts": (attempts or 0) + 1, "tsa_last_attempt": fields.Datetime.now()}
        if info is None:
            vals["tsa_error"] = (error or "")[:500] or self.env._("unknown error")
        else:
            vals.update(
                tsa_token=base64.b64encode(info.token),
                tsa_gen_time=info.gen_time,
                tsa_name=info.tsa_name,
                tsa_serial=info.serial,
                tsa_policy=info.policy,
                tsa_nonce=info.nonce,
                tsa_error=False,
            )
        self.write(vals)
        return True

    # ------------------------------------------------------------------ verification

    @api.model
    def _seal_check_timestamps(self, result):
        """Check the RFC 3161 token of every time-stamped checkpoint of a chain that verified
        (imprint, nonce, TSA signature with the configured certificate); sets ``result``'s
        ``timestamps`` count, or its failure at the first checkpoint whose token does not hold.
        """
        result.setdefault("timestamps", 0)
        if not result["ok"]:
            return
        certificates = self._seal_tsa_certificates(result)
        if certificates is None:
            return
        last = 0
        while True:
            rows = self._seal_stamped_rows(last, VERIFY_CHUNK)
            for *checkpoint, token, nonce, serial, gen_time in rows:
                problem = timestamp_problem(
                    *checkpoint,
                    base64.b64decode(bytes(token)) if token else b"",
                    certificates,
                    {"nonce": nonce, "serial": serial, "gen_time": gen_time},
                )
                if problem:
                    result.update(
                        ok=False,
                        first_bad_seq=checkpoint[0],
                        reason=self.env._(
                            "checkpoint %(first)s-%(last)s: its time-stamp token does not hold "
                            "(the token or the checkpoint was changed, or the token is not the "
                            "configured TSA's): %(problem)s",
                            first=checkpoint[0],
                            last=checkpoint[1],
                            problem=problem,
                        ),
                    )
                    return
                result["timestamps"] += 1
            if len(rows) < VERIFY_CHUNK:
                return
            last = rows[-1][1]

    @api.model
    def _seal_stamped_rows(self, after_seq, limit):
        """Time-stamped checkpoints ending after ``after_seq``, in order: the checkpoint's
        signed columns, then the token (base64), nonce, serial and generation time."""
        self.env.cr.execute(
            SQL(
                """
                SELECT seq_from, seq_to, head_hash, signed_at, key_id,
                       tsa_token, tsa_nonce, tsa_serial, tsa_gen_time
                  FROM audit_seal_checkpoint
                 WHERE (tsa_token IS NOT NULL OR tsa_gen_time IS NOT NULL) AND seq_to > %s
                 ORDER BY seq_to LIMIT %s
                """,
                after_seq,
                limit,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _seal_tsa_certificates(self, result):
        """The configured TSA certificates (empty: tokens are checked with the certificates
        they carry); None, with ``result`` failed, when the setting cannot be read."""
        pem = self.env["ir.config_parameter"].sudo().get_param(PARAM_TSA_CERTIFICATE) or ""
        if not pem.strip():
            return []
        try:
            return timestamp.load_certificates(pem)
        except timestamp.TimestampError as exc:
            result.update(
                ok=False,
                first_bad_seq=0,
                reason=self.env._(
                    "the configured TSA certificate cannot be read (%(reason)s): the time-stamp "
                    "tokens cannot be checked; correct it in the Audit Seal settings",
                    reason=exc,
                ),
            )
            return None
