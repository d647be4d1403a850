#!/usr/bin/env python3
"""Traces served from a real PostgreSQL streaming replica of the load cluster.

    python3 tests/load/replica_check.py

Starts (and stops at the end) a hot standby of the load cluster (``load``, port 5499): a
PostgreSQL 15 cluster ``load_replica`` on port 5498, made with ``pg_basebackup -R`` (streaming
replication, ``standby.signal``), statement logging on. Odoo runs in prefork mode against the
primary with ``db_replica_host``/``db_replica_port`` naming the standby. Then:

1. an EPCIS capture over JSON-2 (a write) is served by the primary;
2. once the standby has replayed it, ``trace.event/trace_forward`` and ``trace_backward`` over
   JSON-2 (read-only methods) run on the standby: its statement log shows the trace's queries
   from Odoo's read-only connection, and the answer includes the captured event's party;
3. the standby is stopped: the same traces still answer (Odoo falls back to the primary) and
   give the same answer as from the replica.

Prints PASS/FAIL with each check.
"""

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "faults"))

import loadlib  # noqa: E402
from common import Harness, Verdict, log  # noqa: E402

REPLICA = "load_replica"


def standby(primary, port):
    """Create the standby cluster from a base backup of ``primary``; returns its log path."""
    replica = loadlib.Cluster(REPLICA, port)
    if replica.exists():
        replica.drop()
    subprocess.run(
        [
            "pg_createcluster",
            loadlib.PG_VERSION,
            REPLICA,
            "-p",
            str(port),
            "-o",
            "log_statement=all",
            "-o",
            "hot_standby=on",
            "-o",
            "max_connections=200",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    data = Path(f"/var/lib/postgresql/{loadlib.PG_VERSION}/{REPLICA}")
    shutil.rmtree(data)
    subprocess.run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            "pg_basebackup",
            "-h",
            loadlib.SOCKET_DIR,
            "-p",
            str(primary.port),
            "-D",
            str(data),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        ],
        check=True,
    )
    replica.ctl("start")
    replica.wait()
    return replica, Path(f"/var/log/postgresql/postgresql-{loadlib.PG_VERSION}-{REPLICA}.log")


def caught_up(primary, replica, timeout=30):
    lsn = primary.value("postgres", "SELECT pg_current_wal_lsn()::text")
    deadline = time.time() + timeout
    while time.time() < deadline:
        done = replica.value("postgres", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
        if done:
            return True
        time.sleep(0.2)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replica-port", type=int, default=5498)
    args = parser.parse_args()
    verdict = Verdict("traces from a streaming read replica")
    harness = Harness(http_port=18789, name="replica")
    primary = harness.cluster
    replica, replica_log = standby(primary, args.replica_port)
    try:
        in_recovery = replica.value("postgres", "SELECT pg_is_in_recovery()")
        verdict.check("the standby streams from the primary (in recovery)", in_recovery)
        harness.server.extra += [
            f"--db_replica_host={loadlib.SOCKET_DIR}",
            f"--db_replica_port={args.replica_port}",
        ]
        with harness as h:
            events = h.shipping_events(1)
            events[0]["destinationList"][0]["destination"] = "urn:epc:id:pgln:{}.{}".format(
                h.meta["hospital_glns"][-1][:6], h.meta["hospital_glns"][-1][6:12]
            )
            h.json2("trace.event", "capture", role="integration", events=events)
            serial = events[0]["epcList"][0].rsplit("/", 1)[1]
            lot = h.sql("SELECT id FROM stock_lot WHERE name = %s", [serial])[0][0]
            verdict.check("the standby replayed the capture", caught_up(primary, replica))
            before = replica_log.stat().st_size
            answers = {
                d: h.json2("trace.event", d, role="quality", lot_ids=[lot])
                for d in ("trace_forward", "trace_backward")
            }
            time.sleep(0.5)
            with open(replica_log, encoding="utf-8", errors="replace") as handle:
                handle.seek(before)
                logged = handle.read()
            statements = logged.count("statement:")
            verdict.check(
                "the traces' queries ran on the standby (its statement log)",
                "trace_event_line" in logged,
                f"{statements} statements logged there since the capture",
            )
            hospital = h.sql(
                "SELECT id FROM res_partner WHERE udi_gln = %s", [h.meta["hospital_glns"][-1]]
            )[0][0]
            holders = {row.get("partner_id") for row in answers["trace_forward"]["holders"]}
            verdict.check(
                "the trace from the standby includes the capture just made",
                hospital in holders,
                f"holders {sorted(map(str, holders))[:8]}",
            )
            log("stopping the standby: Odoo must fall back to the primary")
            replica.stop()
            again = {
                d: h.json2("trace.event", d, role="quality", lot_ids=[lot])
                for d in ("trace_forward", "trace_backward")
            }
            verdict.check(
                "without the standby the traces still answer, the same",
                json.dumps(again, sort_keys=True) == json.dumps(answers, sort_keys=True),
            )
            text = h.server.log_text()
            fallback = "falling back to read-write cursor" in text
            verdict.check(
                "Odoo logged its fallback to the primary",
                fallback,
                [line[:160] for line in text.splitlines() if "readonly" in line][-3:],
            )
    finally:
        if replica_log.exists():
            shutil.copy(replica_log, loadlib.VAR / "replica-postgresql.log")
        replica.drop()
    raise SystemExit(verdict.finish())


if __name__ == "__main__":
    try:
        main()
    except requests.RequestException as exc:
        print(f"FAIL: {exc}")
        raise SystemExit(1) from exc
