#!/usr/bin/env python3
"""Fault: ``kill -9`` of the HTTP worker in the middle of validating a delivery.

A delivery of ``--units`` new serials (received first) is validated through the web client's
call (``/web/dataset/call_button/stock.picking/button_validate``); once its transaction has
run for ``--after`` seconds, the worker serving it is killed with SIGKILL. Then: the client got
no success answer, the delivery is all or nothing (still ready, no event, no ledger entry for
it), the server answers again within ``--serve-within`` seconds (the prefork master starts a
new worker), the clerk's retry validates it with one event line per serial, and the common
checks pass (chain, consistency, nothing half-written).
"""

import argparse
import os
import signal
import threading
import time

from common import Harness, Verdict, log

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--units", type=int, default=300)
parser.add_argument("--after", type=float, default=1.0)
parser.add_argument("--serve-within", type=float, default=30)
args = parser.parse_args()

verdict = Verdict("kill -9 of a worker while it validates a delivery")
with Harness() as h:
    web = h.web()
    log(f"preparing a delivery of {args.units} serials ...")
    delivery = h.prepare_delivery(web, args.units)
    clerk = h.web()
    outcome = {}

    def validate():
        try:
            outcome["result"] = clerk.button("stock.picking", "button_validate", [delivery])
        except Exception as exc:  # noqa: BLE001 - any error is the expected outcome here
            outcome["error"] = f"{type(exc).__name__}: {str(exc)[:100]}"

    crons = set(h.server.children()["cron"])
    thread = threading.Thread(target=validate)
    thread.start()
    victim = None
    deadline = time.time() + 120
    while time.time() < deadline and thread.is_alive() and victim is None:
        rows = h.sql(
            "SELECT application_name, now() - xact_start > make_interval(secs => %s) "
            "FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
            "pg_backend_pid() AND application_name LIKE 'odoo-%%' AND xact_start IS NOT NULL "
            "AND state <> 'idle'",
            [args.after],
        )
        for app, old_enough in rows:
            pid = int(app.split("-")[1])
            if old_enough and pid not in crons:
                victim = pid
        time.sleep(0.05)
    if victim is None:
        thread.join()
        verdict.check(
            "the fault was injected (the validation was still running)",
            False,
            f"validation ended first: {outcome}",
        )
        raise SystemExit(verdict.finish())
    os.kill(victim, signal.SIGKILL)
    killed_at = time.time()
    log(f"killed worker {victim} in the middle of the validation")
    thread.join()
    verdict.check(
        "the clerk got no success answer",
        "result" not in outcome,
        outcome.get("error") or outcome.get("result"),
    )
    served = h.wait_serving(killed_at, args.serve_within)
    verdict.check(
        f"the server answers again within {args.serve_within:.0f} s",
        served,
        f"{served:.1f} s" if served else "no answer",
    )
    state = web.call("stock.picking", "read", [[delivery], ["state"]])[0]["state"]
    events = h.sql(
        "SELECT count(*) FROM trace_event_line el JOIN stock_move_line ml ON "
        "ml.id = el.move_line_id WHERE ml.picking_id = %s",
        [delivery],
    )[0][0]
    verdict.check(
        "all or nothing: the delivery is still to validate, with no event",
        state == "assigned" and events == 0,
        f"state {state}, {events} event lines",
    )
    result = web.button("stock.picking", "button_validate", [delivery])
    state = web.call("stock.picking", "read", [[delivery], ["state"]])[0]["state"]
    events = h.sql(
        "SELECT count(*), count(DISTINCT el.move_line_id) FROM trace_event_line el "
        "JOIN stock_move_line ml ON ml.id = el.move_line_id WHERE ml.picking_id = %s",
        [delivery],
    )[0]
    verdict.check(
        "the clerk's retry validates it, one event line per serial",
        not isinstance(result, dict) and state == "done" and events == (args.units, args.units),
        f"state {state}, event lines {events[0]} for {events[1]} move lines",
    )
    h.common_checks(verdict)
raise SystemExit(verdict.finish())
