#!/usr/bin/env python3
"""Fault: ``kill -9`` of the HTTP worker after a delivery committed, before it refreshed holdings.

A lot another transaction is rewriting is queued (``trace.holding.pending``) and refreshed right
after the commit, in the same request (``trace.holding._trace_settle``). Here a second
connection holds the locks of the delivery's serials (as concurrent transactions moving them
do), so that the validation queues them, commits, and then waits for the locks in its refresh;
the worker is killed during that wait. Then: the clerk got no success answer but the delivery is
done (the commit came first) with one event line per serial, a trace shows the distributor
holding the serials while they are queued (read from their lines), the server answers again
within ``--serve-within`` seconds, the cron refreshes the queued lots within ``--settle-within``
seconds (every 5 minutes, the cron worker waking every minute) with no manual repair, and the
common checks pass.
"""

import argparse
import time

import psycopg2
from common import SUITE_DB, Harness, Verdict, loadlib, log

#: trace_events.models.trace_holding.LOCK_KEY ("thol")
LOCK_KEY = 0x74686F6C

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--units", type=int, default=5)
parser.add_argument("--serve-within", type=float, default=30)
parser.add_argument("--settle-within", type=float, default=420)
args = parser.parse_args()

verdict = Verdict("kill -9 of a worker between its commit and its holdings refresh")
with Harness() as h:
    web = h.web()
    log(f"preparing a delivery of {args.units} serials ...")
    delivery = h.prepare_delivery(web, args.units)
    lots = [
        row[0]
        for row in h.sql(
            "SELECT DISTINCT lot_id FROM stock_move_line WHERE picking_id = %s", [delivery]
        )
    ]
    # the holdings cron as a running system has it: due within its 5 minutes (a scenario
    # that put the crons off, or a build older than an hour, leaves it later)
    h.sql(
        "UPDATE ir_cron SET nextcall = least(nextcall, now() AT TIME ZONE 'UTC' + "
        "interval '5 minutes') WHERE id = (SELECT res_id FROM ir_model_data WHERE module = "
        "'trace_events' AND name = 'ir_cron_trace_holding_settle') RETURNING id"
    )
    holder = psycopg2.connect(dbname=SUITE_DB, host=loadlib.SOCKET_DIR, port=h.cluster.port)
    holder_cr = holder.cursor()
    holder_cr.execute(
        "SELECT pg_advisory_xact_lock(%s, lot_id) FROM unnest(%s::int[]) AS r(lot_id)",
        [LOCK_KEY, lots],
    )
    log(f"holding the locks of {len(lots)} serials; validating the delivery ...")

    def refreshing():
        """The worker of the validation once committed, waiting for the serials' locks in its
        after-commit refresh."""
        done = h.sql("SELECT state FROM stock_picking WHERE id = %s", [delivery])[0][0] == "done"
        if not done:
            return []
        return h.odoo_pids("wait_event_type = 'Lock' AND wait_event = 'advisory'")

    killed_at = h.kill_during_validation(verdict, delivery, refreshing, within=60)
    holder.rollback()  # the other transactions are done
    holder.close()
    if killed_at is None:
        raise SystemExit(verdict.finish())
    h.check_serving(verdict, killed_at, args.serve_within, "the kill")
    state, lines, move_lines = h.delivery_lines(web, delivery)
    verdict.check(
        "the delivery is done once, one event line per serial (the commit came first)",
        state == "done" and (lines, move_lines) == (args.units, args.units),
        f"state {state}, event lines {lines} for {move_lines} move lines",
    )
    queued = h.sql(
        "SELECT count(DISTINCT lot_id) FROM trace_holding_pending WHERE lot_id = ANY(%s)", [lots]
    )[0][0]
    verdict.check(
        "the serials are queued for a holdings refresh", queued == len(lots), f"{queued} queued"
    )
    distributor = h.meta["distributors"][0]
    trace = h.json2("trace.event", "trace_forward", role="quality", lot_ids=lots)
    held = {
        holder["lot_id"]: holder["quantity"]
        for holder in trace["holders"]
        if holder["holder_type"] == "partner" and holder["partner_id"] == distributor
    }
    verdict.check(
        "meanwhile a trace shows the distributor holding them (read from their lines)",
        all(held.get(lot) == 1 for lot in lots),
        f"{sum(1 for lot in lots if held.get(lot) == 1)} of {len(lots)}",
    )
    log(f"waiting for the cron (at most {args.settle_within:.0f} s) ...")
    settled = None
    while time.time() < killed_at + args.settle_within:
        left = h.sql("SELECT count(*) FROM trace_holding_pending WHERE lot_id = ANY(%s)", [lots])[
            0
        ][0]
        if not left:
            settled = time.time() - killed_at
            break
        time.sleep(5)
    verdict.check(
        f"the cron refreshes them within {args.settle_within:.0f} s, no manual repair",
        settled is not None,
        f"{settled:.0f} s after the kill" if settled is not None else "still queued",
    )
    rows = h.sql(
        "SELECT count(*) FROM trace_holding WHERE lot_id = ANY(%s) AND partner_id = %s "
        "AND quantity = 1",
        [lots, distributor],
    )[0][0]
    verdict.check(
        "the refreshed holdings say the distributor holds them", rows == len(lots), f"{rows} rows"
    )
    h.common_checks(verdict)
raise SystemExit(verdict.finish())
