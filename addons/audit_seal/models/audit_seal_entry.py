import base64
import datetime
import itertools
import logging
import struct
import time
from collections import defaultdict

import psycopg2

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, LockError
from odoo.sql_db import db_connect
from odoo.tools import SQL

from ..lib import export
from ..lib.canonical import CanonicalError, canonical_json, format_datetime
from ..lib.chain import ENVELOPE_VERSION, GENESIS_HASH, checkpoint_message, iter_chain_hashes
from ..lib.fragments import company_json, envelope_template
from ..lib.keys import sign
from ..tools import commit_hook, seal_sql

_logger = logging.getLogger(__name__)
# the time each append waits for the chain lock, at DEBUG (tests/load reads it; off by default)
_lock_logger = logging.getLogger(__name__.rsplit(".", 2)[0] + ".chain_lock")

#: pg_advisory_xact_lock key of the chain append ("audit_sea" in ASCII)
CHAIN_LOCK_KEY = 0x61756469745F736561
CHAIN_LOCK_KEY = CHAIN_LOCK_KEY & 0x7FFFFFFFFFFFFFFF
#: non-transactional mirror of the head sequence number (see _seal_head)
HEAD_SEQUENCE = "audit_seal_head_seq"
#: ir.config_parameter: how long (ms) an append waits for the chain lock before its transaction
#: fails with LOCK_NOT_AVAILABLE, which Odoo's request loop retries (0: wait for ever)
PARAM_LOCK_TIMEOUT = "audit_seal.chain_lock_timeout_ms"
DEFAULT_LOCK_TIMEOUT_MS = 3000


class _ChunkReader:
    """File-like object for COPY FROM STDIN that returns one chunk per read.

    An exception raised while producing a chunk aborts the COPY (nothing is inserted and the
    transaction can only be rolled back) and is kept in ``error``: psycopg2 reports it as a
    generic error, the caller raises the original instead.
    """

    __slots__ = ("_chunks", "error")

    def __init__(self, chunks):
        self._chunks = chunks
        self.error = None

    # a file, not a model: no super() on purpose
    def read(self, size=-1):  # pylint: disable=method-required-super
        try:
            return next(self._chunks, b"")
        except Exception as exc:
            self.error = exc
            raise

    readline = read


#: the ledger's columns in the order of the COPY rows (see _copy_rows)
COPY_COLUMNS = (
    "seq, res_model, res_id, op, user_id, sealed_at, company_id, payload, prev_hash, entry_hash"
)
#: PostgreSQL's binary COPY format: signature, flags, header extension length; the trailer
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
COPY_TRAILER = b"\xff\xff"
_ROW_START = struct.Struct("!hii")  # field count, then the length and value of seq (int4)
_INT4 = struct.Struct("!ii")  # length 4, int4 value
_INT8 = struct.Struct("!iq")  # length 8, int8 value (a timestamp: microseconds since 2000)
_LENGTH = struct.Struct("!i")
_NULL = _LENGTH.pack(-1)  # a NULL field
_HASH_LENGTH = _LENGTH.pack(64)  # a hash: 64 hex digits
_PG_EPOCH = datetime.datetime(2000, 1, 1)


def _copy_field(value):
    """A text value as a field of a binary COPY row (length, then its UTF-8 bytes)."""
    data = value.encode("utf-8")
    return _LENGTH.pack(len(data)) + data


