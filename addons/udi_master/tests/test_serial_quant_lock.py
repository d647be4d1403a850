"""One serial number is never reserved twice by two transactions at once.

Odoo changes a quant with ``SKIP LOCKED`` and, when another transaction holds it, creates a
second quant of the same serial number in the same place: two deliveries then reserve the one
unit, and the second fails at validation ("The serial number has already been assigned"; found by
tests/load with 4 clerks and more). udi_master waits for the other transaction instead, within a
bound. These tests hold the quant from a second real connection, so they commit their data and
remove it at the end.
"""

import datetime
import threading
import time
from unittest.mock import patch

import psycopg2.errors

from odoo import api
from odoo.modules.registry import Registry
from odoo.orm.environments import Transaction
from odoo.service import model as service_model
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.udi_master.models.stock_quant import StockQuant

BOUND_MS = 2000


@tagged("post_install", "-at_install")
class TestSerialQuantLock(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        cls.startClassPatcher(
            patch.object(StockQuant, "_udi_serial_lock_timeout", return_value=BOUND_MS)
        )
        with cls.registry.cursor() as cr:
            env = cls._env(cr)
            product = env["product.product"].create(
                {"name": "Serial lock test pacemaker", "is_storable": True, "tracking": "serial"}
            )
            lot, later = env["stock.lot"].create(
                [
                    {"name": "SQL-LOCK-0001", "product_id": product.id},
                    {"name": "SQL-LOCK-0002", "product_id": product.id},
                ]
            )
            stock = env.ref("stock.stock_location_stock")
            # first in, first out: SQL-LOCK-0001 is the one a delivery reserves first
            env["stock.quant"]._update_available_quantity(
                product, stock, 1, lot_id=lot, in_date=datetime.datetime(2026, 1, 5)
            )
            env["stock.quant"]._update_available_quantity(
                product, stock, 1, lot_id=later, in_date=datetime.datetime(2026, 1, 6)
            )
            quant = env["stock.quant"].search([("lot_id", "=", lot.id)])
            cls.product_id, cls.lot_id, cls.later_lot_id, cls.stock_id, cls.quant_id = (
                product.id, lot.id, later.id, stock.id, quant.id,
            )
        cls.addClassCleanup(cls._remove_committed)

    @classmethod
    def _env(cls, cr):
        # the test runner holds the registry lock: give the cursor its own transaction so that
        # the Environment does not wait for that lock
        cr.transaction = Transaction(cls.registry)
        return api.Environment(cr, api.SUPERUSER_ID, {})

    @classmethod
    def _remove_committed(cls):
        with cls.registry.cursor() as cr:
            env = cls._env(cr)
            lots = env["stock.lot"].browse([cls.lot_id, cls.later_lot_id])
            env["stock.quant"].search([("lot_id", "in", lots.ids)]).sudo().unlink()
            lots.unlink()
            env["product.product"].browse(cls.product_id).product_tmpl_id.unlink()

    def _other(self):
        """A second real connection that holds the serial's quant, as a concurrent reservation or
        validation does."""
        other = db_connect(get_db_name()).cursor()
        self.addCleanup(other.close)
        self.addCleanup(other.rollback)
        other.execute(
            "SELECT id FROM stock_quant WHERE id = %s FOR NO KEY UPDATE", [self.quant_id]
        )
        return other

    def _reserve(self, env):
        """Reserve the serial in WH/Stock as a delivery's reservation does."""
        quants = env["stock.quant"]
        quants._update_available_quantity(
            env["product.product"].browse(self.product_id),
            env["stock.location"].browse(self.stock_id),
            reserved_quantity=1,
            lot_id=env["stock.lot"].browse(self.lot_id),
        )

    def _quants(self, cr):
        cr.execute(
            "SELECT id, quantity, reserved_quantity FROM stock_quant"
            " WHERE lot_id = %s AND location_id = %s ORDER BY id",
            [self.lot_id, self.stock_id],
        )
        return [(row[0], float(row[1]), float(row[2])) for row in cr.fetchall()]

    def test_a_held_serial_fails_within_the_bound_and_is_not_reserved_again(self):
        other = self._other()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.errors.LockNotAvailable) as caught,
            ):
                self._reserve(env)
            cr.rollback()
        other.rollback()
        # Odoo's request loop and queue_job retry it
        self.assertIn(caught.exception.pgcode, service_model.PG_CONCURRENCY_ERRORS_TO_RETRY)
        with self.registry.cursor() as cr:
            self.assertEqual(self._quants(cr), [(self.quant_id, 1.0, 0.0)])

    def test_the_reservation_takes_the_same_quant_once_the_other_rolls_back(self):
        other = self._other()
        timer = threading.Timer(0.3, other.rollback)
        self.addCleanup(timer.cancel)
        timer.start()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            self._reserve(env)
            env.flush_all()
            # one quant, reserved once: not a second quant of the same serial (Odoo's SKIP
            # LOCKED would have created it while the other connection held the first)
            self.assertEqual(self._quants(cr), [(self.quant_id, 1.0, 1.0)])
            cr.rollback()

    def test_a_reservation_committed_meanwhile_makes_this_one_retry(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            # this transaction's snapshot is taken before the other's reservation commits
            self.assertEqual(self._quants(cr), [(self.quant_id, 1.0, 0.0)])
            other = self._other()
            other.execute(
                "UPDATE stock_quant SET reserved_quantity = 1 WHERE id = %s", [self.quant_id]
            )
            timer = threading.Timer(0.3, other.commit)
            self.addCleanup(timer.cancel)
            timer.start()
            try:
                with (
                    mute_logger("odoo.sql_db"),
                    self.assertRaises(psycopg2.errors.SerializationFailure),
                ):
                    self._reserve(env)
            finally:
                timer.join()
                cr.rollback()
                with self.registry.cursor() as undo:
                    undo.execute(
                        "UPDATE stock_quant SET reserved_quantity = 0 WHERE id = %s",
                        [self.quant_id],
                    )
        with self.registry.cursor() as cr:
            self.assertEqual(self._quants(cr), [(self.quant_id, 1.0, 0.0)])

    def _delivery(self, env):
        """A delivery of one unit of the product, confirmed and reserved as the clerk's
        "Check Availability" does; returns the serial it reserved."""
        picking = env["stock.picking"].create(
            {
                "picking_type_id": env.ref("stock.picking_type_out").id,
                "location_id": self.stock_id,
                "location_dest_id": env.ref("stock.stock_location_customers").id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.product_id,
                            "product_uom_qty": 1,
                            "location_id": self.stock_id,
                            "location_dest_id": env.ref("stock.stock_location_customers").id,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        return picking.move_line_ids.lot_id.name

    def test_a_delivery_passes_over_the_serial_another_is_reserving(self):
        # another delivery holds the first serial (its reservation not committed yet)
        other = self._other()
        with self.registry.cursor() as cr:
            env = self._env(cr)
            with mute_logger("odoo.sql_db"):
                self.assertEqual(self._delivery(env), "SQL-LOCK-0002")
            cr.rollback()
        other.rollback()

    def test_a_delivery_passes_over_the_serial_another_reserved_since_it_began(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            # this transaction's snapshot: the first serial is free
            self.assertEqual(self._quants(cr), [(self.quant_id, 1.0, 0.0)])
            with self.registry.cursor() as committed:
                committed.execute(
                    "UPDATE stock_quant SET reserved_quantity = 1 WHERE id = %s", [self.quant_id]
                )
            try:
                with mute_logger("odoo.sql_db"):
                    # without a look at the latest state: a serialization failure
                    self.assertEqual(self._delivery(env), "SQL-LOCK-0002")
            finally:
                cr.rollback()
                with self.registry.cursor() as undo:
                    undo.execute(
                        "UPDATE stock_quant SET reserved_quantity = 0 WHERE id = %s",
                        [self.quant_id],
                    )

    def test_a_serial_this_transaction_changed_is_still_its_own_to_reserve(self):
        # this transaction returns the first serial's unit (its committed state: reserved by
        # another delivery), then reserves: the other connection's view is stale, not busy
        with self.registry.cursor() as committed:
            committed.execute(
                "UPDATE stock_quant SET reserved_quantity = 1 WHERE id = %s", [self.quant_id]
            )
        try:
            with self.registry.cursor() as cr:
                env = self._env(cr)
                cr.execute(
                    "UPDATE stock_quant SET reserved_quantity = 0 WHERE id = %s",
                    [self.quant_id],
                )
                env.invalidate_all()
                self.assertEqual(self._delivery(env), "SQL-LOCK-0001")
                cr.rollback()
        finally:
            with self.registry.cursor() as undo:
                undo.execute(
                    "UPDATE stock_quant SET reserved_quantity = 0 WHERE id = %s", [self.quant_id]
                )

    def test_a_serial_taken_between_the_look_and_the_choice_is_passed_over_without_a_wait(self):
        # the other delivery takes the first serial right after this one looked at the latest
        # state (which then said free): this one must not wait for the other's whole request
        other = self._other()
        with (
            patch.object(StockQuant, "_udi_busy_quant_ids", return_value=set()),
            self.registry.cursor() as cr,
        ):
            env = self._env(cr)
            started = time.monotonic()
            with mute_logger("odoo.sql_db"):
                self.assertEqual(self._delivery(env), "SQL-LOCK-0002")
            # no wait for the bound (2 s) on the first serial's lock
            self.assertLess(time.monotonic() - started, BOUND_MS / 1000)
            cr.rollback()
        other.rollback()

    def test_a_reservation_never_takes_less_than_odoo_would(self):
        # both serials look busy to the check (as a serial this transaction changed in a
        # savepoint does): the delivery still reserves one, instead of nothing
        with (
            patch.object(
                StockQuant,
                "_udi_busy_quant_ids",
                side_effect=lambda quant_ids: set(quant_ids),
            ),
            self.registry.cursor() as cr,
        ):
            env = self._env(cr)
            self.assertIn(self._delivery(env), ("SQL-LOCK-0001", "SQL-LOCK-0002"))
            cr.rollback()
