"""One serial number is never reserved twice by two transactions at once.

Odoo changes a quant with ``SKIP LOCKED`` and, when another transaction holds it, creates a
second quant of the same serial number in the same place: two deliveries then reserve the one
unit, and the second fails at validation ("The serial number has already been assigned"; found by
tests/load with 4 clerks and more). udi_master waits for the other transaction instead, within a
bound. These tests hold the quant from a second real connection, so they commit their data and
remove it at the end.
"""

import threading
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
            lot = env["stock.lot"].create({"name": "SQL-LOCK-0001", "product_id": product.id})
            stock = env.ref("stock.stock_location_stock")
            env["stock.quant"]._update_available_quantity(product, stock, 1, lot_id=lot)
            quant = env["stock.quant"].search([("lot_id", "=", lot.id)])
            cls.product_id, cls.lot_id, cls.stock_id, cls.quant_id = (
                product.id, lot.id, stock.id, quant.id,
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
            env["stock.quant"].search([("lot_id", "=", cls.lot_id)]).sudo().unlink()
            env["stock.lot"].browse(cls.lot_id).unlink()
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
