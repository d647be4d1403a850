#!/usr/bin/env python3
"""Fault: a long transaction holding the chain lock (``--hold`` seconds).

Another session takes audit_seal's chain lock (the transaction-level advisory lock every
append takes) and keeps its transaction open while integrations capture and quality staff
trace. The wait for the lock is bounded (``audit_seal.chain_lock_timeout_ms``, set to
``--bound`` ms here): a sealing request waits at most that long per try, Odoo's request loop
retries it (LOCK_NOT_AVAILABLE), and when the hold outlasts the retries it answers "the audit
ledger is busy" (LockError, HTTP 409) with nothing stored. Then: reads were served during the
hold (traces do not take the lock; p95 under ``--read-limit`` s), no append waited longer than
the bound (the server log), every capture that failed failed with the busy answer, captures
succeed again after the release, every capture answered with success is stored exactly once,
and the common checks pass.
"""

import argparse
import re
import threading
import time

import psycopg2
from common import Capturer, Harness, Verdict, loadlib, log, stored_once_checks

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--hold", type=float, default=20)
parser.add_argument("--bound", type=int, default=3000, help="the chain lock bound (ms)")
parser.add_argument("--read-limit", type=float, default=3)
args = parser.parse_args()

source = (loadlib.ADDONS / "audit_seal/models/audit_seal_entry.py").read_text()
key = int(re.search(r"^CHAIN_LOCK_KEY = (0x[0-9A-Fa-f]+)$", source, re.M).group(1), 16)
CHAIN_LOCK_KEY = key & 0x7FFFFFFFFFFFFFFF
PARAM = re.search(r'^PARAM_LOCK_TIMEOUT = "([^"]+)"$', source, re.M).group(1)
#: what the bound may be exceeded by (the lock query's round trip on a loaded machine)
MARGIN_MS = 1000

verdict = Verdict("a long transaction holding the chain lock")
with Harness() as h:
    h.json2("ir.config_parameter", "set_param", key=PARAM, value=str(args.bound))
    lot = h.meta["trace_lots"][0]
    reads, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            tick = time.time()
            try:
                h.json2("trace.event", "trace_forward", timeout=60, role="quality", lot_ids=[lot])
                reads.append((tick, time.time() - tick, True))
            except Exception:  # noqa: BLE001
                reads.append((tick, time.time() - tick, False))
            time.sleep(0.3)

    offset = h.server.log.stat().st_size
    holder = psycopg2.connect(dbname=loadlib.SUITE_DB, host=loadlib.SOCKET_DIR, port=h.cluster.port)
    cr = holder.cursor()
    capturers = [Capturer(h, batch=5, pause=0.2) for _ in range(2)]
    read_thread = threading.Thread(target=reader, daemon=True)
    read_thread.start()
    for capturer in capturers:
        capturer.start()
    time.sleep(3)
    cr.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    held_at = time.time()
    log(f"holding the chain lock for {args.hold:.0f} s (bound {args.bound} ms) ...")
    time.sleep(args.hold)
    holder.rollback()
    released_at = time.time()
    log("released")
    # the retries of Odoo's request loop (up to 5 tries, pauses up to 30 s) end meanwhile
    time.sleep(40)
    stop.set()
    for capturer in capturers:
        capturer.stop()
    read_thread.join()
    holder.close()
    during = sorted(d for t, d, ok in reads if held_at <= t <= released_at and ok)
    failed_reads = [1 for t, d, ok in reads if not ok]
    p95 = loadlib.percentile(during, 0.95)
    verdict.check(
        f"traces were served during the hold (p95 < {args.read_limit} s)",
        during and not failed_reads and p95 < args.read_limit,
        f"{len(during)} traces, p95 {p95 if p95 is None else round(p95, 2)} s, "
        f"{len(failed_reads)} failed",
    )
    merged = Capturer(h)
    for capturer in capturers:
        merged.ok_ids += capturer.ok_ids
        merged.failed_ids += capturer.failed_ids
        merged.errors += capturer.errors
        merged.ok_times += capturer.ok_times
    with open(h.server.log, encoding="utf-8", errors="replace") as handle:
        handle.seek(offset)
        text = handle.read()
    waits, retries, gave_up = loadlib.log_figures(text)
    busy = loadlib.busy_waits(text)
    longest = max([*waits, *(waited for waited, _bound in busy)], default=0)
    verdict.check(
        "the appends that met the held lock gave up within the bound (audit_seal's log)",
        busy and all(bound == args.bound for _waited, bound in busy),
        f"{len(busy)} gave up, bound {args.bound} ms; LOCK_NOT_AVAILABLE retried "
        f"{retries.get('LOCK_NOT_AVAILABLE', 0)} times, given up "
        f"{gave_up.get('LOCK_NOT_AVAILABLE', 0)} times",
    )
    verdict.check(
        f"no append waited longer than the bound (+{MARGIN_MS} ms)",
        longest <= args.bound + MARGIN_MS,
        f"longest wait {longest:.0f} ms (the hold: {args.hold * 1000:.0f} ms)",
    )
    other_errors = [error for error in merged.errors if "LockError" not in error[2]]
    verdict.check(
        "every capture that failed was answered 'the audit ledger is busy' (LockError)",
        not other_errors,
        f"{len(merged.errors)} failed, {len(other_errors)} otherwise: {other_errors[:2]}",
    )
    after = [tick for tick in merged.ok_times if tick > released_at]
    verdict.check(
        "captures succeed again after the release",
        after,
        f"{len(after)} captures answered ok after the release",
    )
    stored_once_checks(h, verdict, merged)
    h.common_checks(verdict)
    h.json2("ir.config_parameter", "set_param", key=PARAM, value=False)
raise SystemExit(verdict.finish())
