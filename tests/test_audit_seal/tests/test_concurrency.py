"""Several real connections append at once: one gapless chain, no fork, no deadlock."""

import threading

from odoo import api
from odoo.tests import tagged

from odoo.addons.audit_seal.lib.export import verify_export
from odoo.addons.audit_seal.models.audit_seal_entry import CHAIN_LOCK_KEY

from .common import RealCommitCase

THREADS = 4
TRANSACTIONS = 6
RECORDS = 3


@tagged("post_install", "-at_install")
class TestConcurrentAppend(RealCommitCase):
    """Commits for real (each worker has its own cursor), then removes what it committed."""

    def _state(self, cr):
        cr.execute(
            "SELECT (SELECT coalesce(max(seq), 0) FROM audit_seal_entry),"
            " (SELECT coalesce(max(seq_to), 0) FROM audit_seal_checkpoint),"
            " (SELECT coalesce(max(id), 0) FROM audit_seal_test_record),"
            " (SELECT coalesce(max(id), 0) FROM audit_seal_key)"
        )
        return cr.fetchone()

    def _cleanup(self, base):
        seq, _cp, record_id, key_id = base
        with self.registry.cursor() as cr:
            cr.execute("SET LOCAL session_replication_role = replica")
            cr.execute("DELETE FROM audit_seal_checkpoint WHERE seq_to > %s", [seq])
            cr.execute("DELETE FROM audit_seal_entry WHERE seq > %s", [seq])
            cr.execute("DELETE FROM audit_seal_test_record WHERE id > %s", [record_id])
            cr.execute("DELETE FROM audit_seal_key WHERE id > %s", [key_id])
            cr.execute("UPDATE audit_seal_key SET valid_to = NULL WHERE id = %s", [key_id])
            cr.execute("SELECT setval('audit_seal_head_seq', %s, true)", [seq])

    def test_savepoints_neither_append_nor_take_the_chain_lock(self):
        with self.registry.cursor() as cr:
            base = self._state(cr)
        self.addCleanup(self._cleanup, base)
        with self.registry.cursor() as cr, self.registry.cursor() as other:
            Record = self._env(cr)["audit.seal.test.record"]
            kept = Record.create([{"name": "before the savepoints"}])
            with cr.savepoint():  # flushes, which runs Odoo's pre-commit callbacks
                kept |= Record.create([{"name": "in a released savepoint"}])
            with self.assertRaises(ValueError), cr.savepoint():
                gone = Record.create([{"name": "in a rolled-back savepoint"}])
                raise ValueError("abort")
            cr.execute("SELECT count(*) FROM audit_seal_entry WHERE seq > %s", [base[0]])
            self.assertEqual(cr.fetchone()[0], 0, "nothing is appended before the commit")
            other.execute("SELECT pg_try_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
            self.assertTrue(
                other.fetchone()[0], "the open transaction must not hold the chain lock"
            )
            other.rollback()  # lets the lock go again
            # this test's own cursor: the append happens at a real commit
            cr.commit()  # pylint: disable=invalid-commit
            cr.execute(
                "SELECT res_id FROM audit_seal_entry WHERE seq > %s AND "
                "res_model = 'audit.seal.test.record' ORDER BY seq",
                [base[0]],
            )
            self.assertEqual([row[0] for row in cr.fetchall()], kept.ids)
            self.assertNotIn(gone.id, kept.ids)
            result = self._env(cr)["audit.seal.entry"].verify_chain()
            self.assertTrue(result["ok"], result)

    def test_parallel_appends_form_one_gapless_verifiable_chain(self):
        with self.registry.cursor() as cr:
            base = self._state(cr)
            cr.execute("SELECT valid_to FROM audit_seal_key WHERE id = %s", [base[3]])
            row = cr.fetchone()
            self.assertFalse(row and row[0], "the latest key must be current before the test")
        self.addCleanup(self._cleanup, base)
        barrier = threading.Barrier(THREADS)
        errors = []

        def worker(index):
            try:
                barrier.wait(timeout=30)
                for tx in range(TRANSACTIONS):
                    with self.registry.cursor() as cr:
                        env = self._env(cr)
                        env["audit.seal.test.record"].create(
                            [
                                {"name": f"w{index} t{tx} r{r}", "quantity": r + 0.5}
                                for r in range(RECORDS)
                            ]
                        )
                        # business work after the create, outside the chain lock
                        cr.execute("SELECT pg_sleep(0.01)")
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse([t for t in threads if t.is_alive()], "deadlock: workers still waiting")
        self.assertEqual(errors, [])

        expected = THREADS * TRANSACTIONS * RECORDS
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*), min(seq), max(seq), count(DISTINCT seq) FROM audit_seal_entry "
                "WHERE seq > %s",
                [base[0]],
            )
            count, first, last, distinct = cr.fetchone()
            self.assertEqual(
                (count, first, last, distinct),
                (expected, base[0] + 1, base[0] + expected, expected),
            )
            cr.execute(
                "SELECT count(*), sum(seq_to - seq_from + 1) FROM audit_seal_checkpoint "
                "WHERE seq_to > %s",
                [base[0]],
            )
            self.assertEqual(cr.fetchone(), (THREADS * TRANSACTIONS, expected))
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            result = env["audit.seal.entry"].verify_chain()
            self.assertTrue(result["ok"], result)
            self.assertEqual(result["head_seq"], base[0] + expected)
            self.assertTrue(verify_export(env["audit.seal.entry"]._seal_export_lines())["ok"])
            cr.rollback()
