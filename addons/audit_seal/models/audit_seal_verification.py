import functools
import json
import logging
import time

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.canonical import CanonicalError, canonical_json
from ..lib.chain import ENVELOPE_VERSION, PAYLOAD_VERSION
from ..lib.fragments import envelope_parts
from ..lib.keys import parse_public_key
from ..lib.verify import ChainVerifier, KeyInfo

_logger = logging.getLogger(__name__)

CHUNK = 5000
#: how an entry appended before the company was sealed ends (envelope version 1)
_V1_END = f',"v":{PAYLOAD_VERSION}}}'


@functools.lru_cache(maxsize=256)
def _envelope_parts(model, op, uid, sealed_at, company, version):
    """:func:`envelope_parts`, remembered: the entries of one transaction share their envelope
    (model, operation, user, time, company), and encoding it costs more than hashing an entry."""
    return envelope_parts(model, op, uid, sealed_at, company, version)


class SealProblem(str):
    """A problem found by verification whose text shows content of one company's records.

    ``company_id`` is that company (False: the text shows nothing of a company's records),
    ``redacted`` the same problem named by sequence, model and id only: what users who may
    not read that company's records are told (:meth:`AuditSealVerification._seal_reason`).
    """

    def __new__(cls, text, company_id=False, redacted=None):
        problem = super().__new__(cls, text)
        problem.company_id = company_id or False
        problem.redacted = text if redacted is None else redacted
        return problem


