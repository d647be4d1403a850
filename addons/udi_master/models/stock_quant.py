import logging

from odoo import api, models
from odoo.fields import Domain
from odoo.sql_db import db_connect
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

#: ir.config_parameter: how long (ms) a transaction waits for a serial number's quant that
#: another transaction is reserving or moving, before failing with LOCK_NOT_AVAILABLE (which
#: Odoo's request loop and queue_job retry). 0 waits for ever.
PARAM_SERIAL_LOCK_TIMEOUT = "udi_master.serial_lock_timeout_ms"
DEFAULT_SERIAL_LOCK_TIMEOUT_MS = 5000
#: how many times a reservation looks again past serials others took meanwhile
MAX_BUSY_ROUNDS = 4


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _update_available_quantity(self, product_id, location_id, quantity=False,
                                   reserved_quantity=False, lot_id=None, package_id=None,
                                   owner_id=None, in_date=None):
        """One serial number, one quant per place: wait for the quant another transaction holds.

        Odoo takes the quant to change with ``SKIP LOCKED`` and, when another transaction holds
        it, creates a second quant for the same product, place and lot rather than wait (it
        merges them later, see ``_merge_quants``). For a lot that is fine; for a serial number it
        reserves the one unit twice: two deliveries reserve the same serial at once, and the
        second one fails at validation with "The serial number has already been assigned" (seen
        in tests/load at 4 clerks and more, in plain Odoo as well). So the quants of a serial
        number are locked first, waiting at most ``udi_master.serial_lock_timeout_ms``: when the
        other transaction commits, this one fails with a serialization failure and Odoo retries
        it on the new state (another serial is reserved); when it rolls back, this one goes on
        with the same quant.
        """
        if lot_id and product_id.tracking == "serial":
            quants = self.sudo()._gather(
                product_id, location_id, lot_id=lot_id, package_id=package_id,
                owner_id=owner_id, strict=True,
            )
            if quants:
                self._udi_lock_serial_quants(quants)
        return super()._update_available_quantity(
            product_id, location_id, quantity=quantity, reserved_quantity=reserved_quantity,
            lot_id=lot_id, package_id=package_id, owner_id=owner_id, in_date=in_date,
        )

    @api.model
    def _get_reserve_quantity(self, product_id, location_id, quantity, uom_id=None, lot_id=None,
                              package_id=None, owner_id=None, strict=False):
        """Reserve serial numbers nobody else is taking right now.

        Concurrent deliveries of one product all start from the same serials (first in, first
        out). Odoo's transactions read a snapshot taken when the request began: a serial
        reserved by a delivery that committed since still looks free, and taking it fails with a
        serialization failure (retried by Odoo's request loop, at most five times: at 16 clerks
        some deliveries ran out of tries). So the serials chosen are checked against the latest
        committed state, through a connection of their own, and those reserved meanwhile or held
        by another transaction right now are passed over for the next ones in removal order.
        The serials kept are locked at once (``SKIP LOCKED``: never a wait), so two deliveries
        choosing at the same moment do not both wait for one serial.
        """
        reserve = super()._get_reserve_quantity(
            product_id, location_id, quantity, uom_id=uom_id, lot_id=lot_id,
            package_id=package_id, owner_id=owner_id, strict=strict,
        )
        if (
            not reserve
            or lot_id
            or product_id.tracking != "serial"
            or product_id.uom_id.compare(quantity, 0) <= 0
            or self.env.context.get("udi_busy_round", 0) >= MAX_BUSY_ROUNDS
        ):
            return reserve
        chosen = [quant.id for quant, _quantity in reserve]
        busy = self._udi_busy_quant_ids(chosen)
        # take the others now, without waiting: one that another transaction took since the
        # look above is passed over too (not waited for until that transaction ends)
        free = self.browse([quant_id for quant_id in chosen if quant_id not in busy])
        busy |= set(free.ids) - set(free.try_lock_for_update(allow_referencing=True).ids)
        if not busy:
            return reserve
        passed = set(self.env.context.get("udi_passed_quant_ids", ())) | busy
        again = self.with_context(
            udi_passed_quant_ids=frozenset(passed),
            udi_busy_round=self.env.context.get("udi_busy_round", 0) + 1,
        )
        other = again._get_reserve_quantity(
            product_id, location_id, quantity, uom_id=uom_id, lot_id=lot_id,
            package_id=package_id, owner_id=owner_id, strict=strict,
        )
        # never reserve less than Odoo would: with too few serials left to pass to, keep
        # Odoo's choice (the lock's bounded wait and a retry settle it). A serial this
        # transaction changed in a savepoint also looks busy from the other connection
        # (its row carries the savepoint's transaction id).
        if product_id.uom_id.compare(
            sum(taken for _quant, taken in other), sum(taken for _quant, taken in reserve)
        ) < 0:
            return reserve
        return other

    def _get_gather_domain(self, product_id, location_id, lot_id=None, package_id=None,
                           owner_id=None, strict=False):
        domain = super()._get_gather_domain(
            product_id, location_id, lot_id=lot_id, package_id=package_id, owner_id=owner_id,
            strict=strict,
        )
        passed = self.env.context.get("udi_passed_quant_ids")
        if passed:
            domain &= Domain("id", "not in", list(passed))
        return domain

    @api.model
    def _udi_busy_quant_ids(self, quant_ids):
        """Of ``quant_ids``, those that in the latest committed state are reserved or emptied,
        or that another transaction holds right now (read through a new connection, which sees
        what committed since this transaction's snapshot; quants this transaction created or
        changed count as free)."""
        side = db_connect(self.env.cr.dbname).cursor()
        try:
            side.execute(
                """
                SELECT id FROM stock_quant
                 WHERE id IN %(ids)s
                   AND id NOT IN (SELECT id FROM stock_quant
                                   WHERE id IN %(ids)s AND reserved_quantity < quantity
                                     FOR SHARE SKIP LOCKED)
                """,
                {"ids": tuple(quant_ids)},
            )
            busy = {row[0] for row in side.fetchall()}
        finally:
            side.rollback()
            side.close()
        if busy:
            # the other connection sees only committed rows: quants this transaction changed or
            # holds itself look stale or held there, but are this transaction's to take
            self.env.cr.execute(
                """
                SELECT id FROM stock_quant
                 WHERE id IN %s AND pg_current_xact_id_if_assigned()::xid IN (xmin, xmax)
                """,
                [tuple(busy)],
            )
            busy -= {row[0] for row in self.env.cr.fetchall()}
        return busy

    @api.model
    def _udi_serial_lock_timeout(self):
        """The bound of the wait in ms (a missing, malformed or negative value: the default)."""
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM_SERIAL_LOCK_TIMEOUT)
        if value in (None, False, ""):
            return DEFAULT_SERIAL_LOCK_TIMEOUT_MS
        try:
            timeout = int(value)
        except ValueError:
            timeout = -1
        if timeout < 0:
            _logger.warning(
                "ir.config_parameter %s = %r is not a number of milliseconds >= 0: using %d",
                PARAM_SERIAL_LOCK_TIMEOUT,
                value,
                DEFAULT_SERIAL_LOCK_TIMEOUT_MS,
            )
            timeout = DEFAULT_SERIAL_LOCK_TIMEOUT_MS
        return timeout

    def _udi_lock_serial_quants(self, quants):
        """Lock ``quants`` (ordered by id, so two transactions cannot deadlock on them), waiting
        at most the bound; ``lock_timeout`` is set for that one statement and put back."""
        self.env.cr.execute(
            SQL(
                """
                SELECT set_config('udi_master.lock_timeout', current_setting('lock_timeout'), true);
                SELECT set_config('lock_timeout', %s, true);
                SELECT id FROM stock_quant WHERE id IN %s ORDER BY id FOR NO KEY UPDATE;
                SELECT set_config('lock_timeout', current_setting('udi_master.lock_timeout'), true);
                """,
                f"{self._udi_serial_lock_timeout()}ms",
                tuple(quants.ids),
            )
        )
