#!/usr/bin/env python3
"""The measured load run, in one command (see README.md).

    python3 tests/load/run_load.py                       # 1,2,4,8,16 users, 5 minutes each
    python3 tests/load/run_load.py --users 1,2 --duration 60 --scale small   # while developing

Creates (or reuses) the PostgreSQL 15 cluster ``load`` on port 5499, builds the databases with
the benchmark generator (build_db.py; skipped with ``--reuse`` when they exist), starts Odoo in
prefork mode against them, and for each number of users runs Locust headless:

1. ``SuiteUser`` on the suite database: the realistic mix (locustfile.py);
2. ``StockUser`` on the suite database, then on the plain one: clerks and production only, the
   operations plain Odoo has, to give the cost of the seal plus event capture (the ratio of
   business operations per second; see README.md for why this comparison).

Per stage it prints, per operation: requests, throughput, median, p95 and p99 latency, failures
by kind; and for the stage: serialisation conflicts Odoo retried (counted apart from failures)
and the retries that gave up, the ledger's appends (checkpoints) and entries per second, the
time appends waited for the chain lock (median, p95, p99, max; from the DEBUG line
audit_seal logs around the lock). Figures go to var/load/results-<time>.json too.
Everything started is stopped at the end (``--keep`` leaves the cluster running).
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadlib  # noqa: E402
from loadlib import PLAIN_DB, SUITE_DB, VAR, say  # noqa: E402

HERE = Path(__file__).resolve().parent
LOCUST = os.environ.get("LOCUST", str(loadlib.ROOT / "var" / "locust-venv" / "bin" / "locust"))
BUSINESS_OPS = (
    "clerk: receipt validate",
    "clerk: delivery validate",
    "mo: produce (button_mark_done)",
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--users", default="1,2,4,8,16", help="comma-separated numbers of concurrent users")
    add("--duration", type=int, default=300, help="seconds per stage")
    add(
        "--scale",
        default="bench",
        choices=("small", "bench"),
        help="build_db.py scale of the load mix's databases: small, bench (1M lines); the 10M "
        "line databases are bench/bench_10m.py's",
    )
    add("--reuse", action="store_true", help="reuse built databases (var/load/meta.json)")
    add("--workers", type=int, default=4, help="Odoo HTTP workers (>= 4)")
    add("--port", type=int, default=5499, help="port of the load cluster")
    add("--http-port", type=int, default=18769)
    add("--no-ratio", action="store_true", help="skip the suite/plain StockUser stages")
    add("--keep", action="store_true", help="leave the cluster running at the end")
    return parser.parse_args()


def ledger_counts(cluster):
    rows = cluster.query(
        SUITE_DB,
        "SELECT (SELECT count(*) FROM audit_seal_checkpoint), "
        "(SELECT coalesce(max(seq), 0) FROM audit_seal_entry)",
    )
    return rows[0]


def run_locust(server, user_class, db, users, duration, prefix):
    env = dict(os.environ, LOAD_META=str(loadlib.META), LOAD_DB=db)
    command = [
        "nice",
        "-n",
        "5",
        LOCUST,
        "-f",
        str(HERE / "locustfile.py"),
        user_class,
        "--headless",
        "--host",
        server.url(),
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{duration}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "30",
        "--loglevel",
        "WARNING",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # 1: some requests failed
        print(done.stdout[-3000:], done.stderr[-3000:])
        raise RuntimeError(f"locust exited with {done.returncode}")
    stats = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))
    failures = list(csv.DictReader(open(f"{prefix}_failures.csv", encoding="utf-8")))
    return stats, failures


def warm_up(server, db, workers, rounds=6):
    """Every worker loads the registry of ``db`` (20-30 s each on a busy machine) before any
    stage is measured: rounds of 2 x workers concurrent requests until one answers fast."""
    import requests

    meta = loadlib.meta()["dbs"][db]

    def one(_index):
        session = requests.Session()
        tick = time.time()
        session.post(
            server.url("/web/session/authenticate"),
            timeout=300,
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"db": db, "login": "admin", "password": meta["admin_password"]},
            },
        )
        session.post(
            server.url("/json/2/res.partner/search_count"),
            json={"domain": []},
            headers={"Authorization": f"bearer {meta['api_key']}", "X-Odoo-Database": db},
            timeout=300,
        )
        return time.time() - tick

    from concurrent.futures import ThreadPoolExecutor

    previous = None
    for number in range(rounds):
        with ThreadPoolExecutor(2 * workers) as pool:
            slowest = max(pool.map(one, range(2 * workers)))
        say(f"warm-up {db} round {number + 1}: slowest {slowest:.1f} s")
        if slowest < 3 or (previous and slowest > previous * 0.8):
            return  # fast, or no faster than the last round (a busy machine)
        previous = slowest


#: what Odoo's daily scheduler does to emptied quants (stock.quant._unlink_zero_quants, run by
#: _quant_tasks): the harness runs no daily cron, so without it WH/Stock gathered 9,000 emptied
#: serial quants in an hour, every reservation read them all, and more of them on the suite's
#: database than on plain's (the mix stages deliver there too), which skewed the ratio
ZERO_QUANTS_SQL = """
DELETE FROM stock_quant
 WHERE round(quantity::numeric, 6) = 0 AND round(reserved_quantity::numeric, 6) = 0
   AND (round(inventory_quantity::numeric, 6) = 0 OR inventory_quantity IS NULL)
   AND user_id IS NULL
