#!/usr/bin/env python3
"""Figures of one big database (issue 17, 10 million event lines): trace, holdings, ledger
verification, recall impact, table and index sizes; for the partitioning decision.

    nice -n 19 python3 bench/bench_10m.py --db load_10m     # on the load cluster (port 5499)
    nice -n 19 python3 bench/bench_10m.py --db load_1m      # the same on 1M, for the ratio
    python3 bench/bench_10m.py --db load_10m --only trace --trace-runs 100

The databases are built by ``tests/load/build_db.py --scale 10m`` (bench/build_10m.py). Every
measurement runs in a transaction that is rolled back, except the VACUUM and the index build of
``--only maintenance``, which leave the data as it was. Each figure is printed with the load
average (1 minute) at the time it was taken: the machine is shared, so wall times move with it.

Measurements (``--only`` picks some: trace, lookup, holdings, verify, recall, sizes,
maintenance):

* trace: ``trace.event.trace_forward`` of the chain's cell lot (10,000 serials made from it,
  the trace benchmark's measurement) ``--trace-runs`` times, a fresh transaction per run,
  median and p99; ``trace_backward`` of as many different chain serials (one each run);
* lookup: the event lines of one lot by ``lot_id`` (the index every trace, holding and recall
  starts from), 1,000 random lots, median and p99, and the index's depth (pages read);
* holdings: ``trace.holding._trace_refresh`` of the 10,000 chain serials (the incremental path
  a delivery takes) and ``_trace_rebuild`` of every holding (after a bulk load);
* verify: the ledger's chain and signatures (``_seal_verify(check_records=False)``), in MB/s
  of payload; then with the re-check of every sealed record (``check_records=True``), in
  records/s; the peak RSS growth of this process during each (sampled every 50 ms);
* recall: the impact analysis of a recall of the cell lot (10,000 serials), with
  bench_recall.py's timed phases (create, analyse, sign, approve, the seal's append), as the
  quality manager;
* sizes: heap, index and TOAST sizes of trace_event_line, trace_event, audit_seal_entry,
  trace_holding, stock_move_line and each of their indexes;
* maintenance: ``VACUUM (ANALYZE) trace_event_line`` and ``audit_seal_entry`` and the time to
  build an index on trace_event_line (lot_id) again (``CREATE INDEX``, then dropped).
"""

import argparse
import json
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "load"))

import bench_trace_events as chain  # noqa: E402

META_KEY = "bench_10m.meta"
ALL = ("sizes", "lookup", "trace", "holdings", "recall", "verify", "maintenance")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--db", default="load_10m")
    add("--port", type=int, default=5499, help="the load cluster (never 5432)")
    add("--trace-runs", type=int, default=50)
    add("--lookups", type=int, default=1000)
    add("--only", default=",".join(ALL), help=f"comma-separated: {', '.join(ALL)}")
    add("--json", help="also write the figures to this file")
    add("--seed", type=int, default=17)
    add(
        "--recheck-budget",
        type=float,
        default=0,
        help="seconds: stop the re-check after this long and give its rate so far (0: all)",
    )
    add("--rebuild", action="store_true", help="also time _trace_rebuild (minutes at 10M)")
    add(
        "--interleave",
        metavar="DB",
        help="only the traces, alternating run by run with DB (same load for both: the ratio)",
    )
    return parser.parse_args()


def load():
    return os.getloadavg()[0]


def out(label, value, note=""):
    print(f"{label:<60} {value:>16}  load {load():4.1f}  {note}".rstrip(), flush=True)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class RssPeak:
    """The peak resident set size of this process while the block runs (sampled)."""

    def __init__(self, interval=0.05):
        self.interval = interval
        self.peak = self.start = 0
        self.samples = []  # (seconds since start, rss)
        self._stop = threading.Event()

    @staticmethod
    def rss():
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def _run(self):
        began = time.perf_counter()
        while not self._stop.is_set():
            rss = self.rss()
            self.peak = max(self.peak, rss)
            self.samples.append((time.perf_counter() - began, rss))
            self._stop.wait(self.interval)

    def profile(self, points=4):
        """RSS growth (MB) at the end of each quarter of the run: flat memory plateaus."""
        if not self.samples:
            return []
        end = self.samples[-1][0]
        found = []
        for quarter in range(1, points + 1):
            limit = end * quarter / points
            rss = max((r for t, r in self.samples if t <= limit), default=self.start)
            found.append(round((rss - self.start) / 2**20, 1))
        return found

    def __enter__(self):
        self.start = self.peak = self.rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())

    @property
    def growth(self):
        return self.peak - self.start


