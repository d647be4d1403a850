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
    killed_at = h.kill_during_validation(
        verdict,
        delivery,
        # the worker whose transaction has run for --after seconds
        lambda: h.odoo_pids(
            "xact_start IS NOT NULL AND state <> 'idle' "
            "AND now() - xact_start > make_interval(secs => %s)",
            [args.after],
        ),
    )
    if killed_at is None:
        raise SystemExit(verdict.finish())
    h.check_serving(verdict, killed_at, args.serve_within, "the kill")
    state, lines, _move_lines = h.delivery_lines(web, delivery)
    verdict.check(
        "all or nothing: the delivery is still to validate, with no event",
        state == "assigned" and lines == 0,
        f"state {state}, {lines} event lines",
    )
    result = web.button("stock.picking", "button_validate", [delivery])
    state, lines, move_lines = h.delivery_lines(web, delivery)
    verdict.check(
        "the clerk's retry validates it, one event line per serial",
        not isinstance(result, dict)
        and state == "done"
        and (lines, move_lines) == (args.units, args.units),
        f"state {state}, event lines {lines} for {move_lines} move lines",
    )
    h.common_checks(verdict)
raise SystemExit(verdict.finish())
