#!/usr/bin/env python3
"""Fault: a PostgreSQL restart (``pg_ctlcluster 15 load restart -m fast``) during captures.

Two integrations capture EPCIS batches over JSON-2 without pause while the load cluster (ours,
never the main one) is restarted. Then: the server answers again within ``--serve-within``
seconds without anyone touching Odoo, every capture answered with success is stored exactly
once, no failed one twice, and the common checks pass.
"""

import argparse
import subprocess
import time

from common import Capturer, Harness, Verdict, log, stored_once_checks

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--serve-within", type=float, default=30)
parser.add_argument("--before", type=float, default=8)
parser.add_argument("--after", type=float, default=15)
args = parser.parse_args()

verdict = Verdict("PostgreSQL restart during captures")
with Harness() as h:
    capturers = [Capturer(h, batch=5, pause=0.1) for _ in range(2)]
    for capturer in capturers:
        capturer.start()
    time.sleep(args.before)
    log("restarting the load cluster (fast) ...")
    restarted_at = time.time()
    subprocess.run(["pg_ctlcluster", "15", h.cluster.name, "restart", "-m", "fast"], check=True)
    h.check_serving(verdict, restarted_at, args.serve_within, "the restart began")
    time.sleep(args.after)
    for capturer in capturers:
        capturer.stop()
    merged = Capturer(h)
    for capturer in capturers:
        merged.ok_ids += capturer.ok_ids
        merged.failed_ids += capturer.failed_ids
        merged.errors += capturer.errors
    kinds = sorted({kind for _t, kind, _m in merged.errors})
    log(f"captures: {len(merged.ok_ids)} events ok, {len(merged.failed_ids)} failed ({kinds})")
    late = [t for t, _k, _m in merged.errors if t > restarted_at + args.serve_within]
    verdict.check(
        "captures succeed again after the restart (no error later)",
        not late,
        f"{len(late)} errors after {args.serve_within:.0f} s",
    )
    stored_once_checks(h, verdict, merged)
    h.common_checks(verdict)
raise SystemExit(verdict.finish())