# ------------------------------------------------------------------------------ setup


def bench_meta(odoo):
    """The chain's ids (the generator's meta) and, created once, the quality manager and the
    quarantine location of the recall measurement."""
    import bench_recall

    meta = odoo.meta()
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        params = env["ir.config_parameter"]
        own = json.loads(params.get_param(META_KEY) or "{}")
        if not own:
            own["manager"] = bench_recall.create_manager(env)
            own["quarantine_location"] = (
                env["stock.location"]
                .create(
                    {
                        "name": "Recall quarantine",
                        "usage": "internal",
                        "location_id": chain.locations(env)["stock"].location_id.id,
                    }
                )
                .id
            )
            params.set_param(META_KEY, json.dumps(own))
        cr.execute("SELECT count(*) FROM trace_event_line")
        meta["event_lines"] = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM audit_seal_entry")
        meta["ledger_entries"] = cr.fetchone()[0]
        cr.execute(
            "SELECT l.id FROM stock_lot l WHERE l.product_id = %s ORDER BY l.id",
            [meta["pacemaker"]],
        )
        meta["chain_serials"] = [row[0] for row in cr.fetchall()]
    return meta | own


# ------------------------------------------------------------------------------ measurements


def timed(odoo, func, runs):
    """``func(env, run)`` ``runs`` times, each in its own transaction rolled back: seconds."""
    times = []
    for run in range(runs):
        with odoo.cursor() as cr:
            env = odoo.env(cr, chain.ADMIN_UID)
            tick = time.perf_counter()
            func(env, run)
            times.append(time.perf_counter() - tick)
            cr.rollback()
    return times


def report_times(figures, key, label, times, target=None):
    median, p99 = statistics.median(times), percentile(times, 0.99)
    figures[key] = {"median_ms": median * 1000, "p99_ms": p99 * 1000, "runs": len(times)}
    figures[key]["load"] = load()
    note = f"p99 {p99 * 1000:,.1f} ms, min {min(times) * 1000:,.1f}, n={len(times)}"
    if target:
        note += f"; target median < {target} ms: {'met' if median * 1000 < target else 'NOT met'}"
    out(label, f"{median * 1000:,.1f} ms", note)


def measure_trace(odoo, meta, args, figures):
    cell = meta["cell_lot"]
    rng = random.Random(args.seed)
    serials = rng.sample(meta["chain_serials"], min(args.trace_runs, len(meta["chain_serials"])))
    result = {}

    def forward(env, _run):
        result["forward"] = env["trace.event"].trace_forward([cell])

    times = timed(odoo, forward, args.trace_runs)
    lots = len(result["forward"]["lots"])
    holders = len(result["forward"]["holders"])
    report_times(
        figures,
        "trace_forward",
        f"trace_forward of the cell lot ({lots:,} lots, {holders:,} holders)",
        times,
        target=200,
    )

    def backward(env, run):
        env["trace.event"].trace_backward([serials[run % len(serials)]])

    times = timed(odoo, backward, len(serials))
    report_times(figures, "trace_backward", "trace_backward of one chain serial", times)


def interleaved_traces(odoos, metas, args):
    """trace_forward of the cell lot and trace_backward of a chain serial, run by run
    alternating between the databases, so that both see the same load."""
    rng = random.Random(args.seed)
    times = {(odoo.db, kind): [] for odoo in odoos for kind in ("forward", "backward")}
    for _run in range(args.trace_runs):
        for odoo, meta in zip(odoos, metas, strict=True):
            serial = rng.choice(meta["chain_serials"])
            for kind, lots in (("forward", [meta["cell_lot"]]), ("backward", [serial])):
                with odoo.cursor() as cr:
                    env = odoo.env(cr, chain.ADMIN_UID)
                    method = getattr(env["trace.event"], f"trace_{kind}")
                    tick = time.perf_counter()
                    method(lots)
                    times[odoo.db, kind].append(time.perf_counter() - tick)
                    cr.rollback()
    figures = {}
    for (db, kind), values in times.items():
        report_times(figures, f"{db}_{kind}", f"{db}: trace_{kind} (interleaved)", values)
    return figures


