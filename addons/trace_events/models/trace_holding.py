import logging

import psycopg2.errors

from odoo import api, fields, models
from odoo.tools import SQL

from .trace_event_query import EFFECTIVE

_logger = logging.getLogger(__name__)

#: first key of the ``pg_advisory_xact_lock(key, lot_id)`` a transaction holds while it rewrites
#: a lot's holdings ("thol" in ASCII; the two-key space is apart from the chain's one-key lock)
LOCK_KEY = 0x74686F6C
#: the errors that tell a refresh another transaction rewrote the same holdings after this
#: transaction's snapshot (a version changed, or created, by a commit it does not see)
CONCURRENT_ERRORS = (psycopg2.errors.SerializationFailure, psycopg2.errors.UniqueViolation)
#: how long (ms) a refresh of queued lots waits for the transactions in flight holding them: the
#: cron's, and the refresh right after a commit's (the user waits for that one: past it, the
#: lots stay queued for the cron, read from their lines meanwhile)
SETTLE_LOCK_TIMEOUT_MS = 10000
AFTER_COMMIT_LOCK_TIMEOUT_MS = 2000
#: lots settled per transaction by the cron
SETTLE_BATCH = 1000

#: The holders of lots: each effective event line moves its quantity from its source holder to
#: its destination holder. A side is held by the partner when the location is not internal and
#: a partner is known, by the location when it is internal (or a transit/customer location
#: without partner); production, inventory-adjustment and view locations hold nothing. Rows
#: are kept when the holder received something and, for locations, still holds some of it
#: (partners stay listed when they sent everything back: they received it). Each company's
#: holdings come from its own events only (a lot shared by two companies has one row per
#: company and holder), so that a trace never shows one company what another one moved.
#: ``%(lines)s`` is the FROM clause giving the event lines ``l`` to aggregate.
HOLDINGS_SQL = """
    WITH flows AS MATERIALIZED (
        SELECT l.lot_id, l.product_id, e.company_id, l.event_id, e.event_time,
               e.biz_transaction COLLATE "C" AS biz_transaction,  -- code point order, as Python
               l.quantity, l.location_id, l.location_dest_id, l.partner_id, l.partner_dest_id,
               sl.usage AS from_usage, dl.usage AS to_usage
          FROM %(lines)s
          JOIN trace_event e ON e.id = l.event_id
          LEFT JOIN stock_location sl ON sl.id = l.location_id
          LEFT JOIN stock_location dl ON dl.id = l.location_dest_id
         WHERE l.lot_id IS NOT NULL AND %(effective)s
    ), moves AS (
        SELECT lot_id, product_id, company_id, event_id, event_time, biz_transaction,
               CASE WHEN to_usage = 'internal' OR partner_dest_id IS NULL
                    THEN location_dest_id END AS location_id,
               CASE WHEN to_usage IS DISTINCT FROM 'internal'
                    THEN partner_dest_id END AS partner_id,
               quantity AS qty_in, 0 AS qty_out
          FROM flows
         WHERE partner_dest_id IS NOT NULL
            OR to_usage IN ('internal', 'transit', 'customer', 'supplier')
        UNION ALL
        SELECT lot_id, product_id, company_id, event_id, NULL, NULL,
               CASE WHEN from_usage = 'internal' OR partner_id IS NULL THEN location_id END,
               CASE WHEN from_usage IS DISTINCT FROM 'internal' THEN partner_id END,
               0, quantity
          FROM flows
         WHERE partner_id IS NOT NULL
            OR from_usage IN ('internal', 'transit', 'customer', 'supplier')
    )
    SELECT lot_id, product_id, company_id,
           CASE WHEN partner_id IS NOT NULL THEN 'partner' ELSE 'location' END AS holder_type,
           partner_id, CASE WHEN partner_id IS NULL THEN location_id END AS location_id,
           sum(qty_in) - sum(qty_out) AS quantity, sum(qty_in) AS received_quantity,
           min(event_time) AS first_date, max(event_time) AS last_date,
           max(event_id) AS last_event_id,
           string_agg(DISTINCT biz_transaction, E'\\n' ORDER BY biz_transaction) AS documents
      FROM moves
     GROUP BY lot_id, product_id, company_id, partner_id,
              CASE WHEN partner_id IS NULL THEN location_id END
    HAVING sum(qty_in) > 0 AND (partner_id IS NOT NULL OR sum(qty_in) - sum(qty_out) > 0)
"""

