"""Holdings of a lot two transactions move at once: queued, never waited for, never wrong.

Every manufacturing order of a line consumes the same component lot. Each event refreshed the
lot's holdings by rewriting its rows, so a second order waited for the first to commit and then
failed on the conflict; at 8 and 16 concurrent clients some orders ran out of Odoo's retries
(found by tests/load). A transaction now rewrites a lot only when no other one is rewriting it
and none did since its snapshot; otherwise it queues the lot, whose holdings are read from its
lines until the refresh after the commit (or the cron) rewrites them.

The other transaction is a second real connection: it holds the lot's lock, or commits a
rewrite of it after this transaction's snapshot. The lot is committed (a version row of the
other connection needs it) and removed at the end; the events stay in the test's transaction.
"""

import datetime
import threading
import time
from unittest.mock import patch

import psycopg2.errors

from odoo import api
from odoo.exceptions import AccessError
from odoo.modules.registry import Registry
from odoo.orm.environments import Transaction
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.trace_events.models.trace_holding import (
    AFTER_COMMIT_LOCK_TIMEOUT_MS,
    LOCK_KEY,
    SETTLE_LOCK_TIMEOUT_MS,
    TraceHolding,
)


@tagged("post_install", "-at_install")
class TestHoldingConcurrency(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = cls._env(cr)
            product = env["product.product"].create(
                {"name": "Holding test cell lot", "is_storable": True, "tracking": "lot"}
            )
            lot = env["stock.lot"].create({"name": "HOLD-CC-0001", "product_id": product.id})
            cls.product_id, cls.lot_id = product.id, lot.id
        cls.addClassCleanup(cls._remove_committed)

    @classmethod
    def _env(cls, cr):
        # the test runner holds the registry lock: give the cursor its own transaction
        cr.transaction = Transaction(cls.registry)
        return api.Environment(cr, api.SUPERUSER_ID, {})

    @classmethod
    def _remove_committed(cls):
        with cls.registry.cursor() as cr:
            env = cls._env(cr)
            env["stock.lot"].browse(cls.lot_id).unlink()  # its version row goes with it
            env["product.product"].browse(cls.product_id).product_tmpl_id.unlink()

    def setUp(self):
        super().setUp()
        self.cr = self.registry.cursor()
        self.addCleanup(self.cr.close)
        self.addCleanup(self.cr.rollback)
        self.env = self._env(self.cr)
        # a wait for another transaction fails the test instead of hanging it
        self.cr.execute("SET lock_timeout = '3s'")
        self.addCleanup(self.cr.execute, "SET lock_timeout = 0")
        self.stock = self.env.ref("stock.stock_location_stock")
        self.customers = self.env.ref("stock.stock_location_customers")
        self.hospital = self.env["res.partner"].create({"name": "Holding test hospital"})

    def _receive(self):
        self._event("WH/IN/HOLD", 10, False, self.stock)

    def _event(self, document, quantity, source, dest, partner=False, lot=None):
        return self.env["trace.event"]._trace_create(
            [
                {
                    "event_type": "object",
                    "action": "observe",
                    "biz_step": "shipping" if partner else "receiving",
                    "event_time": datetime.datetime(2026, 11, 2, 8, 0),
                    "origin": "capture",
                    "biz_transaction": document,
                    "company_id": self.env.company.id,
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": self.product_id,
                                "lot_id": lot.id if lot else self.lot_id,
                                "lot_name": lot.name if lot else "HOLD-CC-0001",
                                "quantity": quantity,
                                "location_id": source and source.id,
                                "location_dest_id": dest.id,
                                "partner_dest_id": partner and partner.id,
                            },
                        )
                    ],
                }
            ]
        )

    def _other(self):
        other = db_connect(get_db_name()).cursor()
        self.addCleanup(other.close)
        self.addCleanup(other.rollback)
        other.execute("SET lock_timeout = '5s'")  # a test mistake fails, never hangs
        return other

    def _rows(self):
        """The holding rows of the lot in the table: {holder: (held, received)}."""
        self.cr.execute(
            "SELECT coalesce(partner_id, location_id), quantity, received_quantity"
            " FROM trace_holding WHERE lot_id = %s",
            [self.lot_id],
        )
        return {
            holder: (float(held), float(received)) for holder, held, received in self.cr.fetchall()
        }

    def _held(self):
        """The lot's holdings as a trace reads them: {holder: held}."""
        return {
            holder["partner_id"] or holder["location_id"]: holder["quantity"]
            for holder in self.env["trace.event"]._trace_holders([self.lot_id])
        }

    def _queued(self):
        self.cr.execute(
            "SELECT count(DISTINCT lot_id) FROM trace_holding_pending WHERE lot_id = %s",
            [self.lot_id],
        )
        return self.cr.fetchone()[0]

    def _move_while_another_rewrites(self):
        """Receive 10 units and ship 4 to the hospital while a second connection holds the
        lot's lock (as a manufacturing order that refreshed the lot, not committed yet, does).
        Returns the seconds the two events took."""
        other = self._other()
        other.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_KEY, self.lot_id])
        started = time.monotonic()
        self._receive()
        self._event("WH/OUT/HOLD", 4, self.stock, self.customers, self.hospital)
        took = time.monotonic() - started
        other.rollback()
        return took

    def test_a_lot_another_transaction_rewrites_is_queued_without_waiting(self):
        took = self._move_while_another_rewrites()
        self.assertLess(took, 2, "the events waited for the other transaction")
        self.assertEqual(self._queued(), 1)
        # nothing written to the table; readers see the receipt and the shipment all the same
        self.assertEqual(self._rows(), {})
        self.assertEqual(self._held(), {self.stock.id: 6.0, self.hospital.id: 4.0})
        # read together with a settled lot, each from where it is right
        other_lot = self.env["stock.lot"].create(
            {"name": "HOLD-CC-0002", "product_id": self.product_id}
        )
        self._event("WH/IN/HOLD2", 3, False, self.stock, lot=other_lot)
        self.assertEqual(
            {
                (holder["lot_id"], holder["partner_id"] or holder["location_id"]): holder[
                    "quantity"
                ]
                for holder in self.env["trace.event"]._trace_holders([self.lot_id, other_lot.id])
            },
            {
                (self.lot_id, self.stock.id): 6.0,
                (self.lot_id, self.hospital.id): 4.0,
                (other_lot.id, self.stock.id): 3.0,
            },
        )
        # and so do reports reading every lot at once (the implant tracking report)
        self.cr.execute(
            "SELECT coalesce(partner_id, location_id), quantity::float8"
            " FROM trace_holding_current WHERE lot_id = %s",
            [self.lot_id],
        )
        self.assertEqual(dict(self.cr.fetchall()), {self.stock.id: 6.0, self.hospital.id: 4.0})
        # refreshed right after this transaction commits
        self.assertEqual(self.cr.postcommit.data["trace.holding.pending"], {self.lot_id})

    def test_the_refresh_rewrites_the_queued_lot_and_empties_the_queue(self):
        self._move_while_another_rewrites()
        refreshed = self.env["trace.holding"]._trace_settle([self.lot_id], auto_commit=False)
        self.assertEqual(refreshed, 1)
        self.assertEqual(self._queued(), 0)
        self.assertEqual(self._rows(), {self.stock.id: (6.0, 10.0), self.hospital.id: (4.0, 4.0)})
        self.assertEqual(self._held(), {self.stock.id: 6.0, self.hospital.id: 4.0})
        self.assertEqual(self.env["trace.holding"]._trace_settle(auto_commit=False), 0)

    def test_a_queued_lot_is_pending_not_a_difference_for_the_consistency_check(self):
        self._move_while_another_rewrites()
        result = self.env["trace.event"].check_consistency()
        self.assertEqual(result["holdings_mismatched"], 0)
        self.assertEqual(result["holdings_queued"], 1)
        self.assertTrue(result["holdings_queued_since"])
        # the same table rows without the queue entry are a difference
        self.cr.execute("DELETE FROM trace_holding_pending WHERE lot_id = %s", [self.lot_id])
        result = self.env["trace.event"].check_consistency()
        self.assertEqual(result["holdings_queued"], 0)
        self.assertGreater(result["holdings_mismatched"], 0)
        self.assertFalse(result["ok"])

    def test_a_rewrite_committed_after_this_snapshot_queues_instead_of_failing(self):
        # this transaction's snapshot is taken; another one then commits a rewrite of the
        # lot: its version moves on where this snapshot cannot see
        self.assertEqual(self._rows(), {})
        other = self._other()
        other.execute(
            "INSERT INTO trace_holding_lot (lot_id, version) VALUES (%s, 7)", [self.lot_id]
        )
        other.commit()
        self.addCleanup(self._reset_version)
        self._receive()
        self.assertEqual(self._queued(), 1)
        self.assertEqual(self._rows(), {}, "nothing written from a stale snapshot")
        self.assertEqual(self._held(), {self.stock.id: 10.0})

    def test_the_holdings_list_flags_the_rows_of_a_queued_lot(self):
        self._receive()
        holdings = self.env["trace.holding"].search([("lot_id", "=", self.lot_id)])
        self.assertEqual(len(holdings), 1)
        self.assertFalse(holdings.refresh_queued)
        self.assertFalse(holdings.search([("refresh_queued", "=", True)]))
        # what a transaction moving the lot at the same time leaves
        self.env["trace.holding"]._trace_queue([self.lot_id])
        holdings.invalidate_recordset(["refresh_queued"])
        self.assertTrue(holdings.refresh_queued, "the list says the row may be late")
        self.assertEqual(holdings.search([("refresh_queued", "=", True)]), holdings)
        self.assertNotIn(holdings, holdings.search([("refresh_queued", "=", False)]))

    def test_the_queue_and_versions_are_for_administrators_only(self):
        # they name lots of every company, and nobody works with them but the system
        manager = self.env["res.users"].create(
            {
                "name": "Holding test trace manager",
                "login": "holding-test-trace-manager",
                "group_ids": [(6, 0, [self.env.ref("udi_master.group_trace_manager").id])],
            }
        )
        for model in ("trace.holding.pending", "trace.holding.lot"):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(manager).search([])

    def _reset_version(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM trace_holding_lot WHERE lot_id = %s", [self.lot_id])

    def test_a_lot_nobody_else_rewrites_is_rewritten_in_the_transaction(self):
        self._receive()
        self._event("WH/OUT/HOLD", 4, self.stock, self.customers, self.hospital)
        self.assertEqual(self._queued(), 0)
        self.assertEqual(self._rows(), {self.stock.id: (6.0, 10.0), self.hospital.id: (4.0, 4.0)})
        self.cr.execute("SELECT version FROM trace_holding_lot WHERE lot_id = %s", [self.lot_id])
        self.assertEqual(self.cr.fetchone()[0], 2, "one version per rewrite: receipt, shipment")
        self.assertNotIn("trace.holding.pending", self.cr.postcommit.data)

    def test_the_refresh_waits_for_a_rewrite_in_flight_within_its_bound(self):
        self._move_while_another_rewrites()
        other = self._other()
        other.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_KEY, self.lot_id])
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.LockNotAvailable),
            self.cr.savepoint(),
        ):
            self.env["trace.holding"]._trace_settle(
                [self.lot_id], auto_commit=False, lock_timeout_ms=300
            )
        self.assertEqual(self._queued(), 1, "left queued for the cron")
        # released meanwhile, the refresh goes through
        timer = threading.Timer(0.3, other.rollback)
        self.addCleanup(timer.cancel)
        timer.start()
        self.assertEqual(
            self.env["trace.holding"]._trace_settle([self.lot_id], auto_commit=False), 1
        )
        self.assertEqual(self._queued(), 0)

    def test_the_refresh_after_commit_gives_up_after_its_short_bound(self):
        # what a request does once committed, in a transaction of its own, while the user
        # waits: past its bound, the lot stays queued for the cron (read from its lines)
        other = self._other()
        other.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_KEY, self.lot_id])
        started = time.monotonic()
        TraceHolding._trace_settle_after_commit(self.registry, {self.lot_id})
        waited = time.monotonic() - started
        self.assertGreaterEqual(waited, AFTER_COMMIT_LOCK_TIMEOUT_MS / 1000 - 0.1)
        self.assertLess(waited, SETTLE_LOCK_TIMEOUT_MS / 1000, "the user waits the short bound")

    def test_a_failed_refresh_after_commit_keeps_the_request_answered(self):
        with (
            patch.object(TraceHolding, "_trace_settle", side_effect=RuntimeError("db gone")),
            self.assertLogs("odoo.addons.trace_events.models.trace_holding", "WARNING") as logs,
        ):
            TraceHolding._trace_settle_after_commit(self.registry, {self.lot_id})
        self.assertIn("the cron will", logs.output[0])