def measure_lookup(odoo, meta, args, figures):
    """Event lines of one lot through the lot index: random lots, and the pages read."""
    rng = random.Random(args.seed)
    with odoo.cursor() as cr:
        cr.execute("SELECT min(id), max(id) FROM stock_lot")
        low, high = cr.fetchone()
        lots = [rng.randint(low, high) for _ in range(args.lookups)]
        times, rows = [], 0
        for lot_id in lots:
            tick = time.perf_counter()
            cr.execute(
                "SELECT id, event_id, role, quantity FROM trace_event_line WHERE lot_id = %s",
                [lot_id],
            )
            rows += len(cr.fetchall())
            times.append(time.perf_counter() - tick)
        cr.execute(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "
            "SELECT id, event_id, role, quantity FROM trace_event_line WHERE lot_id = %s",
            [lots[0]],
        )
        plan = cr.fetchone()[0][0]["Plan"]
        cr.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_attribute a ON a.attrelid = t.oid "
            "AND a.attnum = x.indkey[0] WHERE t.relname = 'trace_event_line' "
            "AND a.attname = 'lot_id' LIMIT 1"
        )
        index = (cr.fetchone() or ["?"])[0]
    median, p99 = statistics.median(times), percentile(times, 0.99)
    figures["lot_lookup"] = {
        "median_us": median * 1e6,
        "p99_us": p99 * 1e6,
        "lots": len(lots),
        "rows_per_lot": rows / len(lots),
        "plan": plan["Node Type"],
        "index": index,
        "shared_buffers_read": plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0),
        "load": load(),
    }
    out(
        f"event lines of one lot by lot_id ({len(lots):,} random lots)",
        f"{median * 1e6:,.0f} us",
        f"p99 {p99 * 1e6:,.0f} us; {rows / len(lots):.1f} lines/lot; {plan['Node Type']} "
        f"on {index}, {figures['lot_lookup']['shared_buffers_read']} pages",
    )


def measure_holdings(odoo, meta, figures, rebuild=True):
    serials = meta["chain_serials"]

    def refresh(env, _run):
        env["trace.holding"]._trace_refresh(serials)

    times = timed(odoo, refresh, 3)
    figures["holdings_refresh"] = {
        "lots": len(serials),
        "median_s": statistics.median(times),
        "load": load(),
    }
    out(
        f"holdings refresh of {len(serials):,} serials (_trace_refresh)",
        f"{statistics.median(times):,.2f} s",
        "median of 3",
    )
    if not rebuild:
        return

    def rebuild(env, _run):
        env["trace.holding"]._trace_rebuild()
        env.cr.execute("SELECT count(*) FROM trace_holding")
        figures["holding_rows"] = env.cr.fetchone()[0]

    times = timed(odoo, rebuild, 1)
    figures["holdings_rebuild"] = {"seconds": times[0], "load": load()}
    out(
        f"holdings rebuild, every lot (_trace_rebuild, {figures['holding_rows']:,} rows)",
        f"{times[0]:,.1f} s",
    )


class Budget(Exception):
    pass


def _budget_over(_signum, _frame):
    raise Budget()


def recheck(verification, budget):
    """``_seal_verify(check_records=True)``, stopped after ``budget`` seconds (0: never):
    (result or None if stopped, records re-checked, seconds)."""
    counted = [0]
    cls = type(verification)
    original = cls._seal_check_rows

    def counting(self, rows, purged):
        checked, failure = original(self, rows, purged)
        counted[0] += checked
        return checked, failure

    cls._seal_check_rows = counting
    result = None
    tick = time.perf_counter()
    if budget:
        signal.signal(signal.SIGALRM, _budget_over)
        signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        result = verification._seal_verify(check_records=True)
    except Budget:
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        cls._seal_check_rows = original
    return result, counted[0], time.perf_counter() - tick


