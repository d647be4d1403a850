#!/usr/bin/env python3
"""Fault: a long transaction holding the chain lock (``--hold`` seconds).

Another session takes audit_seal's chain lock (the transaction-level advisory lock every
append takes) and keeps its transaction open while integrations capture and quality staff
trace. Then: reads were served during the hold (traces do not take the lock; p95 under
``--read-limit`` s), the sealing requests waited and all succeeded after the release (none
lost), the server log shows the wait, every capture answered with success is stored exactly
once, and the common checks pass.
"""

import argparse
import re
import threading
import time

import psycopg2
from common import Capturer, Harness, Verdict, loadlib, log, stored_once_checks

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--hold", type=float, default=20)
parser.add_argument("--read-limit", type=float, default=3)
args = parser.parse_args()

source = (loadlib.ADDONS / "audit_seal/models/audit_seal_entry.py").read_text()
key = int(re.search(r"^CHAIN_LOCK_KEY = (0x[0-9A-Fa-f]+)$", source, re.M).group(1), 16)
CHAIN_LOCK_KEY = key & 0x7FFFFFFFFFFFFFFF

verdict = Verdict("a long transaction holding the chain lock")
with Harness() as h:
    lot = h.meta["trace_lots"][0]
    reads, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            tick = time.time()
            try:
                h.json2("trace.event", "trace_forward", timeout=60, lot_ids=[lot])
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
    log(f"holding the chain lock for {args.hold:.0f} s ...")
    time.sleep(args.hold)
    holder.rollback()
    released_at = time.time()
    log("released")
    time.sleep(8)
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
    verdict.check(
        "no capture failed (they waited for the lock)", not merged.errors, merged.errors[:3]
    )
    with open(h.server.log, encoding="utf-8", errors="replace") as handle:
        handle.seek(offset)
        waits, _retries, _gave_up = loadlib.log_figures(handle.read())
    longest = max(waits) if waits else 0
    verdict.check(
        "appends waited for the lock (audit_seal's lock-wait log)",
        longest > args.hold * 500,
        f"longest wait {longest:.0f} ms",
    )
    stored_once_checks(h, verdict, merged)
    h.common_checks(verdict)
raise SystemExit(verdict.finish())
