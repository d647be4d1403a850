#!/usr/bin/env python3
"""What the suite costs on the stock paths of the load mix, per operation, suite against plain.

    python3 bench/bench_stock_cost.py                 # 20 rounds (+1 warm-up) on both copies
    python3 bench/bench_stock_cost.py --reps 15
    python3 bench/bench_stock_cost.py --profile var/bench/stock_cost.prof   # + cProfile (suite)

Drives, in this one process (registry + cursor, one commit per request as Odoo's HTTP layer
does, so the ledger's commit-time append runs), the business operations of the load mix's
clerk and production roles (tests/load/locustfile.py), as the roles' own logins:

* a receipt of 5 new serials typed in: create, confirm, read, the serials written, and
  ``button_validate``;
* a delivery of 5 serials: create, confirm, reserve (``action_assign``), read, pick,
  ``button_validate``;
* a manufacturing order of one serial: create, ``action_confirm``, ``action_generate_serial``,
  ``button_mark_done``.

against copies of the load cluster's ``load_suite`` and ``load_plain`` (port 5499,
``createdb -T``; the originals are not touched; the copies are dropped at the end unless
``--keep``). Suite and plain take turns at each business operation (the order swapped every
round), so both see the same machine.
Printed per operation, median over the rounds: wall ms, CPU ms of this process
(``time.process_time``: Odoo's Python), CPU ms of the PostgreSQL backend that served it
(``/proc/<pid>/stat``; a mean: the kernel counts it in 10 ms ticks), SQL queries
(``cr.sql_log_count``), suite / plain ratio; then the business operations (the sums of
their requests).

The suite database signs with a key file of its own (``var/bench/stock_cost_ed25519.pem``,
made on the first run; the copy registers it), not in demo mode.
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADDONS = ROOT / "addons"
VAR = ROOT / "var" / "bench"
SOCKET_DIR = "/var/run/postgresql"
TICKS = os.sysconf("SC_CLK_TCK")
UNITS = 5
#: where the benchmark generator keeps its metadata (bench/bench_trace_events.py)
META_KEY = "trace_events_bench.meta"

sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "load"))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=20, help="measured rounds (default 20)")
    parser.add_argument("--warmup", type=int, default=1, help="rounds not measured (default 1)")
    parser.add_argument("--port", type=int, default=5499, help="the load cluster's port")
    parser.add_argument("--suite-template", default="load_suite")
    parser.add_argument("--plain-template", default="load_plain")
    parser.add_argument("--prefix", default=f"cost_{os.getpid()}", help="copies' name prefix")
    parser.add_argument("--keep", action="store_true", help="keep the copies")
    parser.add_argument("--reuse", action="store_true", help="use existing <prefix> copies")
    parser.add_argument(
        "--profile", help="cProfile the validations and MOs done into FILE.suite, FILE.plain"
    )
    return parser.parse_args()


# ------------------------------------------------------------------------------ databases


def pg_env(port):
    return dict(os.environ, PGHOST=SOCKET_DIR, PGPORT=str(port))


def copy_databases(args):
    """``{suite, plain}`` copy names, made with ``createdb -T`` (unless ``--reuse``)."""
    names = {"suite": f"{args.prefix}_suite", "plain": f"{args.prefix}_plain"}
    if args.reuse:
        return names
    for side, template in (("suite", args.suite_template), ("plain", args.plain_template)):
        done = subprocess.run(
            ["createdb", "-T", template, names[side]],
            env=pg_env(args.port),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(f"createdb -T {template} {names[side]} failed: {done.stderr.strip()}")
    return names


def drop_databases(args, names):
    for name in names.values():
        subprocess.run(["dropdb", "--if-exists", name], env=pg_env(args.port), check=False)


def setup_odoo(args, suite_db):
    import odoo
    import odoo.modules.module
    from odoo.tools import config

    config.parse_config(
        [
            f"--addons-path={ADDONS}",
            "--log-level=warn",
            f"--db_host={SOCKET_DIR}",
            f"--db_port={args.port}",
            "--max-cron-threads=0",
        ]
    )
    odoo.modules.module.initialize_sys_path()
    key = VAR / "stock_cost_ed25519.pem"
    if not key.exists():
        from odoo.addons.audit_seal.lib.keys import generate_private_key_pem

        VAR.mkdir(parents=True, exist_ok=True)
        key.write_bytes(generate_private_key_pem())
        key.chmod(0o600)
    config["audit_seal_private_key_file"] = str(key)
    odoo.netsvc.init_logger()


class Side:
    """One database: its registry, the roles' users and the ids the operations need."""

    def __init__(self, name, db):
        from odoo.modules.registry import Registry

        self.name = name
        self.registry = Registry(db)
        with self.registry.cursor() as cr:
            env = self.env(cr, 1)
            users = env["res.users"].with_context(active_test=False)
            self.clerk = users.search([("login", "=", "load_clerk")]).id
            self.production = users.search([("login", "=", "load_production")]).id
            if not (self.clerk and self.production):
                sys.exit(f"{db}: no load_clerk/load_production login (tests/load/build_db.py)")
            self.context = {
                uid: dict(env["res.users"].browse(uid).context_get(), uid=uid)
                for uid in (self.clerk, self.production)
            }
            warehouse = env["stock.warehouse"].search([], limit=1)
            usage = {
                loc.usage: loc.id
                for loc in env["stock.location"].search(
                    [("usage", "in", ("supplier", "customer"))], order="id desc"
                )
            }
            self.types = {
                "in": warehouse.in_type_id.id,
                "out": warehouse.out_type_id.id,
                "stock": warehouse.lot_stock_id.id,
                **usage,
            }
            meta = json.loads(env["ir.config_parameter"].get_param(META_KEY) or "null")
            if not meta:
                sys.exit(f"{db}: no {META_KEY} parameter (a load database built by build_db.py?)")
            self.product = meta["pacemaker"]
            self.supplier = meta["supplier"]
            self.distributors = meta["distributors"]
        self.times = {}  # operation -> [(wall, cpu, db cpu, queries)]

    def env(self, cr, uid, context=None):
        from odoo import api

        return api.Environment(cr, uid, context or {})

    def request(self, operation, uid, func, profiler=None):
        """Run ``func(env)`` as one request of ``uid``: a cursor, the call, the commit."""
        with self.registry.cursor() as cr:
            cr.execute("SELECT pg_backend_pid()")
            backend = cr.fetchone()[0]
            env = self.env(cr, uid, self.context[uid])
            before = cr.sql_log_count
            db_cpu = backend_cpu(backend)
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            result = func(env)
            cr.commit()
            if profiler:
                profiler.disable()
            cpu = time.process_time() - cpu
            wall = time.perf_counter() - wall
            db_cpu = backend_cpu(backend) - db_cpu
            queries = cr.sql_log_count - before
        self.times.setdefault(operation, []).append((wall, cpu, db_cpu, queries))
        return result


