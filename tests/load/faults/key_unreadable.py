#!/usr/bin/env python3
"""Fault: the signing key file unreadable for ``--outage`` seconds (60 by default).

The key file named by ``audit_seal_private_key_file`` is moved away (Odoo runs as root here,
and root reads a file whatever its mode, so ``chmod 000`` would not make it unreadable), then
put back. During the outage: sealing requests fail with an error that names the key file, and
nothing they tried to write is stored (audit_seal refuses to seal with another key, and the
transaction rolls back); reads are still served. After it: captures succeed again within
``--serve-within`` seconds, every capture answered with success is stored exactly once, and
the common checks pass.
"""

import argparse
import os
import time

import requests
from common import Capturer, Harness, Verdict, loadlib, log, stored_once_checks

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--outage", type=float, default=60)
parser.add_argument("--serve-within", type=float, default=10)
args = parser.parse_args()

verdict = Verdict("signing key file unreadable for a while")
key = loadlib.signing_key()
aside = key.with_suffix(".away")
with Harness() as h:
    capturer = Capturer(h, batch=5, pause=0.5)
    capturer.start()
    time.sleep(3)
    os.rename(key, aside)
    gone_at = time.time()
    log(f"key file moved away for {args.outage:.0f} s")
    try:
        time.sleep(args.outage / 2)
        try:
            h.json2(
                "trace.event", "trace_forward", role="quality", lot_ids=[h.meta["trace_lots"][0]]
            )
            read_ok = True
        except requests.RequestException:
            read_ok = False
        verdict.check("reads are served while the key is missing", read_ok)
        probe = h.shipping_events(1)
        response = requests.post(
            h.server.url("/json/2/trace.event/capture"),
            json={"events": probe},
            timeout=60,
            headers={
                "Authorization": f"bearer {h.meta['api_key']}",
                "X-Odoo-Database": loadlib.SUITE_DB,
            },
        )
        verdict.check(
            "a capture is refused with an error naming the key file",
            response.status_code >= 400 and "signing key" in response.text,
            f"HTTP {response.status_code}: {response.text[:160]}",
        )
        time.sleep(max(0.0, args.outage - (time.time() - gone_at)))
    finally:
        os.rename(aside, key)
    back_at = time.time()
    log("key file back")
    time.sleep(args.serve_within + 5)
    capturer.stop()
    after = [t for t, _k, _m in capturer.errors if t > back_at + args.serve_within]
    during = [t for t, _k, _m in capturer.errors if gone_at <= t <= back_at + 1]
    verdict.check(
        f"captures succeed again within {args.serve_within:.0f} s of the key's return",
        not after,
        f"{len(after)} later errors",
    )
    log(f"{len(during)} capture batches refused during the outage")
    stored = h.events_stored([e["eventID"] for e in probe])
    verdict.check("the refused capture stored nothing", not any(stored.values()), stored)
    failed_stored = h.events_stored(capturer.failed_ids)
    verdict.check(
        "no capture refused during the outage was stored",
        not any(failed_stored.values()),
        f"{sum(failed_stored.values())} of {len(failed_stored)}",
    )
    stored_once_checks(h, verdict, capturer)
    h.common_checks(verdict)
raise SystemExit(verdict.finish())