HOLDING_COLUMNS = SQL(
    "lot_id, product_id, company_id, holder_type, partner_id, location_id, quantity, "
    "received_quantity, first_date, last_date, last_event_id, documents"
)


class TraceHolding(models.Model):
    """Who holds each lot/serial, and who received it: the balance of its event lines.

    A read model of the events, never edited by hand: every event created refreshes the
    holdings of its lots (and of the lots of the event it corrects) in the same transaction,
    from the effective lines (:data:`HOLDINGS_SQL`). Traces read it instead of aggregating the
    lines of every lot they reach, and ``trace.event.check_consistency`` compares it with a
    fresh aggregation of all lines.

    A lot that another transaction is refreshing at the same time (the component lot every
    manufacturing order consumes, a serial two clerks move at once) is not rewritten twice: it
    is queued in ``trace.holding.pending`` (an insert, which conflicts with nothing) and
    refreshed right after the commit, or by the cron if the process dies first (see
    :meth:`_trace_settle`). Until then its holdings are read from its event lines
    (:meth:`_trace_current_sql`), so no reader ever sees them late.
    """

    _name = "trace.holding"
    _description = "Trace Holding"
    _log_access = False
    _order = "lot_id, holder_type desc, partner_id, location_id"
    _rec_name = "lot_id"

    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    product_id = fields.Many2one("product.product", required=True, readonly=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        help="The company whose events this holding sums up.",
    )
    holder_type = fields.Selection(
        [("partner", "Partner"), ("location", "Own location")],
        required=True,
        readonly=True,
    )
    partner_id = fields.Many2one("res.partner", readonly=True)
    location_id = fields.Many2one("stock.location", readonly=True)
    quantity = fields.Float(
        string="Held Now",
        readonly=True,
        digits="Product Unit",
        help="What the holder holds now, from the events (received minus sent on).",
    )
    received_quantity = fields.Float(
        string="Received",
        readonly=True,
        digits="Product Unit",
        help="All that reached this holder.",
    )
    first_date = fields.Datetime(string="First Received", readonly=True)
    last_date = fields.Datetime(string="Last Received", readonly=True)
    last_event_id = fields.Many2one("trace.event", readonly=True)
    documents = fields.Text(
        readonly=True, help="Shipping and other business documents, one per line."
    )

    refresh_queued = fields.Boolean(
        string="Being Refreshed",
        compute="_compute_refresh_queued",
        search="_search_refresh_queued",
        help="Another transaction moved this lot at the same time: its holdings are rewritten "
        "right after that commit (or within 5 minutes by the scheduled action if the server "
        "stopped first). Until then this row may be late; traces and recalls already count "
        "the lot's latest events.",
    )

    _holder_unique = models.UniqueIndex(
        "(lot_id, company_id, coalesce(partner_id, 0), coalesce(location_id, 0))"
    )

    def _compute_refresh_queued(self):
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT lot_id FROM trace_holding_pending WHERE lot_id = ANY(%s)",
                self.lot_id.ids,
            )
        )
        queued = {row[0] for row in self.env.cr.fetchall()}
        for holding in self:
            holding.refresh_queued = holding.lot_id.id in queued

    def _search_refresh_queued(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        self.env.cr.execute("SELECT DISTINCT lot_id FROM trace_holding_pending")
        queued = [row[0] for row in self.env.cr.fetchall()]
        return [("lot_id", "in" if (operator == "=") == value else "not in", queued)]

    def init(self):
        # once every table of the module exists (the queue's among them)
        self.pool.post_init(self._trace_create_current_view)

    def _trace_create_current_view(self):
        """``trace_holding_current``: the holdings as they are now, for reports reading every
        lot in one view: the table, and the lines of queued lots (see
        :meth:`_trace_current_sql` for the same, lot by lot)."""
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW trace_holding_current AS"
                " SELECT %(columns)s FROM trace_holding h WHERE NOT EXISTS"
                "   (SELECT 1 FROM trace_holding_pending p WHERE p.lot_id = h.lot_id)"
                " UNION ALL (%(live)s)",
                columns=HOLDING_COLUMNS,
                live=self._trace_holdings_sql(
                    SQL(
                        "(SELECT * FROM trace_event_line WHERE lot_id IN"
                        " (SELECT lot_id FROM trace_holding_pending)) l"
                    )
                ),
            )
        )

    # ------------------------------------------------------------------ maintenance

    @api.model
    def _trace_refresh(self, lot_ids):
        """Recompute the holdings of ``lot_ids`` from their effective event lines, or queue
        them when another transaction is rewriting them too.

        A lot is rewritten here only when this transaction gets its lock (``LOCK_KEY``,
        without waiting) and no transaction rewrote it since this one began (its version in
        ``trace.holding.lot`` tells). Otherwise the rewrite would wait for the other
        transaction and then fail on the conflict, as concurrent manufacturing orders
        consuming the same component lot did until they ran out of retries. Such lots go to
        ``trace.holding.pending`` and are refreshed after the commit (:meth:`_trace_settle`).
        """
        lot_ids = sorted({lot_id for lot_id in lot_ids if lot_id})
        if not lot_ids:
            return
        self.env["trace.event.line"].flush_model()
        self.env["trace.event"].flush_model()
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT coalesce(array_agg(lot_id), '{}') FROM unnest(%s::int[]) AS r(lot_id)"
                " WHERE pg_try_advisory_xact_lock(%s, lot_id)",
                lot_ids,
                LOCK_KEY,
            )
        )
        locked = sorted(cr.fetchone()[0])
        busy = sorted(set(lot_ids) - set(locked))
        if locked:
            try:
                with cr.savepoint(flush=False):
                    self._trace_rewrite(locked)
            except CONCURRENT_ERRORS:
                busy = sorted(set(busy) | set(locked))
        if busy:
            self._trace_queue(busy)
        self.invalidate_model()

    def _trace_rewrite(self, lot_ids):
        """Replace the holding rows of ``lot_ids`` with a fresh aggregation of their lines,
        under their locks.

        The version bump comes first: in a transaction whose snapshot is older than another
        rewrite of one of these lots, it fails at once with a serialization failure (whether
        that rewrite changed the lot's version or created it), where comparing holding rows
        alone would miss a rewrite that only added holders this snapshot does not see.
        """
        self.env.cr.execute(
            SQL(
                "INSERT INTO trace_holding_lot (lot_id, version)"
                " SELECT unnest(%(lots)s::int[]), 1"
                " ON CONFLICT (lot_id) DO UPDATE SET version = trace_holding_lot.version + 1;"
                "DELETE FROM trace_holding WHERE lot_id = ANY(%(lots)s);"
                "INSERT INTO trace_holding (%(columns)s) %(holdings)s",
                lots=lot_ids,
                columns=HOLDING_COLUMNS,
                holdings=self._trace_holdings_sql(self._trace_lines_of(lot_ids)),
            ),
            log_exceptions=False,
        )

    @api.model
    def _trace_lines_of(self, lot_ids):
        """FROM clause of the event lines ``l`` of ``lot_ids``, read lot by lot through the
        index: for 10,000 lots in 1.1 million lines a plain join let the planner scan every
        line (690 ms, now 270)."""
        return SQL(
            "unnest(%s::int[]) AS r(lot_id) CROSS JOIN LATERAL ("
            "SELECT * FROM trace_event_line WHERE lot_id = r.lot_id OFFSET 0"
            ") l",
            list(lot_ids),
        )

    def _trace_queue(self, lot_ids):
        """Queue ``lot_ids`` for a refresh right after this transaction commits."""
        self.env.cr.execute(
            SQL(
                "INSERT INTO trace_holding_pending (lot_id, queued_at)"
                " SELECT unnest(%s::int[]), now() AT TIME ZONE 'UTC'",
                lot_ids,
            )
        )
        postcommit = self.env.cr.postcommit
        queued = postcommit.data.get("trace.holding.pending")
        if queued is None:
            queued = postcommit.data["trace.holding.pending"] = set()
            registry = self.env.registry
            postcommit.add(lambda: self._trace_settle_after_commit(registry, queued))
        queued.update(lot_ids)

    @staticmethod
    def _trace_settle_after_commit(registry, lot_ids):
        """Refresh the lots a transaction queued, once it committed, in a transaction of its
        own. The request keeps its answer whatever happens here: the cron settles what is
        left."""
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, api.SUPERUSER_ID, {})
                env["trace.holding"]._trace_settle(
                    lot_ids, lock_timeout_ms=AFTER_COMMIT_LOCK_TIMEOUT_MS
                )
        except Exception:
            _logger.warning(
                "holdings of %d lot(s) not refreshed after commit: the cron will",
                len(lot_ids),
                exc_info=True,
            )

    @api.model
    def _trace_settle(self, lot_ids=None, auto_commit=True, lock_timeout_ms=None):
        """Refresh queued lots (those of ``lot_ids``, every queued lot by default), a batch of
        :data:`SETTLE_BATCH` lots per transaction, and return how many were refreshed.

        A batch waits for the locks of its lots (bounded by ``lock_timeout_ms``, by default
        :data:`SETTLE_LOCK_TIMEOUT_MS`):
        a transaction refreshing one of them in flight has committed when it gets them. With
        ``auto_commit`` each batch is a READ COMMITTED transaction of its own, so that what it
        reads after the wait includes that commit; without (tests, which cannot commit), it
        runs in the current transaction. A batch takes the queue rows it sees, whose lines it
        sees too: a lot queued by a later commit stays queued for that commit's settle.
        """
        cr = self.env.cr
        given = None if lot_ids is None else sorted({lot_id for lot_id in lot_ids if lot_id})
        done = refreshed = 0
        for _batch in range(100):  # a bound, should the queue grow as fast as it drains
            if auto_commit:
                # end the transaction before (or the last batch), to start a fresh one here
                self.env["ir.cron"]._commit_progress(refreshed)
                refreshed = 0
                cr.execute(SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"))
            if given is None:
                cr.execute(
                    SQL(
                        "SELECT coalesce(array_agg(lot_id ORDER BY lot_id), '{}') FROM"
                        " (SELECT DISTINCT lot_id FROM trace_holding_pending"
                        "   ORDER BY lot_id LIMIT %s) p",
                        SETTLE_BATCH,
                    )
                )
                batch = cr.fetchone()[0]
            else:
                batch, given = given[:SETTLE_BATCH], given[SETTLE_BATCH:]
            if not batch:
                break
            try:
                refreshed = self._trace_settle_batch(
                    batch, lock_timeout_ms or SETTLE_LOCK_TIMEOUT_MS
                )
            except psycopg2.errors.LockNotAvailable:
                if not auto_commit:
                    raise
                cr.rollback()
                _logger.info("holdings of %d lot(s) still busy: left queued", len(batch))
                break
            done += refreshed
        if auto_commit:
            self.env["ir.cron"]._commit_progress(refreshed)
        return done

    def _trace_settle_batch(self, lot_ids, lock_timeout_ms):
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT set_config('trace_events.lock_timeout',"
                "                  current_setting('lock_timeout'), true);"
                "SELECT set_config('lock_timeout', %s, true);"
                "SELECT pg_advisory_xact_lock(%s, lot_id) FROM unnest(%s::int[]) AS r(lot_id);"
                "SELECT set_config('lock_timeout',"
                "                  current_setting('trace_events.lock_timeout'), true);",
                f"{lock_timeout_ms}ms",
                LOCK_KEY,
                lot_ids,
            ),
            log_exceptions=False,
        )
        cr.execute(
            SQL(
                "DELETE FROM trace_holding_pending WHERE lot_id = ANY(%s) RETURNING lot_id",
                lot_ids,
            )
        )
        queued = sorted({row[0] for row in cr.fetchall()})
        if queued:
            self._trace_rewrite(queued)
        self.invalidate_model()
        return len(queued)

    @api.model
    def _cron_settle(self):
        """Refresh the lots queued by transactions that did not settle them (their process
        died between the commit and the refresh, or the lots stayed busy)."""
        self._trace_settle()

    @api.model
    def _trace_rebuild(self):
        """Recompute every holding (after a bulk load, or to repair the read model)."""
        self.env["trace.event.line"].flush_model()
        self.env["trace.event"].flush_model()
        self.env.cr.execute(
            SQL(
                "DELETE FROM trace_holding_pending; DELETE FROM trace_holding;"
                "INSERT INTO trace_holding (%s) %s",
                HOLDING_COLUMNS,
                self._trace_holdings_sql(SQL("trace_event_line l")),
            )
        )
        self.invalidate_model()

    @api.model
    def _trace_holdings_sql(self, lines):
        return SQL(HOLDINGS_SQL, lines=lines, effective=EFFECTIVE)

    @api.model
    def _trace_current_sql(self, lot_ids):
        """Rows (:data:`HOLDING_COLUMNS`) of the holdings of ``lot_ids`` as they are now: read
        from the table for settled lots, aggregated from the event lines for queued ones
        (whose rows are being refreshed after a commit). ``None`` when no lot is queued, for
        callers to keep their faster plain read of the table."""
        self.env.cr.execute(
            SQL(
                "SELECT coalesce(array_agg(DISTINCT lot_id), '{}') FROM trace_holding_pending"
                " WHERE lot_id = ANY(%s)",
                list(lot_ids),
            )
        )
        queued = self.env.cr.fetchone()[0]
        if not queued:
            return None
        settled = sorted(set(lot_ids) - set(queued))
        return SQL(
            # settled lots lot by lot through the index, as trace.event._trace_holders reads
            "SELECT h.* FROM unnest(%(settled)s::int[]) AS r(lot_id) CROSS JOIN LATERAL ("
            " SELECT %(columns)s FROM trace_holding WHERE lot_id = r.lot_id OFFSET 0) h"
            " UNION ALL (%(live)s)",
            columns=HOLDING_COLUMNS,
            settled=settled,
            live=self._trace_holdings_sql(self._trace_lines_of(sorted(queued))),
        )

    @api.model
    def _trace_differences(self):
        """Number of holders (lot, company, partner or location) whose holding is missing,
        extra or different compared with a fresh aggregation of all event lines. Queued lots
        are left out: their rows are being refreshed after their commit, and read from their
        lines meanwhile (see :meth:`_trace_queued`)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH fresh AS (%(holdings)s),
                     kept AS (SELECT %(columns)s FROM trace_holding)
                SELECT count(DISTINCT (lot_id, company_id, coalesce(partner_id, 0),
                                       coalesce(location_id, 0)))
                  FROM ((SELECT * FROM fresh EXCEPT SELECT * FROM kept)
                        UNION ALL
                        (SELECT * FROM kept EXCEPT SELECT * FROM fresh)) differing
                 WHERE NOT EXISTS (SELECT 1 FROM trace_holding_pending p
                                    WHERE p.lot_id = differing.lot_id)
                """,
                holdings=self._trace_holdings_sql(SQL("trace_event_line l")),
                columns=HOLDING_COLUMNS,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _trace_queued(self):
        """``(lots, oldest)``: how many lots wait for their holdings to be refreshed, and since
        when the oldest waits (``None`` when none)."""
        self.env.cr.execute(
            "SELECT count(DISTINCT lot_id), min(queued_at) FROM trace_holding_pending"
        )
        return tuple(self.env.cr.fetchone())


class TraceHoldingPending(models.Model):
    """A lot whose holdings a committed transaction could not rewrite, because another one was
    rewriting them at the same time: refreshed right after that commit, or by the cron (see
    :meth:`TraceHolding._trace_settle`). Rows are only inserted by the transactions that queue
    them (an insert conflicts with nothing) and deleted by the refresh."""

    _name = "trace.holding.pending"
    _description = "Trace Holding Refresh Queue"
    _log_access = False
    _order = "queued_at, id"
    _rec_name = "lot_id"

    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    queued_at = fields.Datetime(required=True, readonly=True)


class TraceHoldingLot(models.Model):
    """The version of each lot's holdings, raised by every rewrite: how a rewrite finds out
    that another transaction rewrote the same lot after its snapshot (see
    :meth:`TraceHolding._trace_rewrite`)."""

    _name = "trace.holding.lot"
    _description = "Trace Holding Version"
    _log_access = False
    _rec_name = "lot_id"

    lot_id = fields.Many2one(
        "stock.lot", string="Lot/Serial", required=True, readonly=True, ondelete="cascade"
    )
    version = fields.Integer(required=True, readonly=True, default=1)

    _lot_unique = models.Constraint("UNIQUE(lot_id)", "A lot has one holdings version.")