RETURNING id
"""


def stage(cluster, server, user_class, db, users, duration, label):
    emptied = len(cluster.query(db, ZERO_QUANTS_SQL))
    say(f"stage {label}: {user_class} x {users} on {db} for {duration} s "
        f"({emptied} emptied quants removed first, as Odoo's daily scheduler does)")
    offset = server.log.stat().st_size
    before = ledger_counts(cluster)
    started = time.time()
    prefix = VAR / f"stage-{label.replace(' ', '_')}"
    stats, failures = run_locust(server, user_class, db, users, duration, prefix)
    elapsed = time.time() - started
    after = ledger_counts(cluster)
    with open(server.log, encoding="utf-8", errors="replace") as handle:
        handle.seek(offset)
        waits, retries, gave_up = loadlib.log_figures(handle.read())
    ops = {}
    for row in stats:
        if row["Name"] == "Aggregated":
            continue
        ops[row["Name"]] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]),
            "median_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
            "p99_ms": float(row["99%"] or 0),
        }
    errors = [
        {"name": row["Name"], "error": row["Error"], "count": int(row["Occurrences"])}
        for row in failures
    ]
    result = {
        "label": label,
        "class": user_class,
        "db": db,
        "users": users,
        "seconds": elapsed,
        "ops": ops,
        "errors": errors,
        "retries": retries,
        "retries_gave_up": gave_up,
        "business_ops_per_s": sum(ops.get(name, {}).get("rps", 0) for name in BUSINESS_OPS)
        - sum(ops.get(name, {}).get("failures", 0) for name in BUSINESS_OPS) / duration,
        "appends_per_s": (after[0] - before[0]) / elapsed,
        "entries_per_s": (after[1] - before[1]) / elapsed,
        "lock_waits": len(waits),
        "lock_wait_ms": {
            "median": statistics.median(waits) if waits else None,
            "p95": loadlib.percentile(waits, 0.95),
            "p99": loadlib.percentile(waits, 0.99),
            "max": max(waits) if waits else None,
        },
    }
    report(result)
    return result


def fmt(value, digits=1):
    return "-" if value is None else f"{value:,.{digits}f}"


def report(result):
    print(
        f"\n== {result['label']}: {result['class']} x {result['users']} on {result['db']}, "
        f"{result['seconds']:.0f} s"
    )
    print(
        f"   {'operation':<44}{'reqs':>7}{'fail':>6}{'req/s':>8}{'median':>9}{'p95':>9}"
        f"{'p99':>9}  (ms)"
    )
    for name, op in sorted(result["ops"].items()):
        print(
            f"   {name:<44}{op['requests']:>7}{op['failures']:>6}{op['rps']:>8.2f}"
            f"{op['median_ms']:>9.0f}{op['p95_ms']:>9.0f}{op['p99_ms']:>9.0f}"
        )
    print(
        f"   business operations (validations, MOs done) per second: "
        f"{result['business_ops_per_s']:.2f}"
    )
    if result["errors"]:
        print("   failures by kind:")
        for error in result["errors"]:
            print(f"     {error['count']:>5} x {error['name']}: {error['error'][:140]}")
    else:
        print("   failures: none")
    retried = ", ".join(f"{k} {v}" for k, v in result["retries"].items()) or "none"
    gave_up = ", ".join(f"{k} {v}" for k, v in result["retries_gave_up"].items()) or "none"
    print(
        f"   concurrency conflicts retried by Odoo (not failures): {retried}; "
        f"retries exhausted: {gave_up}"
    )
    if result["db"] == SUITE_DB:
        wait = result["lock_wait_ms"]
        print(
            f"   ledger: {result['appends_per_s']:.2f} appends/s, "
            f"{result['entries_per_s']:.1f} entries/s; chain lock wait over "
            f"{result['lock_waits']} appends: median {fmt(wait['median'], 2)} ms, "
            f"p95 {fmt(wait['p95'], 2)} ms, p99 {fmt(wait['p99'], 2)} ms, "
            f"max {fmt(wait['max'], 2)} ms (target p95 < 10 ms)"
        )


def summary(results):
    print("\n" + "=" * 100)
    print(f"summary ({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})")
    print(
        f"{'stage':<22}{'users':>6}{'ops/s':>8}{'fails':>7}{'retried':>8}{'appends/s':>10}"
        f"{'lock p95':>10}"
    )
    for result in results:
        fails = sum(e["count"] for e in result["errors"])
        print(
            f"{result['label']:<22}{result['users']:>6}{result['business_ops_per_s']:>8.2f}"
            f"{fails:>7}{sum(result['retries'].values()):>8}"
            f"{result['appends_per_s']:>10.2f}{fmt(result['lock_wait_ms']['p95'], 2):>10}"
        )
    by_users = {}
    for result in results:
        by_users.setdefault(result["users"], {})[result["label"].rsplit(" ", 1)[0]] = result
    for users, stages in sorted(by_users.items()):
        suite, plain = stages.get("stock suite"), stages.get("stock plain")
        if suite and plain and plain["business_ops_per_s"]:
            ratio = suite["business_ops_per_s"] / plain["business_ops_per_s"]
            print(
                f"{users} users: seal + event capture keep {ratio * 100:.0f} % of plain Odoo's "
                f"business operations per second (cost {(1 - ratio) * 100:.0f} %, "
                "target <= 15 %)"
            )


def main():
    args = parse_args()
    if args.workers < 4:
        sys.exit("--workers must be at least 4 (prefork mode as deployed)")
    cluster = loadlib.Cluster(port=args.port).start()
    cluster.use()
    server = loadlib.OdooServer(cluster, port=args.http_port, workers=args.workers)
    results = []
    try:
        dbs = {row[0] for row in cluster.query("postgres", "SELECT datname FROM pg_database")}
        if not (args.reuse and loadlib.META.exists() and {SUITE_DB, PLAIN_DB} <= dbs):
            subprocess.run(
                [
                    sys.executable,
                    str(HERE / "build_db.py"),
                    "--port",
                    str(args.port),
                    "--scale",
                    args.scale,
                ],
                check=True,
            )
        server.start()
        for db in (SUITE_DB, PLAIN_DB) if not args.no_ratio else (SUITE_DB,):
            warm_up(server, db, args.workers)
        for users in map(int, args.users.split(",")):
            results.append(
                stage(cluster, server, "SuiteUser", SUITE_DB, users, args.duration, f"mix {users}")
            )
            if not args.no_ratio:
                results.append(
                    stage(
                        cluster,
                        server,
                        "StockUser",
                        SUITE_DB,
                        users,
                        args.duration,
                        f"stock suite {users}",
                    )
                )
                results.append(
                    stage(
                        cluster,
                        server,
                        "StockUser",
                        PLAIN_DB,
                        users,
                        args.duration,
                        f"stock plain {users}",
                    )
                )
        summary(results)
        out = VAR / f"results-{time.strftime('%Y%m%d-%H%M%S')}.json"
        out.write_text(
            json.dumps(
                {"cpus": os.cpu_count(), "load": os.getloadavg(), "results": results}, indent=1
            )
        )
        say(f"figures in {out}")
    finally:
        server.stop()
        if not args.keep:
            cluster.stop()


if __name__ == "__main__":
    main()