def measure_verify(odoo, figures, budget=0):
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        cr.execute("SELECT count(*), sum(octet_length(payload)) FROM audit_seal_entry")
        entries, payload = cr.fetchone()
        verification = env["audit.seal.verification"]
        with RssPeak() as memory:
            tick = time.perf_counter()
            chain_result = verification._seal_verify(check_records=False)
            chain_time = time.perf_counter() - tick
        cr.rollback()
        mbs = payload / 2**20 / chain_time
        figures["chain_verify"] = {
            "entries": entries,
            "payload_mb": payload / 2**20,
            "seconds": chain_time,
            "mb_per_s": mbs,
            "entries_per_s": entries / chain_time,
            "rss_growth_mb": memory.growth / 2**20,
            "rss_growth_by_quarter_mb": memory.profile(),
            "ok": chain_result["ok"],
            "load": load(),
        }
        out(
            f"chain + signatures of {entries:,} entries ({payload / 2**20:,.0f} MB payload)",
            f"{mbs:,.1f} MB/s",
            f"{chain_time:,.1f} s, ok={chain_result['ok']}, RSS +{memory.growth / 2**20:,.0f} MB "
            f"(by quarter {memory.profile()}); target >= 50 MB/s: "
            f"{'met' if mbs >= 50 else 'NOT met'}",
        )
        with RssPeak() as memory:
            full, checked, full_time = recheck(verification, budget)
        cr.rollback()
        rate = checked / full_time
        figures["recheck"] = {
            "records": checked,
            "of_entries": entries,
            "complete": full is not None,
            "seconds": full_time,
            "records_per_s": rate,
            "rss_growth_mb": memory.growth / 2**20,
            "rss_growth_by_quarter_mb": memory.profile(),
            "ok": full["ok"] if full else None,
            "reason": full.get("reason") if full else f"stopped after {budget:.0f} s",
            "load": load(),
        }
        outcome = f"ok={full['ok']}" if full else f"stopped after {budget:.0f} s (budget)"
        out(
            f"chain + re-check of {checked:,} of {entries:,} sealed records",
            f"{rate:,.0f} rec/s",
            f"{full_time:,.1f} s, {outcome}, RSS +{memory.growth / 2**20:,.0f} MB (by quarter "
            f"{memory.profile()}); target >= 10,000/s: {'met' if rate >= 10_000 else 'NOT met'}",
        )


def measure_recall(odoo, meta, figures):
    import bench_recall

    phases, campaign, peak = bench_recall.run_impact(odoo, meta)
    figures["recall"] = {
        "seconds": phases.total(),
        "phases": {name: seconds for name, (seconds, _q) in phases.rows.items()},
        "serials": campaign["serials"],
        "notices": campaign["notices"],
        "load": load(),
    }
    for name, (seconds, queries) in phases.rows.items():
        out(f"   {name}", f"{seconds:,.2f} s", f"{queries:,} queries")
    out(
        f"recall of the cell lot: impact + approval ({campaign['serials']:,} serials)",
        f"{phases.total():,.2f} s",
        f"{campaign['notices']} notices; target < 10 s: "
        f"{'met' if phases.total() < 10 else 'NOT met'}",
    )


SIZES_SQL = """
SELECT c.relname, pg_relation_size(c.oid), pg_indexes_size(c.oid),
       coalesce(pg_total_relation_size(c.reltoastrelid), 0), pg_total_relation_size(c.oid),
       c.reltuples::bigint
  FROM pg_class c WHERE c.relname = ANY(%(tables)s) AND c.relkind = 'r' ORDER BY 5 DESC
"""
INDEX_SQL = """
SELECT t.relname, i.relname, pg_relation_size(i.oid)
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
 WHERE t.relname = ANY(%(tables)s) ORDER BY 1, 3 DESC
"""
TABLES = [
    "trace_event_line",
    "trace_event",
    "audit_seal_entry",
    "trace_holding",
    "stock_move_line",
    "stock_lot",
]