def _copy_rows(first, sealed_at, rows, prev_hash, hashes, chunk=32):
    """The entries as PostgreSQL binary COPY data, ``chunk`` rows at a time (header first,
    trailer last); appends the hashes to ``hashes`` as it goes.

    ``rows`` are ``(model, res_id, op, uid, company id or None, payload bytes)``.

    The binary format spares PostgreSQL the character-by-character parsing of the text format
    (about 2 us per kilobyte of payload here) and this function the escaping: the canonical
    payload's bytes are sent as they are.
    """
    timestamp = _INT8.pack(8, (sealed_at - _PG_EPOCH) // datetime.timedelta(microseconds=1))
    constant = {}  # (model, op, uid) -> the model field, and op, user and time fields
    parts = [COPY_HEADER]
    append = parts.append
    chained = iter_chain_hashes(prev_hash, first, [row[5] for row in rows])
    count = 0
    for seq, ((model, res_id, op, uid, company, payload), hash_) in enumerate(
        zip(rows, chained, strict=True), first
    ):
        fields_ = constant.get((model, op, uid))
        if fields_ is None:
            fields_ = constant[model, op, uid] = (
                _copy_field(model),
                _copy_field(op) + _INT4.pack(4, uid) + timestamp,
            )
        append(_ROW_START.pack(10, 4, seq))
        append(fields_[0])
        append(_INT4.pack(4, res_id))
        append(fields_[1])
        append(_INT4.pack(4, company) if company else _NULL)
        append(_LENGTH.pack(len(payload)))
        append(payload)
        append(_HASH_LENGTH)
        append(prev_hash.encode("ascii"))
        append(_HASH_LENGTH)
        append(hash_.encode("ascii"))
        hashes.append(hash_)
        prev_hash = hash_
        count += 1
        if count == chunk:
            yield b"".join(parts)
            parts.clear()
            count = 0
    append(COPY_TRAILER)
    yield b"".join(parts)


def _checkpoint_line(row):
    """The export line of a checkpoint row (its six signed columns, then its time-stamp
    columns: token as stored (base64), generation time, serial, nonce, TSA name)."""
    token = row[6]
    stamp = export.timestamp_record(base64.b64decode(bytes(token)), *row[7:]) if token else None
    return export.dump_line(export.checkpoint_record(*row[:6], timestamp=stamp))


def _append_at_commit(cr, pending, savepoint_rolled_back):
    """Append what ``cr``'s transaction queued (called by its commit, see tools/commit_hook)."""
    if pending["items"]:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["audit.seal.entry"]._seal_append(pending["items"], check_exists=savepoint_rolled_back)


class LedgerUserField(fields.Many2one):
    """Many2one to ``res.users`` without a PostgreSQL foreign key.

    A foreign key costs one referential-integrity lookup (and row lock) in ``res_users`` per
    ledger entry, a third of what inserting the entry costs. The ledger does not need it: the
    user id is also in the entry's signed payload (``uid``), the append writes the uid of the
    transaction's own user, and the one thing the foreign key gave on top, refusing to delete a
    user who sealed entries, is kept by a trigger on ``res_users`` (``audit_seal_guard_user``,
    ``tools/seal_sql.py``) and by ``res.users`` unlink in the ORM.
    """

    def update_db_foreign_key(self, model, column):
        return


class LedgerCompanyField(LedgerUserField):
    """Many2one to ``res.company`` without a PostgreSQL foreign key, for the same reason as
    :class:`LedgerUserField`: the company is also in the entry's signed envelope (``company``)
    and companies that sealed records keep them (the records refer to their company)."""


class AuditSealEntry(models.Model):
    """One link of the chain. Rows are inserted in batch at the commit, never edited."""

    _name = "audit.seal.entry"
    _description = "Audit Seal Ledger Entry"
    _order = "seq desc"
    _rec_name = "seq"
    _log_access = False

    seq = fields.Integer(string="Sequence", required=True, readonly=True)
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", required=True, readonly=True
    )
    op = fields.Selection(
        [("create", "Sealed"), ("purge", "Purged after retention")],
        string="Operation",
        required=True,
        readonly=True,
    )
    user_id = LedgerUserField("res.users", string="User", readonly=True, ondelete="restrict")
    company_id = LedgerCompanyField(
        "res.company",
        string="Company",
        readonly=True,
        ondelete="restrict",
        help="The sealed record's company when it was sealed (empty: a record without company, "
        "readable by the Audit Seal managers of every company).",
    )
    sealed_at = fields.Datetime(required=True, readonly=True)
    payload = fields.Text(string="Canonical Payload", required=True, readonly=True)
    prev_hash = fields.Char(string="Previous Hash", required=True, readonly=True)
    entry_hash = fields.Char(string="Hash", required=True, readonly=True)
    record_name = fields.Char(string="Record", compute="_compute_record_name")
    retention_until = fields.Date(string="Retain Until", compute="_compute_retention")
    retention_permanent = fields.Boolean(
        string="Retained Permanently", compute="_compute_retention"
    )

    _seq_unique = models.UniqueIndex("(seq)")
    # one integer per entry: cheap to maintain; lookups add res_model as a filter (ids of
    # different sealed models rarely collide, and never more than once per model)
    _record_index = models.Index("(res_id)")

    def init(self):
        result = super().init()
        cr = self.env.cr
        seal_sql.guard_ledger_table(cr, self._table)
        seal_sql.guard_users_table(cr, self.env["res.users"]._table, self._table)
        cr.execute(
            SQL(
                "CREATE SEQUENCE IF NOT EXISTS %s MINVALUE 0 START 0",
                SQL.identifier(HEAD_SEQUENCE),
            )
        )
        return result

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        """The sealed document's display name as the viewer may read it, else "Model #id".

        Audit Seal managers read the ledger without reading every sealed document: a document
        they may not read (or one purged since) is named by its model and id, never by an error.
        """
        names = {}
        by_model = defaultdict(set)
        for entry in self:
            if entry.res_model in self.env and entry.res_id:
                by_model[entry.res_model].add(entry.res_id)
        for model, ids in by_model.items():
            readable = self.env[model].browse(ids).exists()._filtered_access("read")
            for record in readable:
                try:
                    names[model, record.id] = record.display_name
                except AccessError:  # a name made of fields the viewer may not read
                    continue
        labels = {}
        for entry in self:
            name = names.get((entry.res_model, entry.res_id))
            if not name:
                if entry.res_model not in labels:
                    labels[entry.res_model] = self._seal_model_label(entry.res_model)
                name = f"{labels[entry.res_model]} #{entry.res_id}"
            entry.record_name = name

    @api.model
    def _seal_model_label(self, model):
        """The translated name of a sealed model (its technical name once it is uninstalled)."""
        if model not in self.env:
            return model
        return self.env["ir.model"].sudo()._get(model).name or model

    def _compute_retention(self):
        """Retention of the sealed document, whether or not the viewer may read the document
        (the date comes from the ledger's policies and the document's creation, not its content).
        """
        for entry in self:
            until, permanent = False, False
            if entry.res_model in self.env and entry.op == "create":
                record = self.env[entry.res_model].sudo().browse(entry.res_id).exists()
                if record:
                    until = record._seal_retention_dates()[record.id]
                    permanent = until is False
            entry.retention_until = until
            entry.retention_permanent = permanent

    # ------------------------------------------------------------------ pending records

    @api.model
    def _seal_pending(self, create=True):
        """What this transaction queued for the ledger: ``{"items": [...], "ids": {model: ids}}``.

        The append runs at the transaction's real commit (``tools/commit_hook.py``), not at
        the flushes of its savepoints, so that the chain lock is only taken, and held, for the
        last moment of the transaction.
        """
        cr = self.env.cr
        pending = commit_hook.get_pending(cr)
        if pending is not None or not create:
            return pending
        pending = {"items": [], "ids": defaultdict(set)}
        commit_hook.set_pending(cr, pending, _append_at_commit)
        return pending

    @api.model
    def _seal_run_pending(self):
        """Flush and append what this transaction queued, as its commit will, without
        committing (tests; code that must read its own ledger entries before the commit)."""
        commit_hook.run_pending(self.env.cr)

    @api.model
    def _seal_register_pending(self, records):
        """Queue new records of a sealed model for the append at commit."""
        if not records:
            return
        pending = self._seal_pending()
        ids = records._ids
        # one queued batch per create() call: (op, model, ids, uid, data by id, company by id)
        pending["items"].append(("create", records._name, ids, self.env.uid, None, None))
        pending["ids"][records._name].update(ids)

    @api.model
    def _seal_register_purge(self, records, data_by_id):
        """Queue the purge entries of ``records`` (deleted before the commit: their companies
        are read now)."""
        pending = self._seal_pending()
        companies = records.sudo()._seal_company_ids()
        pending["items"].append(
            ("purge", records._name, records._ids, self.env.uid, data_by_id, companies)
        )

    @api.model
    def _seal_pending_ids(self, model):
        """Ids of ``model`` created in this transaction and not sealed yet."""
        pending = self._seal_pending(create=False)
        return pending["ids"].get(model, set()) if pending else set()

    # ------------------------------------------------------------------ append

    @api.model
    def _seal_build_payloads(self, items, check_exists=False):
        """Canonical payloads of the queued items, in order (computed before taking the lock).

        ``items`` are the queued batches ``(op, model, ids, uid, data by id, company by id)``.
        Returns ``(ts, rows)``; each row is ``(model, res_id, op, uid, company, payload)`` with
        ``company`` the record's company id (None without company, see
        :meth:`audit.seal.mixin._seal_company_ids`) and ``payload`` the canonical bytes of
        :func:`lib.chain.entry_payload`, built from ready-made JSON fragments
        (:meth:`audit.seal.mixin._seal_payload_json`, :func:`lib.fragments.envelope_template`)
        with the very same bytes.
        """
        ts = self.env.cr.now()
        by_model = defaultdict(list)
        for op, model, ids, _uid, _data, _companies in items:
            if op == "create":
                by_model[model].extend(ids)
            else:
                check_exists = True
        data_by_model = {}
        companies_by_model = {}
        for model, ids in by_model.items():
            records = self.env[model].browse(ids).with_context(active_test=False)
            if check_exists:  # some may be gone: rolled back with a savepoint, or purged
                records = records.exists()
            data_by_model[model] = records._seal_payload_json()
            companies_by_model[model] = records._seal_company_ids()  # cached by now, mostly
        rows = []
        templates = {}
        for op, model, ids, uid, data, companies in items:
            if op == "create":
                found = data_by_model[model]
                ids = [rid for rid in ids if rid in found]
                data_jsons = list(map(found.__getitem__, ids))
                companies = companies_by_model[model]
            else:  # a purge rolled back with a savepoint deleted nothing
                kept = set(self.env[model].browse(ids).exists()._ids)
                ids = [rid for rid in ids if rid not in kept]
                data_jsons = [canonical_json(data[rid]).decode("utf-8") for rid in ids]
            if not set(map(type, ids)) <= {int}:
                raise CanonicalError(f"record ids of {model} must be integers: {ids!r}")
            company_ids = list(map(companies.__getitem__, ids))
            template = templates.get((model, op, uid))
            if template is None:
                template = templates[model, op, uid] = envelope_template(
                    model, op, uid, ts, ENVELOPE_VERSION
                )
            texts = map(
                template.__mod__,
                zip(map(company_json, company_ids), data_jsons, ids, strict=True),
            )
            try:
                payloads = list(map(str.encode, texts))
            except UnicodeEncodeError as exc:
                raise CanonicalError(
                    f"a sealed value of {model} is not valid Unicode (lone surrogate)"
                ) from exc
            rows.extend(
                zip(
                    itertools.repeat(model),
                    ids,
                    itertools.repeat(op),
                    itertools.repeat(uid),
                    company_ids,
                    payloads,
                    strict=False,
                )
            )
        return ts, rows

    @api.model
    def _seal_append(self, items, check_exists=True):
        """Append the queued records to the chain and sign the new head (at the commit).

        ``check_exists=False`` (the commit knows that no savepoint was rolled back) saves the
        query that leaves out records that no longer exist.
        """
        ts, rows = self._seal_build_payloads(items, check_exists=check_exists)
        if not rows:
            return
        signer = self.env["audit.seal.key"]._seal_signer()
        timeout_ms = self._seal_lock_timeout()
        cr = self.env.cr
        # --- one short critical section, held until the COMMIT that follows right away ---
        waited = time.perf_counter()
        try:
            head_seq, head_hash, fresh, key_state, signed_at = self._seal_lock(signer, timeout_ms)
        except psycopg2.errors.LockNotAvailable as exc:
            commit_hook.mark_chain_busy(exc)
            _lock_logger.warning(
                "chain lock not free after %.0f ms (bound %d ms): %d entries not appended, "
                "the transaction fails with LOCK_NOT_AVAILABLE (retried by Odoo's request loop)",
                (time.perf_counter() - waited) * 1000,
                timeout_ms,
                len(rows),
            )
            raise
        if _lock_logger.isEnabledFor(logging.DEBUG):
            _lock_logger.debug(
                "chain lock waited %.3f ms for %d entries",
                (time.perf_counter() - waited) * 1000,
                len(rows),
            )
        if self.env["audit.seal.key"]._seal_ensure_registered(signer, fresh, key_state):
            cr.execute(SQL("SELECT clock_timestamp() AT TIME ZONE 'UTC'"))
            signed_at = cr.fetchone()[0]  # after the key's valid_from
        first = head_seq + 1
        hashes = self._seal_copy_entries(first, ts, rows, head_hash)
        last = first + len(rows) - 1
        message = checkpoint_message(first, last, hashes[-1], signed_at, signer.key_id)
        cr.execute(
            SQL(
                """
                INSERT INTO audit_seal_checkpoint
                    (seq_from, seq_to, head_hash, signed_at, key_id, signature)
                VALUES (%s, %s, %s, %s, %s, %s);
                SELECT setval(%s, %s, true);
                """,
                first,
                last,
                hashes[-1],
                signed_at,
                signer.key_id,
                sign(signer.private_key, message),
                HEAD_SEQUENCE,
                last,
            )
        )
        self.env["audit.seal.entry"].invalidate_model()
        self.env["audit.seal.checkpoint"].invalidate_model()

    @api.model
    def _seal_copy_entries(self, first, ts, rows, prev_hash):
        """Hash the entries and insert them with one COPY (the cheapest bulk insert).

        The rows are hashed and formatted a chunk at a time while COPY sends them, so that
        PostgreSQL inserts one chunk while the next is being prepared. Returns the hashes.
        """
        hashes = []
        reader = _ChunkReader(_copy_rows(first, ts, rows, prev_hash, hashes))
        try:
            self.env.cr.copy_expert(
                f"COPY audit_seal_entry ({COPY_COLUMNS}) FROM STDIN WITH (FORMAT binary)", reader
            )
        except psycopg2.Error:
            if reader.error is not None:
                raise reader.error from None
            raise
        if len(hashes) != len(rows):  # pragma: no cover - COPY read the stream to its end
            raise RuntimeError("audit_seal: the ledger COPY stopped before its end")
        return hashes

    @api.model
    def _seal_busy_error(self):
        """The error a request gets when the chain lock stayed taken through all its tries."""
        return LockError(
            self.env._(
                "The audit ledger is busy: another transaction has held its chain lock for "
                "longer than %(seconds)s seconds on each try, so nothing was saved. Try again in "
                "a moment; if it keeps happening, ask an Audit Seal manager to look for a "
                "long-running transaction on the database.",
                seconds=f"{self._seal_lock_timeout() / 1000:g}",
            )
        )

    @api.model
    def _seal_lock_timeout(self):
        """The bound of the chain lock wait in ms (:data:`PARAM_LOCK_TIMEOUT`, cached by Odoo;
        a missing, malformed or negative value gives the default; 0 waits for ever)."""
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM_LOCK_TIMEOUT)
        try:
            timeout = int(value) if value not in (None, False, "") else DEFAULT_LOCK_TIMEOUT_MS
        except ValueError:
            timeout = -1
        if timeout < 0:
            _logger.warning(
                "ir.config_parameter %s = %r is not a number of milliseconds >= 0: using %d",
                PARAM_LOCK_TIMEOUT,
                value,
                DEFAULT_LOCK_TIMEOUT_MS,
            )
            timeout = DEFAULT_LOCK_TIMEOUT_MS
        return timeout

    @api.model
    def _seal_lock(self, signer, timeout_ms=DEFAULT_LOCK_TIMEOUT_MS):
        """Take the chain lock and read what the append needs, in one round trip.

        The wait for the lock is bounded by ``timeout_ms`` (PostgreSQL's ``lock_timeout``, set
        for that one statement and put back as it was right after): past it the statement fails
        with ``LockNotAvailable`` and the transaction must be rolled back.

        Returns ``(head_seq, head_hash, fresh, key_state, signed_at)``: the chain head (see
        :meth:`_seal_head`), ``(registered, valid_to)`` of ``signer``'s key (for
        :meth:`audit.seal.key._seal_ensure_registered`) and the time of the checkpoint.
        """
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT set_config('audit_seal.lock_timeout', current_setting('lock_timeout'), true);
                SELECT set_config('lock_timeout', %s, true);
                SELECT pg_advisory_xact_lock(%s);
                SELECT set_config('lock_timeout', current_setting('audit_seal.lock_timeout'), true);
                SELECT (SELECT last_value FROM %s),
                       (SELECT ARRAY[seq::text, entry_hash] FROM audit_seal_entry
                         ORDER BY seq DESC LIMIT 1),
                       (SELECT ARRAY[valid_to::text] FROM audit_seal_key WHERE key_id = %s),
                       clock_timestamp() AT TIME ZONE 'UTC'
                """,
                f"{int(timeout_ms)}ms",
                CHAIN_LOCK_KEY,
                SQL.identifier(HEAD_SEQUENCE),
                signer.key_id,
            )
        )
        marker, own, key_row, signed_at = cr.fetchone()
        own = (int(own[0]), own[1]) if own else None
        head_seq, head_hash, fresh = self._seal_head(marker, own)
        key_state = (key_row is not None, key_row[0] if key_row else None)
        return head_seq, head_hash, fresh, key_state, signed_at

    @api.model
    def _seal_head(self, marker=None, own=False):
        """(seq, hash, fresh) of the chain head, to be called under the chain lock.

        Odoo's cursors are REPEATABLE READ: the transaction's snapshot may predate appends that
        committed while it waited for the lock. ``audit_seal_head_seq`` (a sequence, so not
        rolled back and not subject to snapshots) holds the head number of the last append;
        when the snapshot's head matches it, the snapshot is fresh. Otherwise the head is read
        through a new connection, which sees every committed append (no other append can
        commit while we hold the lock); own uncommitted appends, if any, are newer still.
        ``marker`` and ``own`` (the snapshot's head, ``None`` for an empty ledger) may be
        given when already read (:meth:`_seal_lock`).
        """
        cr = self.env.cr
        if own is False:
            cr.execute(
                SQL(
                    "SELECT (SELECT last_value FROM %s), seq, entry_hash FROM audit_seal_entry "
                    "ORDER BY seq DESC LIMIT 1",
                    SQL.identifier(HEAD_SEQUENCE),
                )
            )
            row = cr.fetchone()
            own = (row[1], row[2]) if row else None
            marker = row[0] if row else None
        if own is None:
            own = (0, GENESIS_HASH)
        if marker is None:
            marker = self._seal_head_marker()
        if marker == own[0]:
            return own[0], own[1], True
        with db_connect(cr.dbname).cursor() as fresh_cr:
            # a table lock held by our own transaction (DDL) would make this read wait for
            # ever: fail the append instead of hanging the worker
            fresh_cr.execute("SET LOCAL lock_timeout = '10s'")
            fresh_cr.execute(
                "SELECT seq, entry_hash FROM audit_seal_entry ORDER BY seq DESC LIMIT 1"
            )
            fresh_row = fresh_cr.fetchone()
        committed = (fresh_row[0], fresh_row[1]) if fresh_row else (0, GENESIS_HASH)
        head = max(own, committed)
        return head[0], head[1], False

    @api.model
    def _seal_head_marker(self):
        self.env.cr.execute(SQL("SELECT last_value FROM %s", SQL.identifier(HEAD_SEQUENCE)))
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------ public API

    @api.model
    @api.readonly
    def verify_chain(self, check_records=True):
        """Verify the whole chain and, with ``check_records``, every sealed record's row.

        Returns ``{"ok", "entries", "checkpoints", "first_bad_seq", "reason", "head_seq",
        "head_hash", "records_checked"}``; ``first_bad_seq`` is False when the chain verifies.
        Callable over XML-RPC and JSON-2 by Audit Seal managers. Every entry is verified,
        whatever its company; the reason names what belongs to companies the caller may not
        read by sequence, model and id only.
        """
        self._seal_check_manager()
        runs = self.env["audit.seal.verification"]
        result = runs.sudo()._seal_verify(check_records=bool(check_records))
        result["reason"] = runs._seal_reason(result, runs._seal_visible_companies())
        return self._seal_plain_result(result)

    def action_verify_chain(self):
        """Button: verify now, store the run and open it.

        A list-header button: the web client calls it on the selected entries (or none); the
        whole chain is verified whatever the selection, so ``self`` is not read.
        """
        self._seal_check_manager()
        run = self.env["audit.seal.verification"].sudo()._seal_run("manual")
        return {
            "type": "ir.actions.act_window",
            "res_model": "audit.seal.verification",
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_export_chain(self):
        """Button: download the NDJSON export of the whole chain (streamed by the controller).

        A list-header button, called on the selected entries (or none) like ``action_verify_chain``.
        """
        self._seal_check_manager()
        return {"type": "ir.actions.act_url", "url": "/audit_seal/export", "target": "self"}

    @api.model
    def _seal_check_manager(self):
        if not (self.env.su or self.env.user.has_group("audit_seal.group_seal_manager")):
            raise AccessError(
                self.env._("Only Audit Seal managers may verify or export the sealed ledger.")
            )

    @api.model
    def _seal_plain_result(self, result):
        plain = dict(result)
        plain.pop("problems", None)
        plain["reason"] = str(plain["reason"])
        if plain.get("first_bad_seq") is None:
            plain["first_bad_seq"] = False
        return plain

    # ------------------------------------------------------------------ export

    @api.model
    def _seal_export_lines(self, chunk=5000):
        """Yield the NDJSON export (bytes lines), streaming the ledger in sequence order.

        The whole chain is exported. Entries of companies the user may not read are written
        without their payload (``redacted`` lines of a version 2 export, see
        ``lib/export.py``): their hashes keep the chain verifiable from end to end, offline
        too, and the verifier reports them as redacted.
        """
        self._seal_check_manager()
        cr = self.env.cr
        companies = self.env["audit.seal.verification"]._seal_visible_companies()
        version = export.VERSION if companies is None else export.REDACTED_VERSION
        yield export.dump_line(
            export.header_record(cr.dbname, format_datetime(fields.Datetime.now()), version)
        )
        for key in self.env["audit.seal.key"].sudo().search([], order="valid_from, id"):
            yield export.dump_line(
                export.key_record(
                    key.key_id,
                    key.public_key,
                    key.valid_from,
                    key.valid_to or None,
                    key.is_demo,
                )
            )
        totals = {"entries": 0, "checkpoints": 0, "redacted": 0, "head": (0, GENESIS_HASH)}
        last_seq = 0
        while True:
            rows = self._seal_export_rows(last_seq, chunk, companies)
            end = rows[-1][0] if rows else None
            yield from self._seal_export_chunk(rows, last_seq, end, totals)
            if not rows:
                break
            last_seq = end
        yield export.dump_line(
            export.end_record(
                totals["entries"],
                totals["checkpoints"],
                *totals["head"],
                None if companies is None else totals["redacted"],
            )
        )

    @api.model
    def _seal_export_rows(self, last_seq, chunk, companies):
        """``(seq, prev_hash, entry_hash, payload)`` of the next ``chunk`` entries after
        ``last_seq``; ``payload`` is None for an entry of a company not in ``companies``
        (None: every company), which is not even read."""
        if companies is None:
            visible = SQL("TRUE")
        else:
            visible = SQL("company_id IS NULL OR company_id = ANY(%s)", sorted(companies))
        self.env.cr.execute(
            SQL(
                "SELECT seq, prev_hash, entry_hash, CASE WHEN %s THEN payload END "
                "FROM audit_seal_entry WHERE seq > %s ORDER BY seq LIMIT %s",
                visible,
                last_seq,
                chunk,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _seal_export_chunk(self, rows, last_seq, end, totals):
        """Lines of the entries ``rows`` (after ``last_seq``, up to ``end``; None: the
        checkpoints after the last entry) with each checkpoint after the entry it ends on."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT seq_from, seq_to, head_hash, signed_at, key_id, signature, "
                "tsa_token, tsa_gen_time, tsa_serial, tsa_nonce, tsa_name "
                "FROM audit_seal_checkpoint WHERE seq_to > %s AND (%s IS NULL OR seq_to <= %s) "
                "ORDER BY seq_to",
                last_seq,
                end,
                end,
            )
        )
        cps = cr.fetchall()
        index = 0
        for seq, prev_hash, hash_, payload in rows:
            if payload is None:
                yield export.dump_line(export.redacted_record(seq, prev_hash, hash_))
                totals["redacted"] += 1
            else:
                yield export.dump_line(export.entry_record(seq, prev_hash, hash_, payload))
            totals["entries"] += 1
            totals["head"] = (seq, hash_)
            while index < len(cps) and cps[index][1] <= seq:
                yield _checkpoint_line(cps[index])
                totals["checkpoints"] += 1
                index += 1
        for cp in cps[index:]:
            yield _checkpoint_line(cp)
            totals["checkpoints"] += 1
