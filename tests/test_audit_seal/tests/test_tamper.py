"""Tampering behind the ledger's back is detected and reported at the right entry."""

from unittest.mock import patch

from odoo.addons.audit_seal.lib.chain import checkpoint_message
from odoo.addons.audit_seal.lib.keys import (
    generate_private_key_pem,
    key_id,
    load_private_key_pem,
    public_raw,
    sign,
)

from .common import SealCase


class TestTamper(SealCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.batches = [cls._seal_cls(3), cls._seal_cls(2), cls._seal_cls(4)]

    @classmethod
    def _seal_cls(cls, count):
        records = cls.env["audit.seal.test.record"].create(
            [
                {"name": "T%s" % i, "quantity": i + 0.25, "partner_id": cls.partner.id}
                for i in range(count)
            ]
        )
        cls.env["audit.seal.entry"]._seal_run_pending()
        return records

    def setUp(self):
        super().setUp()
        self.assertTrue(self.verify()["ok"], "the untouched chain must verify")
        self.target = self.batches[1][1]  # the last entry of the middle checkpoint
        self.entry = self.entry_of(self.target)
        self.checkpoint = self.Checkpoint.search([("seq_to", "=", self.entry.seq)])

    def sql(self, query, params=()):
        with self.triggers_disabled():
            self.env.cr.execute(query, params)

    def assertDetectedAt(self, seq, reason_part):
        result = self.verify()
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_bad_seq"], seq, result["reason"])
        self.assertIn(reason_part, result["reason"])
        return result

    def test_one_byte_of_sealed_payload(self):
        payload = self.entry.payload
        self.sql(
            "UPDATE audit_seal_entry SET payload = %s WHERE id = %s",
            [payload.replace('"T1"', '"T7"'), self.entry.id],
        )
        self.assertDetectedAt(self.entry.seq, "hash mismatch")

    def test_one_byte_of_stored_hash(self):
        hash_ = self.entry.entry_hash
        self.sql(
            "UPDATE audit_seal_entry SET entry_hash = %s WHERE id = %s",
            [("0" if hash_[0] != "0" else "1") + hash_[1:], self.entry.id],
        )
        self.assertDetectedAt(self.entry.seq, "hash mismatch")

    def test_one_byte_of_signature(self):
        signature = self.checkpoint.signature
        self.sql(
            "UPDATE audit_seal_checkpoint SET signature = %s WHERE id = %s",
            [("A" if signature[0] != "A" else "B") + signature[1:], self.checkpoint.id],
        )
        self.assertDetectedAt(self.checkpoint.seq_from, "invalid signature")

    def test_deleted_entry(self):
        seq = self.entry.seq
        self.sql("DELETE FROM audit_seal_entry WHERE id = %s", [self.entry.id])
        self.assertDetectedAt(seq, "missing")

    def test_deleted_first_entry_of_checkpoint(self):
        first = self.Entry.search([("seq", "=", self.checkpoint.seq_from)])
        seq = first.seq
        self.sql("DELETE FROM audit_seal_entry WHERE id = %s", [first.id])
        self.assertDetectedAt(seq, "missing")

    def test_swapped_entries(self):
        first = self.batches[0][0]
        a, b = self.entry_of(first), self.entry_of(self.batches[0][1])
        seq_a, seq_b = a.seq, b.seq
        self.sql("UPDATE audit_seal_entry SET seq = -seq WHERE id IN %s", [(a.id, b.id)])
        self.sql("UPDATE audit_seal_entry SET seq = %s WHERE id = %s", [seq_b, a.id])
        self.sql("UPDATE audit_seal_entry SET seq = %s WHERE id = %s", [seq_a, b.id])
        self.assertDetectedAt(seq_a, "previous hash")

    def test_resigned_with_unregistered_key(self):
        rogue = load_private_key_pem(generate_private_key_pem())
        rogue_id = key_id(public_raw(rogue))
        cp = self.checkpoint
        message = checkpoint_message(cp.seq_from, cp.seq_to, cp.head_hash, cp.signed_at, rogue_id)
        self.sql(
            "UPDATE audit_seal_checkpoint SET key_id = %s, signature = %s WHERE id = %s",
            [rogue_id, sign(rogue, message), cp.id],
        )
        self.assertDetectedAt(cp.seq_from, "not registered")

    def test_rewritten_entry_with_recomputed_hashes(self):
        """A database-only attacker can recompute hashes, not the signature."""
        from odoo.addons.audit_seal.lib.chain import entry_hash

        entries = self.Entry.search([("seq", ">=", self.entry.seq)], order="seq")
        prev = self.entry.prev_hash
        for entry in entries:
            payload = (
                entry.payload.replace('"T1"', '"T9"') if entry == self.entry else entry.payload
            )
            new_hash = entry_hash(prev, entry.seq, payload.encode())
            self.sql(
                "UPDATE audit_seal_entry SET payload = %s, prev_hash = %s, entry_hash = %s "
                "WHERE id = %s",
                [payload, prev, new_hash, entry.id],
            )
            prev = new_hash
        result = self.verify(check_records=False)  # the signature alone catches it
        self.assertEqual(result["first_bad_seq"], self.checkpoint.seq_from)
        self.assertIn("head hash", result["reason"])

    def test_sealed_row_edited_in_sql_with_trigger_disabled(self):
        table = self.Record._table
        self.env.cr.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_seal_guard")
        self.env.cr.execute(f"UPDATE {table} SET quantity = 1000 WHERE id = %s", [self.target.id])
        self.env.cr.execute(f"ALTER TABLE {table} ENABLE TRIGGER audit_seal_guard")
        self.env.invalidate_all()
        self.assertDetectedAt(self.entry.seq, "no longer matches its sealed payload")
        self.assertTrue(self.verify(check_records=False)["ok"], "the chain itself is intact")

    def test_field_sealed_after_the_record_must_have_stayed_empty(self):
        """A field added to the sealed fields after a record was sealed is not in its payload:
        the record verifies while the field is empty, and not once it was set behind the
        ledger (the re-check compares such a record value by value, not as text)."""
        Record = type(self.Record)
        names = (*Record._seal_fields, "comment")
        with patch.object(Record, "_seal_fields", names):
            self.assertTrue(self.verify()["ok"], "an empty added field is no difference")
            table = self.Record._table
            self.env.cr.execute(
                f"UPDATE {table} SET comment = 'set' WHERE id = %s", [self.target.id]
            )
            self.env.invalidate_all()
            self.assertDetectedAt(self.entry.seq, "no longer matches its sealed payload")

    def test_sealed_row_deleted_in_sql(self):
        self.sql(f"DELETE FROM {self.Record._table} WHERE id = %s", [self.target.id])
        self.assertDetectedAt(self.entry.seq, "deleted behind the ledger")

    def test_ledger_columns_changed_behind_the_envelope(self):
        """The screens show the entry's columns: each must equal its sealed envelope."""
        other = self.env.ref("base.user_admin").id
        for column, value in (
            ("user_id", other),
            ("sealed_at", "2020-01-01 00:00:00"),
            ("op", "purge"),
            ("res_id", self.batches[0][0].id),
            ("company_id", self.env.company.id),  # the rule that says who may read it
        ):
            with self.subTest(column=column), self.env.cr.savepoint(flush=False) as savepoint:
                self.sql(
                    f"UPDATE audit_seal_entry SET {column} = %s WHERE seq = %s",
                    [value, self.entry.seq],
                )
                self.assertDetectedAt(self.entry.seq, "differs from its sealed envelope")
                savepoint.rollback()
        self.assertTrue(self.verify()["ok"])

    def test_purge_switch_on_a_plain_connection_is_detected(self):
        """``SET audit_seal.purge = on`` opens the delete trigger, not the ledger: a delete
        without a purge entry is reported with its record."""
        self.env.cr.execute("SET LOCAL audit_seal.purge = on")
        self.env.cr.execute(f"DELETE FROM {self.Record._table} WHERE id = %s", [self.target.id])
        self.env.cr.execute("SET LOCAL audit_seal.purge = off")
        self.env.invalidate_all()
        result = self.assertDetectedAt(self.entry.seq, "deleted behind the ledger")
        self.assertIn(f"{self.target._name},{self.target.id}", result["reason"])

    def test_row_inserted_behind_the_ledger(self):
        self.env.cr.execute(
            f"INSERT INTO {self.Record._table} (name, quantity, create_date, write_date) "
            "VALUES ('forged', 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC') RETURNING id"
        )
        forged_id = self.env.cr.fetchone()[0]
        result = self.assertDetectedAt(self.head_seq() + 1, "has no ledger entry")
        self.assertIn(str(forged_id), result["reason"])

    # tail truncation: removing the newest entries with their checkpoints (and their records)
    # leaves a chain that verifies on its own; only a head verified earlier shows the cut

    def truncate_last_batch(self):
        records = self.batches[-1]
        entries = self.Entry.search(
            [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        )
        first = min(entries.mapped("seq"))
        self.sql("DELETE FROM audit_seal_checkpoint WHERE seq_to >= %s", [first])
        self.sql("DELETE FROM audit_seal_entry WHERE seq >= %s", [first])
        self.sql(f"DELETE FROM {self.Record._table} WHERE id IN %s", [tuple(records.ids)])
        return first

    def test_truncation_below_a_head_given_out_is_reported(self):
        """A head printed in a partner's notice is evidence the ledger must keep."""
        head = self.env["audit.seal.published.head"]._seal_publish("RC/TEST/001 to a@b.example")
        self.assertEqual(
            (head.seq, head.head_hash),
            (self.head_seq(), self.Checkpoint.search([], limit=1).head_hash),
        )
        self.assertTrue(self.verify()["ok"])
        first = self.truncate_last_batch()
        result = self.assertDetectedAt(first, "given out as signed head")
        self.assertIn("RC/TEST/001", result["reason"])

    def test_tail_truncation_is_invisible_without_an_earlier_head(self):
        self.truncate_last_batch()
        self.assertTrue(self.verify()["ok"], "the limit documented in the README")

    def test_tail_truncation_is_reported_against_the_last_verified_head(self):
        run = self.env["audit.seal.verification"]._seal_run("manual")
        self.assertEqual((run.state, run.head_seq), ("ok", self.head_seq()))
        first = self.truncate_last_batch()
        result = self.assertDetectedAt(first, "tail truncation")
        self.assertIn(str(run.head_seq), result["reason"])
        self.assertEqual(
            self.verify(check_records=False)["first_bad_seq"], first, "a chain property"
        )

    def test_truncated_then_appended_again_is_reported_at_the_verified_head(self):
        run = self.env["audit.seal.verification"]._seal_run("manual")
        self.truncate_last_batch()
        self.seal(len(self.batches[-1]) + 2)  # new, validly signed entries from the cut on
        self.assertGreater(self.head_seq(), run.head_seq)
        self.assertDetectedAt(run.head_seq, "appended again")
