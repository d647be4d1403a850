import io
import logging
from collections import defaultdict

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError
from odoo.sql_db import db_connect
from odoo.tools import SQL

from ..lib import export
from ..lib.canonical import format_datetime
from ..lib.chain import GENESIS_HASH, chain_hashes, checkpoint_message, entry_payload
from ..lib.keys import sign
from ..tools import seal_sql

_logger = logging.getLogger(__name__)

PENDING_KEY = "audit_seal.pending"
#: pg_advisory_xact_lock key of the chain append ("audit_sea" in ASCII)
CHAIN_LOCK_KEY = 0x61756469745F736561
CHAIN_LOCK_KEY = CHAIN_LOCK_KEY & 0x7FFFFFFFFFFFFFFF
#: non-transactional mirror of the head sequence number (see _seal_head)
HEAD_SEQUENCE = "audit_seal_head_seq"
#: COPY text format escapes (canonical JSON never holds raw control characters; be safe anyway)
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class AuditSealEntry(models.Model):
    """One link of the chain. Rows are inserted in batch by the pre-commit hook, never edited."""

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
    user_id = fields.Many2one("res.users", string="User", readonly=True, ondelete="restrict")
    sealed_at = fields.Datetime(string="Sealed At", required=True, readonly=True)
    payload = fields.Text(string="Canonical Payload", required=True, readonly=True)
    prev_hash = fields.Char(string="Previous Hash", required=True, readonly=True)
    entry_hash = fields.Char(string="Hash", required=True, readonly=True)
    record_name = fields.Char(string="Record", compute="_compute_record_name")
    retention_until = fields.Date(string="Retain Until", compute="_compute_retention")
    retention_permanent = fields.Boolean(
        string="Retained Permanently", compute="_compute_retention"
    )

    _seq_unique = models.UniqueIndex("(seq)")
    _record_index = models.Index("(res_model, res_id)")

    def init(self):
        super().init()
        cr = self.env.cr
        seal_sql.guard_ledger_table(cr, self._table)
        cr.execute(
            SQL(
                "CREATE SEQUENCE IF NOT EXISTS %s MINVALUE 0 START 0",
                SQL.identifier(HEAD_SEQUENCE),
            )
        )

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for entry in self:
            name = False
            if entry.res_model in self.env and entry.res_id:
                record = self.env[entry.res_model].browse(entry.res_id).exists()
                name = record.sudo().display_name if record else False
            entry.record_name = name or f"{entry.res_model},{entry.res_id}"

    def _compute_retention(self):
        for entry in self:
            until, permanent = False, False
            if entry.res_model in self.env and entry.op == "create":
                record = self.env[entry.res_model].browse(entry.res_id).exists()
                if record:
                    until = record._seal_retention_dates()[record.id]
                    permanent = until is False
            entry.retention_until = until
            entry.retention_permanent = permanent

    # ------------------------------------------------------------------ pending records

    @api.model
    def _seal_pending(self, create=True):
        cr = self.env.cr
        pending = cr.precommit.data.get(PENDING_KEY)
        if pending is None and create:
            pending = cr.precommit.data[PENDING_KEY] = {"items": [], "ids": defaultdict(set)}

            def _audit_seal_precommit():
                data = cr.precommit.data.pop(PENDING_KEY, None)
                if data and data["items"]:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env["audit.seal.entry"]._seal_append(data["items"])

            cr.precommit.add(_audit_seal_precommit)
        return pending

    @api.model
    def _seal_register_pending(self, records):
        """Queue new records of a sealed model for the append at commit."""
        if not records:
            return
        pending = self._seal_pending()
        uid = self.env.uid
        model = records._name
        pending["items"].extend(("create", model, rid, uid, None) for rid in records._ids)
        pending["ids"][model].update(records._ids)

    @api.model
    def _seal_register_purge(self, records, data_by_id):
        pending = self._seal_pending()
        uid = self.env.uid
        pending["items"].extend(
            ("purge", records._name, rid, uid, data_by_id[rid]) for rid in records._ids
        )

    @api.model
    def _seal_pending_ids(self, model):
        """Ids of ``model`` created in this transaction and not sealed yet."""
        pending = self._seal_pending(create=False)
        return pending["ids"].get(model, set()) if pending else set()

    # ------------------------------------------------------------------ append

    @api.model
    def _seal_build_payloads(self, items):
        """Canonical payloads of the queued items, in order (computed before taking the lock)."""
        ts = self.env.cr.now()
        by_model = defaultdict(list)
        purged = set()
        for op, model, rid, _uid, _data in items:
            if op == "create":
                by_model[model].append(rid)
            else:
                purged.add((model, rid))
        values = {}
        for model, ids in by_model.items():
            records = self.env[model].browse(ids).with_context(active_test=False)
            if purged:
                records = records.exists()
            values[model] = records._seal_payload_data()
        rows = []
        for op, model, rid, uid, data in items:
            if op == "create":
                data = values[model].get(rid)
                if data is None:  # created then purged in the same transaction
                    continue
            rows.append((model, rid, op, uid, entry_payload(model, rid, op, uid, ts, data)))
        return ts, rows

    @api.model
    def _seal_append(self, items):
        """Append the queued records to the chain and sign the new head (pre-commit hook)."""
        ts, rows = self._seal_build_payloads(items)
        if not rows:
            return
        signer = self.env["audit.seal.key"]._seal_signer()
        cr = self.env.cr
        # --- one short critical section, held until COMMIT right after this hook ---
        cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", CHAIN_LOCK_KEY))
        head_seq, head_hash, fresh = self._seal_head()
        self.env["audit.seal.key"]._seal_ensure_registered(signer, fresh)
        first = head_seq + 1
        hashes = chain_hashes(head_hash, first, [row[4] for row in rows])
        prevs = [head_hash, *hashes[:-1]]
        self._seal_copy_entries(first, ts, rows, prevs, hashes)
        last = first + len(rows) - 1
        cr.execute(SQL("SELECT clock_timestamp() AT TIME ZONE 'UTC'"))
        signed_at = cr.fetchone()[0]
        message = checkpoint_message(first, last, hashes[-1], signed_at, signer.key_id)
        cr.execute(
            SQL(
                """
                INSERT INTO audit_seal_checkpoint
                    (seq_from, seq_to, head_hash, signed_at, key_id, signature)
                VALUES (%s, %s, %s, %s, %s, %s)
                """,
                first,
                last,
                hashes[-1],
                signed_at,
                signer.key_id,
                sign(signer.private_key, message),
            )
        )
        cr.execute(SQL("SELECT setval(%s, %s, true)", HEAD_SEQUENCE, last))
        self.env["audit.seal.entry"].invalidate_model()
        self.env["audit.seal.checkpoint"].invalidate_model()

    @api.model
    def _seal_copy_entries(self, first, ts, rows, prevs, hashes):
        """One COPY of all the transaction's entries (the cheapest bulk insert)."""
        sealed_at = ts.isoformat(sep=" ")
        buffer = io.StringIO()
        write = buffer.write
        for offset, (model, res_id, op, uid, payload) in enumerate(rows):
            text = payload.decode("utf-8").translate(_COPY_ESCAPES)
            write(
                f"{first + offset}\t{model}\t{res_id}\t{op}\t{uid}\t{sealed_at}\t{text}\t"
                f"{prevs[offset]}\t{hashes[offset]}\n"
            )
        buffer.seek(0)
        self.env.cr.copy_expert(
            "COPY audit_seal_entry (seq, res_model, res_id, op, user_id, sealed_at, payload, "
            "prev_hash, entry_hash) FROM STDIN",
            buffer,
        )

    @api.model
    def _seal_head(self):
        """(seq, hash, fresh) of the chain head, to be called under the chain lock.

        Odoo's cursors are REPEATABLE READ: the transaction's snapshot may predate appends that
        committed while it waited for the lock. ``audit_seal_head_seq`` (a sequence, so not
        rolled back and not subject to snapshots) holds the head number of the last append;
        when the snapshot's head matches it, the snapshot is fresh. Otherwise the head is read
        through a new connection, which sees every committed append (no other append can
        commit while we hold the lock); own uncommitted appends, if any, are newer still.
        """
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT (SELECT last_value FROM %s), seq, entry_hash FROM audit_seal_entry "
                "ORDER BY seq DESC LIMIT 1",
                SQL.identifier(HEAD_SEQUENCE),
            )
        )
        row = cr.fetchone()
        own = (row[1], row[2]) if row else (0, GENESIS_HASH)
        marker = row[0] if row else self._seal_head_marker()
        if marker == own[0]:
            return own[0], own[1], True
        with db_connect(cr.dbname).cursor() as fresh_cr:
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
        Callable over XML-RPC and JSON-2 by Audit Seal managers.
        """
        self._seal_check_manager()
        result = (
            self.env["audit.seal.verification"]
            .sudo()
            ._seal_verify(check_records=bool(check_records))
        )
        return self._seal_plain_result(result)

    @api.model
    def action_verify_chain(self):
        """Button: verify now, store the run and open it."""
        self._seal_check_manager()
        run = self.env["audit.seal.verification"].sudo()._seal_run("manual")
        return {
            "type": "ir.actions.act_window",
            "res_model": "audit.seal.verification",
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }

    @api.model
    def action_export_chain(self):
        """Button: download the NDJSON export (streamed by the controller)."""
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
        if plain.get("first_bad_seq") is None:
            plain["first_bad_seq"] = False
        return plain

    # ------------------------------------------------------------------ export

    @api.model
    def _seal_export_lines(self, chunk=5000):
        """Yield the NDJSON export (bytes lines), streaming the ledger in sequence order."""
        self._seal_check_manager()
        cr = self.env.cr
        yield export.dump_line(
            export.header_record(cr.dbname, format_datetime(fields.Datetime.now()))
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
        last_seq = 0
        count = checkpoints = 0
        head_seq, head_hash = 0, GENESIS_HASH
        while True:
            cr.execute(
                SQL(
                    "SELECT seq, prev_hash, entry_hash, payload FROM audit_seal_entry "
                    "WHERE seq > %s ORDER BY seq LIMIT %s",
                    last_seq,
                    chunk,
                )
            )
            rows = cr.fetchall()
            last_cp = last_seq
            if not rows:
                end = None
            else:
                end = rows[-1][0]
            cr.execute(
                SQL(
                    "SELECT seq_from, seq_to, head_hash, signed_at, key_id, signature "
                    "FROM audit_seal_checkpoint WHERE seq_to > %s AND (%s IS NULL OR seq_to <= %s) "
                    "ORDER BY seq_to",
                    last_cp,
                    end,
                    end,
                )
            )
            cps = cr.fetchall()
            index = 0
            for seq, prev_hash, hash_, payload in rows:
                yield export.dump_line(export.entry_record(seq, prev_hash, hash_, payload))
                count += 1
                head_seq, head_hash = seq, hash_
                while index < len(cps) and cps[index][1] <= seq:
                    yield export.dump_line(export.checkpoint_record(*cps[index]))
                    checkpoints += 1
                    index += 1
            for cp in cps[index:]:
                yield export.dump_line(export.checkpoint_record(*cp))
                checkpoints += 1
            if not rows:
                break
            last_seq = end
        yield export.dump_line(export.end_record(count, checkpoints, head_seq, head_hash))