class AuditSealVerification(models.Model):
    """One verification run of the whole ledger: OK, or the first bad entry and why."""

    _name = "audit.seal.verification"
    _description = "Audit Seal Verification Run"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    state = fields.Selection(
        [("ok", "Verified"), ("failed", "Tampering Detected")],
        string="Result",
        required=True,
        readonly=True,
    )
    trigger = fields.Selection(
        [("manual", "Button"), ("cron", "Scheduled")],
        required=True,
        readonly=True,
    )
    entries = fields.Integer(string="Entries Verified", readonly=True)
    checkpoints = fields.Integer(string="Checkpoints Verified", readonly=True)
    records_checked = fields.Integer(string="Records Re-checked", readonly=True)
    head_seq = fields.Integer(string="Head Sequence", readonly=True)
    head_hash = fields.Char(readonly=True)
    first_bad_seq = fields.Integer(string="First Bad Entry", readonly=True)
    reason = fields.Text(
        readonly=True,
        help="What failed. Details that belong to a company's records are given here only when "
        "every Audit Seal manager may read that company's records, otherwise the record is "
        "named by model and id (verifying the chain over the API gives each user the details "
        "of its own companies).",
    )
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 3))
    user_id = fields.Many2one("res.users", string="Run By", readonly=True)

    @api.depends("create_date", "state")
    def _compute_name(self):
        for run in self:
            run.name = "%s %s" % (
                fields.Datetime.to_string(run.create_date) if run.create_date else "",
                dict(self._fields["state"].get_description(self.env)["selection"]).get(
                    run.state, ""
                ),
            )

    # ------------------------------------------------------------------ runs

    @api.model
    def _seal_run(self, trigger):
        """Verify the chain and store the run (read by every Audit Seal manager: its reason
        shows only what all of them may read, the server log has the details)."""
        started = time.perf_counter()
        result = self._seal_verify(check_records=True)
        full_reason = result["reason"]
        result["reason"] = self._seal_reason(result, self._seal_managers_companies())
        run = self.create(
            {
                "state": "ok" if result["ok"] else "failed",
                "trigger": trigger,
                "entries": result["entries"],
                "checkpoints": result["checkpoints"],
                "records_checked": result["records_checked"],
                "head_seq": result["head_seq"],
                "head_hash": result["head_hash"],
                "first_bad_seq": result["first_bad_seq"] or 0,
                "reason": result["reason"],
                "duration": time.perf_counter() - started,
                "user_id": self.env.uid,
            }
        )
        if not result["ok"]:
            _logger.error(
                "audit_seal: chain verification FAILED at entry %s: %s",
                result["first_bad_seq"],
                full_reason,
            )
        return run

    # ------------------------------------------------------------------ what a reader may see

    @api.model
    def _seal_visible_companies(self):
        """Ids of the companies whose records the current user may read (as the record rules
        do: the request's allowed companies), or None for every company."""
        if self.env.su:
            return None
        allowed = set(self.env.companies.ids)
        if allowed >= set(self.env["res.company"].sudo().search([]).ids):
            return None
        return allowed

    @api.model
    def _seal_managers_companies(self):
        """Ids of the companies every Audit Seal manager may read (None: every company)."""
        managers = self.env.ref("audit_seal.group_seal_manager").sudo().all_user_ids
        managers = managers.filtered(lambda user: user.active and not user.share)
        everyone = set(self.env["res.company"].sudo().search([]).ids)
        common = set(everyone)
        for user in managers:
            common &= set(user.company_ids.ids)
        return None if common >= everyone else common

    @api.model
    def _seal_reason(self, result, companies):
        """The reason of ``result`` as users of ``companies`` (None: all) may read it: the
        problems that show content of another company's records named by model and id only
        (:class:`SealProblem`); problems of unknown company in a generic sentence."""
        problems = result.get("problems")
        if companies is None or not problems:
            return result["reason"]
        texts = []
        for problem in problems:
            if isinstance(problem, SealProblem):
                visible = not problem.company_id or problem.company_id in companies
                texts.append(str(problem) if visible else problem.redacted)
            else:
                texts.append(
                    self.env._(
                        "a sealed record does not bind what it refers to any more (the details "
                        "are given to users who may read the records of every company)"
                    )
                )
        return "; ".join(dict.fromkeys(texts))

    def action_verify_chain(self):
        """List-header button, called on the selected runs (or none): verify the chain now."""
        return self.env["audit.seal.entry"].action_verify_chain()

    @api.model
    def _cron_verify(self):
        self.sudo()._seal_run("cron")

    # ------------------------------------------------------------------ verification

    @api.model
    def _seal_key_infos(self):
        keys = {}
        for key in self.env["audit.seal.key"].sudo().search([]):
            keys[key.key_id] = KeyInfo(
                parse_public_key(key.public_key), key.valid_from, key.valid_to or None
            )
        return keys

    @api.model
    def _seal_verify(self, check_records=True):
        """Stream the ledger in sequence order through the shared verifier.

        Entries are read in chunks by keyset pagination on ``seq`` and checkpoints are merged
        in after the entry they end on, so memory does not grow with the ledger. With
        ``check_records``, each sealed record's current row is serialised again and compared
        with its sealed payload, and records created without a ledger entry are reported.
        """
        cr = self.env.cr
        verifier = ChainVerifier(self._seal_key_infos())
        anchor = self._seal_anchor()
        purged = self._seal_purged_records() if check_records else set()
        row_failure = None
        records_checked = 0
        last_seq = 0
        last_cp = 0
        while not verifier.failed:
            cr.execute(
                SQL(
                    """
                    SELECT seq, prev_hash, entry_hash, payload, res_model, res_id, op,
                           user_id, sealed_at, company_id
                      FROM audit_seal_entry WHERE seq > %s ORDER BY seq LIMIT %s
                    """,
                    last_seq,
                    CHUNK,
                )
            )
            rows = cr.fetchall()
            if not rows:
                break
            chunk_end = rows[-1][0]
            cr.execute(
                SQL(
                    """
                    SELECT seq_from, seq_to, head_hash, signed_at, key_id, signature
                      FROM audit_seal_checkpoint WHERE seq_to > %s AND seq_to <= %s
                     ORDER BY seq_to
                    """,
                    last_cp,
                    chunk_end,
                )
            )
            self._seal_verify_chunk(verifier, rows, cr.fetchall(), anchor)
            last_seq = chunk_end
            last_cp = chunk_end
            if check_records:
                checked, failure = self._seal_check_rows(rows, purged)
                records_checked += checked
                if failure and (row_failure is None or failure[0] < row_failure[0]):
                    row_failure = failure
                if row_failure:
                    break
            self.env.invalidate_all()
        if not verifier.failed and row_failure is None:
            # checkpoints that end after the last entry: their entries are missing
            cr.execute(
                SQL(
                    """
                    SELECT seq_from, seq_to, head_hash, signed_at, key_id, signature
                      FROM audit_seal_checkpoint WHERE seq_to > %s ORDER BY seq_to LIMIT 1
                    """,
                    last_cp,
                )
            )
            for checkpoint in cr.fetchall():
                verifier.checkpoint(*checkpoint)
        result = verifier.finish()
        if row_failure and (
            verifier.first_bad_seq is None or row_failure[0] < verifier.first_bad_seq
        ):
            result.update(ok=False, first_bad_seq=row_failure[0], reason=row_failure[1])
        self._seal_check_end(result, anchor, check_records)
        self.env["audit.seal.checkpoint"].sudo()._seal_check_timestamps(result)
        result["records_checked"] = records_checked
        return result

    @api.model
    def _seal_verify_chunk(self, verifier, rows, checkpoints, anchor):
        """Feed one chunk of entries to ``verifier``, each checkpoint after the entry it ends
        on; stop at the first failure (hash, envelope columns, verified head, signature)."""
        cp_index = 0
        for seq, prev_hash, hash_, payload, model, res_id, op, uid, sealed_at, company in rows:
            if not verifier.entry(seq, prev_hash, hash_, payload.encode("utf-8")):
                return
            if not self._seal_columns_match(payload, model, res_id, op, uid, sealed_at, company):
                verifier.fail(seq, self._seal_columns_reason(seq))
                return
            if anchor and seq == anchor.head_seq and hash_ != anchor.head_hash:
                verifier.fail(seq, self._seal_rewritten_reason(anchor))
                return
            while cp_index < len(checkpoints) and checkpoints[cp_index][1] <= seq:
                if not verifier.checkpoint(*checkpoints[cp_index]):
                    return
                cp_index += 1

    @api.model
    def _seal_columns_match(self, payload, model, res_id, op, uid, sealed_at, company):
        """Whether an entry's columns (what the ledger screens show, and what its company rule
        filters on) are its sealed envelope.

        The payload is verified by the hash: its envelope must start and end in exactly the
        text that these columns give (cheaper than parsing every payload). An entry appended
        before the company was sealed (envelope version 1) has no company to compare with:
        the update gave it its record's company once (migration 19.0.1.2.0)."""
        version = PAYLOAD_VERSION if payload.endswith(_V1_END) else ENVELOPE_VERSION
        if version == PAYLOAD_VERSION:
            company = None
        try:
            head, middle, tail = _envelope_parts(
                model, op, uid, sealed_at, company or None, version
            )
        except (CanonicalError, TypeError, ValueError):
            return False
        return payload.startswith(head) and payload.endswith(f"{middle}{res_id}{tail}")

    @api.model
    def _seal_columns_reason(self, seq):
        return self.env._(
            "entry %(seq)s: its model, record, operation, user, company or time column differs "
            "from its sealed envelope (the ledger row was changed behind the ledger's back)",
            seq=seq,
        )

    @api.model
    def _seal_check_end(self, result, anchor, check_records):
        """Checks of a chain that verified: against the stored anchor and, with
        ``check_records``, for records without entry. Updates ``result`` on failure."""
        if not result["ok"]:
            return
        if anchor and result["head_seq"] < anchor.head_seq:
            result.update(
                ok=False,
                first_bad_seq=result["head_seq"] + 1,
                reason=self._seal_truncated_reason(anchor, result["head_seq"]),
            )
            return
        if check_records:
            missing = self._seal_unsealed_record()
            if missing:
                result.update(
                    ok=False,
                    first_bad_seq=result["head_seq"] + 1,
                    reason=self.env._(
                        "record %(record)s has no ledger entry (entries were removed from the "
                        "end of the ledger, or the row was inserted behind the ledger's back)",
                        record=missing,
                    ),
                )
                return
            problems = self._seal_binding_problems()
            missing = self.env["audit.seal.published.head"].sudo()._seal_missing_heads()
            if missing:
                result.update(
                    ok=False,
                    first_bad_seq=result["head_seq"] + 1,
                    reason="; ".join(missing[:5]),
                    problems=missing[:5],
                )
                return
            if problems:
                result.update(
                    ok=False,
                    first_bad_seq=0,
                    reason="; ".join(problems[:10]),
                    problems=problems[:10],
                )

    @api.model
    def _seal_binding_problems(self):
        """Sealed records that no longer bind what they refer to (a signature whose document
        changed after signing, a document showing another document's signature): texts for
        the run's reason. Addons with such bindings extend this; the ledger has none.

        A text that names content of a company's records (names, signers, documents) should
        be a :class:`SealProblem` with that company and a redacted text (model and id): users
        of other companies get the redacted text. Plain texts are shown in full only to users
        of every company."""
        return []

    @api.model
    def _seal_anchor(self):
        """The stored run that verified the longest chain (empty when none did).

        The ledger only grows: an entry once verified stays, with the same hash. Comparing with
        this run detects the one change a chain verified from the database alone cannot show,
        the removal of its newest entries together with their checkpoints (tail truncation),
        also when new entries were appended after the cut. It is no stronger than the stored
        run itself: keep the head of an export outside the database too (see the README).
        """
        return self.sudo().search(
            [("state", "=", "ok"), ("head_seq", ">", 0)], order="head_seq desc, id desc", limit=1
        )

    @api.model
    def _seal_truncated_reason(self, anchor, head_seq):
        return self.env._(
            "the ledger ends at entry %(head)s, but the verification run of %(date)s verified "
            "it up to entry %(seq)s: entries %(first)s to %(seq)s were removed from its end "
            "(tail truncation)",
            head=head_seq,
            date=fields.Datetime.to_string(anchor.create_date),
            seq=anchor.head_seq,
            first=head_seq + 1,
        )

    @api.model
    def _seal_rewritten_reason(self, anchor):
        return self.env._(
            "entry %(seq)s no longer has the hash %(hash)s verified by the run of %(date)s: the "
            "end of the ledger was removed and appended again from an earlier entry",
            seq=anchor.head_seq,
            hash=anchor.head_hash,
            date=fields.Datetime.to_string(anchor.create_date),
        )

    @api.model
    def _seal_purged_records(self):
        self.env.cr.execute(
            SQL("SELECT res_model, res_id FROM audit_seal_entry WHERE op = 'purge'")
        )
        return set(self.env.cr.fetchall())

    @api.model
    def _seal_check_rows(self, rows, purged):
        """Compare each sealed record's current row with its payload; first failure or None.

        The current rows of a model are written as canonical JSON by the append's own fast path
        (:meth:`audit.seal.mixin._seal_payload_json`, byte-identical to the canonical form of
        :meth:`_seal_payload_data`), put in the entry's envelope and compared with the sealed
        payload as text: equal text is equal data. Only a record whose text differs is
        compared value by value (:meth:`_seal_same_data`: a field added to the model after the
        record was sealed, still empty, is not a difference).
        """
        by_model = {}
        for seq, _prev, _hash, payload, model, res_id, op, uid, at, company in rows:
            if op == "create":
                by_model.setdefault(model, []).append((seq, res_id, payload, uid, at, company))
        failures = []
        checked = 0
        for model, items in by_model.items():
            if model not in self.env:
                continue  # the addon that defined it is uninstalled: nothing to compare with
            records = (
                self.env[model]
                .sudo()
                .with_context(active_test=False, prefetch_fields=False, audit_seal_recheck=True)
            )
            existing = records.browse([item[1] for item in items]).exists()
            current_json = existing._seal_payload_json()
            current = None  # the plain values, read only when a text differs
            for seq, res_id, payload, uid, sealed_at, company in items:
                text = current_json.get(res_id)
                if text is None:
                    if (model, res_id) not in purged:
                        failures.append((seq, self._seal_deleted_reason(seq, model, res_id)))
                    continue
                checked += 1
                if self._seal_same_text(payload, text, model, res_id, uid, sealed_at, company):
                    continue
                if current is None:
                    current = existing._seal_payload_data()
                try:
                    sealed = json.loads(payload)["data"]
                    same = self._seal_same_data(sealed, current[res_id])
                except (ValueError, KeyError, TypeError, CanonicalError):
                    same = False
                if not same:
                    failures.append((seq, self._seal_changed_reason(seq, model, res_id)))
        return checked, (min(failures) if failures else None)

    @api.model
    def _seal_same_text(self, payload, data_json, model, res_id, uid, sealed_at, company):
        """Whether ``payload`` is exactly the envelope of this entry around ``data_json`` (the
        record's current canonical JSON): then the sealed data is the current data."""
        version = PAYLOAD_VERSION if payload.endswith(_V1_END) else ENVELOPE_VERSION
        try:
            head, middle, tail = _envelope_parts(
                model,
                "create",
                uid,
                sealed_at,
                (company or None) if version == ENVELOPE_VERSION else None,
                version,
            )
        except (CanonicalError, TypeError, ValueError):
            return False
        return payload == f"{head}{data_json}{middle}{res_id}{tail}"

    @api.model
    def _seal_deleted_reason(self, seq, model, res_id):
        return self.env._(
            "entry %(seq)s: record %(model)s,%(id)s was deleted behind the ledger's back",
            seq=seq,
            model=model,
            id=res_id,
        )

    @api.model
    def _seal_changed_reason(self, seq, model, res_id):
        return self.env._(
            "entry %(seq)s: record %(model)s,%(id)s no longer matches its sealed payload (the "
            "row was changed behind the ledger's back)",
            seq=seq,
            model=model,
            id=res_id,
        )

    @api.model
    def _seal_same_data(self, sealed, current):
        """Whether a record's current values are its sealed ones.

        A field added to a sealed model after a record was sealed is absent from the record's
        payload: it must still be empty on that record (nothing was sealed, so nothing may have
        been set behind the ledger's back); every sealed field must be equal.
        """
        added = set(current) - set(sealed)
        if any(current[name] not in (None, False, 0, "", []) for name in added):
            return False
        kept = {name: value for name, value in current.items() if name not in added}
        return canonical_json(sealed) == canonical_json(kept)

    @api.model
    def _seal_unsealed_record(self):
        """First sealed-model record created after sealing started that has no entry."""
        cr = self.env.cr
        pending_all = self.env["audit.seal.entry"]._seal_pending(create=False)
        for sealed in self.env["audit.seal.model"].sudo().search([]):
            if sealed.model not in self.env:
                continue
            pending = list(pending_all["ids"].get(sealed.model, ())) if pending_all else []
            cr.execute(
                SQL(
                    """
                    SELECT t.id FROM %s t
                     WHERE t.id > %s AND NOT (t.id = ANY(%s))
                       AND NOT EXISTS (SELECT 1 FROM audit_seal_entry e
                                        WHERE e.res_model = %s AND e.res_id = t.id)
                     ORDER BY t.id LIMIT 1
                    """,
                    SQL.identifier(self.env[sealed.model]._table),
                    sealed.since_id,
                    pending,
                    sealed.model,
                )
            )
            row = cr.fetchone()
            if row:
                return f"{sealed.model},{row[0]}"
        return None