def measure_sizes(odoo, figures):
    mb = 2**20
    with odoo.cursor() as cr:
        cr.execute(SIZES_SQL, {"tables": TABLES})
        tables = cr.fetchall()
        cr.execute(INDEX_SQL, {"tables": TABLES})
        indexes = cr.fetchall()
        cr.execute("SELECT pg_database_size(current_database())")
        figures["database_mb"] = cr.fetchone()[0] / mb
    figures["tables"] = {}
    for name, heap, index, toast, total, rows in tables:
        figures["tables"][name] = {
            "rows": rows,
            "heap_mb": heap / mb,
            "indexes_mb": index / mb,
            "toast_mb": toast / mb,
            "total_mb": total / mb,
            "indexes": {i: size / mb for t, i, size in indexes if t == name},
        }
        out(
            f"{name} ({rows:,} rows)",
            f"{total / mb:,.0f} MB",
            f"heap {heap / mb:,.0f}, indexes {index / mb:,.0f}, toast {toast / mb:,.0f}",
        )
        for t, i, size in indexes:
            if t == name and size > 16 * mb:
                print(f"      index {i}: {size / mb:,.0f} MB")
    out("database", f"{figures['database_mb']:,.0f} MB")


def psql_time(db, sql):
    tick = time.perf_counter()
    subprocess.run(["psql", "-q", "-d", db, "-c", sql], check=True)
    return time.perf_counter() - tick


def measure_maintenance(odoo, figures):
    """VACUUM of the two big tables and the build of one index on the lines: what a
    partition would make smaller."""
    found = {}
    for table in ("trace_event_line", "audit_seal_entry"):
        seconds = psql_time(odoo.db, f"VACUUM (ANALYZE) {table}")
        found[f"vacuum_{table}_s"] = seconds
        out(f"VACUUM (ANALYZE) {table}", f"{seconds:,.1f} s")
    seconds = psql_time(
        odoo.db,
        "SET maintenance_work_mem = '256MB'; "
        "CREATE INDEX bench_10m_lot_probe ON trace_event_line (lot_id); "
        "DROP INDEX bench_10m_lot_probe",
    )
    found["index_build_lot_id_s"] = seconds
    out("CREATE INDEX on trace_event_line (lot_id)", f"{seconds:,.1f} s")
    figures["maintenance"] = found | {"load": load()}


def main():
    args = parse_args()
    import loadlib

    loadlib.Cluster(port=args.port).use()
    wanted = [name for name in args.only.split(",") if name]
    unknown = set(wanted) - set(ALL)
    if unknown:
        sys.exit(f"--only: unknown measurement(s) {', '.join(sorted(unknown))}; known: {ALL}")
    config = chain.setup_odoo(args.db)
    config["audit_seal_private_key_file"] = str(loadlib.signing_key())
    odoo = chain.Odoo(args.db)
    meta = bench_meta(odoo)
    figures = {
        "db": args.db,
        "cpus": os.cpu_count(),
        "event_lines": meta["event_lines"],
        "ledger_entries": meta["ledger_entries"],
        "load_at_start": os.getloadavg(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    print(
        f"{args.db}: {meta['event_lines']:,} event lines, {meta['ledger_entries']:,} ledger "
        f"entries; {os.cpu_count()} CPUs, load {os.getloadavg()}",
        flush=True,
    )
    steps = {
        "sizes": lambda: measure_sizes(odoo, figures),
        "lookup": lambda: measure_lookup(odoo, meta, args, figures),
        "trace": lambda: measure_trace(odoo, meta, args, figures),
        "holdings": lambda: measure_holdings(odoo, meta, figures, args.rebuild),
        "recall": lambda: measure_recall(odoo, meta, figures),
        "verify": lambda: measure_verify(odoo, figures, args.recheck_budget),
        "maintenance": lambda: measure_maintenance(odoo, figures),
    }
    for name in ALL:
        if name in wanted and not args.interleave:
            steps[name]()
    figures["load_at_end"] = os.getloadavg()
    if args.interleave:
        other = chain.Odoo(args.interleave)
        figures["interleaved"] = interleaved_traces((odoo, other), (meta, bench_meta(other)), args)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1, default=str))
    from odoo.sql_db import close_all

    close_all()


if __name__ == "__main__":
    main()
