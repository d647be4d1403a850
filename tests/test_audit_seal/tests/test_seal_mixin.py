import json
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from odoo.addons.audit_seal.lib.canonical import canonical_json, format_datetime
from odoo.addons.audit_seal.lib.chain import entry_hash

from .common import SealCase


class TestSealMixin(SealCase):
    def test_records_are_appended_at_commit_not_at_create(self):
        before = self.head_seq()
        records = self.Record.create([{"name": "A"}, {"name": "B"}])
        self.assertFalse(self.entry_of(records[0]), "nothing is sealed before the commit")
        self.env["audit.seal.entry"]._seal_run_pending()
        entries = self.Entry.search([("seq", ">", before)], order="seq")
        self.assertEqual(entries.mapped("seq"), [before + 1, before + 2])
        self.assertEqual(entries.mapped("res_id"), records.ids)
        checkpoint = self.Checkpoint.search([("seq_to", "=", before + 2)])
        self.assertEqual(
            (checkpoint.seq_from, checkpoint.head_hash), (before + 1, entries[1].entry_hash)
        )
        self.assertTrue(checkpoint.signature_valid)

    def test_entry_hash_chains_payload_sequence_and_previous_hash(self):
        records = self.seal(2)
        first, second = self.entry_of(records[0]), self.entry_of(records[1])
        self.assertEqual(second.prev_hash, first.entry_hash)
        self.assertEqual(
            second.entry_hash, entry_hash(first.entry_hash, second.seq, second.payload.encode())
        )
        payload = json.loads(second.payload)
        self.assertEqual(payload["model"], "audit.seal.test.record")
        self.assertEqual(payload["res_id"], records[1].id)
        self.assertEqual(payload["uid"], self.env.uid)
        # envelope version 2: the record's company (the demo record has none)
        self.assertEqual((payload["v"], payload["company"]), (2, None))
        self.assertFalse(second.company_id)
        self.assertEqual(payload["data"]["partner_id"], "res.partner,%s" % self.partner.id)
        self.assertEqual(payload["data"]["quantity"], "3")
        self.assertEqual(canonical_json(payload), second.payload.encode())
        # the row's own columns say what the payload's envelope says
        self.assertEqual(
            (second.res_model, second.res_id, second.op, second.user_id.id),
            (payload["model"], payload["res_id"], payload["op"], payload["uid"]),
        )
        self.env.cr.execute("SELECT sealed_at FROM audit_seal_entry WHERE id = %s", [second.id])
        self.assertEqual(format_datetime(self.env.cr.fetchone()[0]), payload["ts"])

    def test_one_checkpoint_per_append(self):
        before = self.Checkpoint.search_count([])
        self.seal(3)
        self.seal(2)
        self.assertEqual(self.Checkpoint.search_count([]) - before, 2)

    def test_write_on_sealed_field_is_refused_even_for_superuser(self):
        record = self.seal()
        with self.assertRaisesRegex(UserError, "sealed in the audit ledger"):
            record.sudo().write({"name": "Changed"})
        with self.assertRaisesRegex(UserError, "sealed in the audit ledger"):
            record.with_user(self.manager).write({"quantity": 99})
        record.invalidate_recordset()
        self.assertEqual(record.name, "Record 0")

    def test_write_on_free_field_is_allowed(self):
        record = self.seal()
        record.write({"comment": "checked by QA"})
        self.env.flush_all()
        self.assertEqual(record.comment, "checked by QA")
        self.assertTrue(self.verify()["ok"])

    def test_record_may_change_until_its_transaction_commits(self):
        record = self.Record.create({"name": "Draft"})
        record.write({"name": "Final"})
        self.env["audit.seal.entry"]._seal_run_pending()
        self.assertIn('"name":"Final"', self.entry_of(record).payload)
        self.assertTrue(self.verify()["ok"])

    def test_unlink_is_refused_for_everyone(self):
        record = self.seal()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            record.sudo().unlink()
        self.assertTrue(record.exists())

    def test_raw_sql_update_delete_truncate_are_refused(self):
        record = self.seal()
        table = self.Record._table
        with self.assertRaisesSql('column "name"'):
            self.env.cr.execute(f"UPDATE {table} SET name = 'x' WHERE id = %s", [record.id])
        with self.assertRaisesSql("cannot be deleted"):
            self.env.cr.execute(f"DELETE FROM {table} WHERE id = %s", [record.id])
        with self.assertRaisesSql("TRUNCATE"):
            self.env.cr.execute(f"TRUNCATE {table} CASCADE")
        with self.assertRaisesSql('column "create_date"'):
            self.env.cr.execute(
                f"UPDATE {table} SET create_date = create_date - interval '1 day' WHERE id = %s",
                [record.id],
            )
        # a column outside the payload may change
        self.env.cr.execute(f"UPDATE {table} SET comment = 'ok' WHERE id = %s", [record.id])

    def test_ledger_tables_refuse_any_change(self):
        self.seal()
        for sql in (
            "UPDATE audit_seal_entry SET payload = payload",
            "DELETE FROM audit_seal_entry",
            "TRUNCATE audit_seal_entry",
            "UPDATE audit_seal_checkpoint SET signature = signature",
            "DELETE FROM audit_seal_checkpoint",
            "DELETE FROM audit_seal_key",
            "UPDATE audit_seal_key SET public_key = 'x'",
            "DELETE FROM audit_seal_model",
        ):
            with self.subTest(sql=sql), self.assertRaisesSql("audit_seal"):
                self.env.cr.execute(sql)

    def test_initialising_the_models_again_keeps_the_guards_without_locking_the_tables(self):
        """A module install or upgrade initialises the sealed models again, then seals in the
        same transaction; sealing may read the chain head through a second connection. Guards
        re-created there would hold the tables' ACCESS EXCLUSIVE lock and that read would wait
        for ever (the install of trace_events hung so)."""
        for model in ("audit.seal.entry", "audit.seal.checkpoint", "audit.seal.key"):
            self.env[model].init()
        self.Record._seal_install_guards()  # what the sealed models' init() runs after setup
        self.env.cr.execute(
            """
            SELECT l.relation::regclass::text FROM pg_locks l
             WHERE l.pid = pg_backend_pid() AND l.mode = 'AccessExclusiveLock'
               AND l.relation IS NOT NULL
            """
        )
        self.assertFalse(self.env.cr.fetchall())
        # the guards are still there
        self.seal()
        with self.assertRaisesSql("audit_seal"):
            self.env.cr.execute("DELETE FROM audit_seal_entry")

    def test_guard_of_a_changed_sealed_column_list_is_replaced(self):
        table = self.Record._table
        self.env.cr.execute(f"DROP TRIGGER audit_seal_guard ON {table}")
        self.env.cr.execute(
            f"CREATE TRIGGER audit_seal_guard BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW "
            "EXECUTE FUNCTION audit_seal_guard_row('audit.seal.test.record', 'id', 'id')"
        )
        record = self.seal()
        self.env.cr.execute(f"UPDATE {table} SET name = 'x' WHERE id = %s", [record.id])
        self.Record._seal_install_guards()
        with self.assertRaisesSql("audit_seal"):
            self.env.cr.execute(f"UPDATE {table} SET name = 'y' WHERE id = %s", [record.id])

    def test_rolled_back_work_leaves_no_entry_and_no_gap(self):
        before = self.head_seq()
        with self.assertRaises(ValueError), self.env.cr.savepoint():
            self.Record.create({"name": "Rolled back"})
            raise ValueError("abort")
        self.env["audit.seal.entry"]._seal_run_pending()
        self.assertEqual(self.head_seq(), before)
        record = self.seal()
        self.assertEqual(self.entry_of(record).seq, before + 1)
        self.assertTrue(self.verify()["ok"])

    def test_savepoints_are_not_the_commit(self):
        before = self.head_seq()
        kept = self.Record.create({"name": "Before the savepoints"})
        with self.env.cr.savepoint():  # flushes and runs Odoo's pre-commit callbacks
            pass
        self.assertEqual(self.head_seq(), before, "a savepoint must not append")
        for flush in (True, False):  # base_import's dry run uses a savepoint without flush
            with self.assertRaises(ValueError), self.env.cr.savepoint(flush=flush):
                self.Record.create({"name": "Rolled back"})
                self.env.flush_all()
                raise ValueError("abort")
        self.Entry._seal_run_pending()
        entries = self.Entry.search([("seq", ">", before)])
        self.assertEqual(entries.mapped("res_id"), kept.ids, "sealed despite the rollbacks")
        self.assertTrue(self.verify()["ok"])

    def test_fast_payload_equals_the_general_canonical_form(self):
        records = self.Record.create(
            [
                {"name": "Full", "reference": "R\t1\\", "quantity": 1e-5, "note": "é\n\u2028"},
                {"name": "Empty", "quantity": 0.0, "event_time": False, "kind": False},
                {"name": "Big", "quantity": 123456789.125, "event_date": "2026-02-28"},
            ]
        )
        records[0].partner_id = self.partner
        fast = records._seal_payload_json()
        general = records._seal_payload_data()
        for record in records:
            self.assertEqual(fast[record.id].encode(), canonical_json(general[record.id]))
        self.env["audit.seal.entry"]._seal_run_pending()
        for record in records:
            payload = json.loads(self.entry_of(record).payload)
            self.assertEqual(canonical_json(payload["data"]), canonical_json(general[record.id]))
        self.assertTrue(self.verify()["ok"])

    def test_user_who_sealed_entries_cannot_be_deleted(self):
        author = new_test_user(
            self.env, login="seal_author", groups="base.group_user,audit_seal.group_seal_manager"
        )
        record = self.Record.with_user(author).create({"name": "By author"})
        self.env["audit.seal.entry"]._seal_run_pending()
        self.assertEqual(self.entry_of(record).user_id, author)
        with self.assertRaisesRegex(UserError, "sealed entries in the audit ledger"):
            author.unlink()
        with self.assertRaisesSql("sealed ledger entries"):
            self.env.cr.execute("DELETE FROM res_users WHERE id = %s", [author.id])
        self.assertTrue(author.exists())
        self.clerk.unlink()  # a user who sealed nothing may still be deleted
        self.assertFalse(self.clerk.exists())

    def test_failure_while_streaming_the_entries_inserts_none(self):
        before = self.head_seq()

        def failing_hashes(prev_hash, first_seq, payloads):
            yield from ["0" * 64] * 35  # the first chunk of 32 rows is sent, then it fails
            raise ValueError("hashing failed")

        entry_module = "odoo.addons.audit_seal.models.audit_seal_entry"
        with (
            patch(f"{entry_module}.iter_chain_hashes", failing_hashes),
            mute_logger("odoo.sql_db"),
            self.assertRaisesRegex(ValueError, "hashing failed"),
            self.env.cr.savepoint(),
        ):
            self.Record.create([{"name": "S%s" % i} for i in range(40)])
            self.env["audit.seal.entry"]._seal_run_pending()
        self.assertEqual(self.head_seq(), before)
        self.assertTrue(self.verify(check_records=False)["ok"])