def backend_cpu(pid):
    """utime + stime of a PostgreSQL backend, in seconds."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


# ------------------------------------------------------------------------------ operations


def receive(side, profiler=None):
    t, clerk = side.types, side.clerk
    picking = side.request(
        "receipt: create",
        clerk,
        lambda env: (
            env["stock.picking"]
            .create(
                {
                    "picking_type_id": t["in"],
                    "partner_id": side.supplier,
                    "location_id": t["supplier"],
                    "location_dest_id": t["stock"],
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": side.product,
                                "product_uom_qty": UNITS,
                                "location_id": t["supplier"],
                                "location_dest_id": t["stock"],
                            },
                        )
                    ],
                }
            )
            .id
        ),
    )
    side.request("receipt: confirm", clerk, lambda env: picks(env, picking).action_confirm())
    data = side.request(
        "receipt: read",
        clerk,
        lambda env: picks(env, picking).read(["move_ids", "move_line_ids"])[0],
    )
    stamp = uuid.uuid4().hex[:10].upper()
    commands = [(2, line) for line in data["move_line_ids"]] + [
        (
            0,
            0,
            {
                "move_id": data["move_ids"][0],
                "product_id": side.product,
                "lot_name": f"SC{stamp}{i:03d}",
                "quantity": 1,
                "picked": True,
                "location_id": t["supplier"],
                "location_dest_id": t["stock"],
            },
        )
        for i in range(UNITS)
    ]
    side.request(
        "receipt: serials",
        clerk,
        lambda env: picks(env, picking).write({"move_line_ids": commands}),
    )
    validate(side, "receipt: validate", picking, profiler)


def picks(env, picking):
    return env["stock.picking"].browse(picking)


def validate(side, operation, picking, profiler):
    result = side.request(
        operation, side.clerk, lambda env: picks(env, picking).button_validate(), profiler
    )
    if isinstance(result, dict):
        sys.exit(f"{side.name}: {operation} opened a wizard ({result.get('res_model')})")


def deliver(side, rep, profiler=None):
    t, clerk = side.types, side.clerk
    partner = side.distributors[rep % len(side.distributors)]
    picking = side.request(
        "delivery: create",
        clerk,
        lambda env: (
            env["stock.picking"]
            .create(
                {
                    "picking_type_id": t["out"],
                    "partner_id": partner,
                    "location_id": t["stock"],
                    "location_dest_id": t["customer"],
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": side.product,
                                "product_uom_qty": UNITS,
                                "location_id": t["stock"],
                                "location_dest_id": t["customer"],
                            },
                        )
                    ],
                }
            )
            .id
        ),
    )
    side.request("delivery: confirm", clerk, lambda env: picks(env, picking).action_confirm())
    side.request("delivery: reserve", clerk, lambda env: picks(env, picking).action_assign())
    moves = side.request(
        "delivery: read",
        clerk,
        lambda env: env["stock.move"].search_read(
            [("picking_id", "=", picking)], ["quantity", "product_uom_qty"]
        ),
    )
    if not moves or moves[0]["quantity"] < moves[0]["product_uom_qty"]:
        sys.exit(f"{side.name}: not enough stock for a delivery of {UNITS}")
    side.request(
        "delivery: pick",
        clerk,
        lambda env: env["stock.move"].browse([m["id"] for m in moves]).write({"picked": True}),
    )
    validate(side, "delivery: validate", picking, profiler)


def manufacture(side, profiler=None):
    uid = side.production
    production = side.request(
        "mo: create",
        uid,
        lambda env: env["mrp.production"].create({"product_id": side.product, "product_qty": 1}).id,
    )

    def mo(env):
        return env["mrp.production"].browse(production)

    side.request("mo: confirm", uid, lambda env: mo(env).action_confirm())
    side.request("mo: generate serial", uid, lambda env: mo(env).action_generate_serial())
    result = side.request("mo: done", uid, lambda env: mo(env).button_mark_done(), profiler)
    if isinstance(result, dict):
        sys.exit(f"{side.name}: button_mark_done opened a wizard ({result.get('res_model')})")


# ------------------------------------------------------------------------------ report

BUSINESS = {
    "receipt of 5 serials": "receipt: ",
    "delivery of 5 serials": "delivery: ",
    "manufacturing order": "mo: ",
}


def medians(rows, skip):
    """Medians of wall, CPU and queries; the mean of the PostgreSQL CPU (counted in clock ticks
    of 10 ms, so a median would read 0 or 10)."""
    rows = rows[skip:]
    columns = list(zip(*rows, strict=True))
    return [
        statistics.median(columns[0]) * 1000,
        statistics.median(columns[1]) * 1000,
        statistics.fmean(columns[2]) * 1000,
        statistics.median(columns[3]),
    ]


def report(suite, plain, skip):
    print(
        f"\n{'operation':<26} {'wall ms':>17} {'CPU ms (Odoo)':>17} {'CPU ms (PG)':>15} "
        f"{'queries':>13}   suite/plain: wall  CPU  CPU+PG  queries"
    )
    print(
        f"{'':<26} {'suite / plain':>17} {'suite / plain':>17} {'suite / plain':>15} "
        f"{'suite / plain':>13}"
    )

    def line(label, s, p):
        ratio = [(a / b if b else float("nan")) for a, b in zip(s, p, strict=True)]
        both = (s[1] + s[2]) / (p[1] + p[2]) if p[1] + p[2] else float("nan")
        print(
            f"{label:<26} {s[0]:8.1f} /{p[0]:7.1f} {s[1]:8.1f} /{p[1]:7.1f} "
            f"{s[2]:6.1f} /{p[2]:6.1f} {s[3]:5.0f} /{p[3]:5.0f}   "
            f"{ratio[0]:14.2f} {ratio[1]:4.2f} {both:6.2f} {ratio[3]:8.2f}"
        )

    for operation in suite.times:
        line(
            operation, medians(suite.times[operation], skip), medians(plain.times[operation], skip)
        )
    print("\nbusiness operations (sum of the medians of their requests):")
    totals = {}
    for label, prefix in BUSINESS.items():
        sums = []
        for side in (suite, plain):
            rows = [medians(r, skip) for op, r in side.times.items() if op.startswith(prefix)]
            sums.append([sum(column) for column in zip(*rows, strict=True)])
        totals[label] = sums
        line(label, *sums)
    s = [sum(v[0][i] for v in totals.values()) for i in range(4)]
    p = [sum(v[1][i] for v in totals.values()) for i in range(4)]
    line("all three", s, p)


def print_profile(path):
    stats = pstats.Stats(path)
    stats.sort_stats("cumulative")
    print(f"\nprofile of the suite's validations and MOs done ({path}), ours by cumulative time:")
    stats.print_stats(r"addons/(trace_events|audit_seal|udi_|recall_|partner_portal|quality_)", 45)


# ------------------------------------------------------------------------------ main


def main():
    args = parse_args()
    os.environ.update(PGHOST=SOCKET_DIR, PGPORT=str(args.port))
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    names = copy_databases(args)
    try:
        setup_odoo(args, names["suite"])
        suite, plain = Side("suite", names["suite"]), Side("plain", names["plain"])
        profilers = {suite: cProfile.Profile(), plain: cProfile.Profile()} if args.profile else {}
        started = time.perf_counter()
        for rep in range(args.warmup + args.reps):
            sides = (suite, plain) if rep % 2 else (plain, suite)
            for side in sides:
                prof = profilers.get(side) if rep >= args.warmup else None
                receive(side, prof)
            for side in sides:
                prof = profilers.get(side) if rep >= args.warmup else None
                deliver(side, rep, prof)
            for side in sides:
                prof = profilers.get(side) if rep >= args.warmup else None
                manufacture(side, prof)
        print(
            f"{args.warmup} warm-up + {args.reps} measured rounds in "
            f"{time.perf_counter() - started:.0f} s (copies {names['suite']}, {names['plain']})"
        )
        report(suite, plain, args.warmup)
        print(
            f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}"
        )
        for side, profiler in profilers.items():
            path = f"{args.profile}.{side.name}"
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            profiler.dump_stats(path)
        if profilers:
            print_profile(f"{args.profile}.suite")
    finally:
        if not args.keep:
            from odoo.sql_db import close_all

            close_all()
            drop_databases(args, names)


if __name__ == "__main__":
    main()
