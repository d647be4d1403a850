#!/usr/bin/env python3
"""Benchmark of udi_self_assessment: every compliance rule over a 1,000,000-event-line database.

    python3 bench/bench_self_assessment.py                 # 10,000 serials, 1,000,000 lines
    python3 bench/bench_self_assessment.py --quick         # 1,000 serials, 100,000 lines
    python3 bench/bench_self_assessment.py --keep-db       # keep the database ...
    python3 bench/bench_self_assessment.py --reuse-db      # ... and skip generation next time
    python3 bench/bench_self_assessment.py --db trace_bench_suite --reuse-db

One database (``--db``). Generation (skipped with ``--reuse-db`` when the database holds
generated data already) is ``bench_trace_events.py``'s, reused as is: the chain through real
Odoo flows (a component lot made into ``--serials`` pacemaker serials by manufacturing orders,
delivered to three distributors, shipped on to four hospitals by captured EPCIS events), then
background history written with PostgreSQL COPY up to ``--background-lines`` event lines, then
sealed through the ledger's append. ``--reuse-db`` also accepts a database kept by
``bench_trace_events.py --keep-db`` (``<prefix>_suite``) or ``bench_recall.py --keep-db``:
``udi_self_assessment`` is installed into it when it is missing.

Measurement: ``--runs`` runs of the whole self-assessment for the main company, as the
superuser, each in its own transaction that is rolled back (the database stays as generated):
``udi.compliance.run._compliance_execute()``, which runs every active rule's check (set-based
SQL), stores the findings and the per-rule figures, then the ledger append of the run and its
results as the commit does it (``_seal_run_pending``). Two scenarios: the data as generated
(no DI record published: every shipment to a consignee under a jurisdiction with a UDI database
is a T7 finding, the worst case) and with the devices' DI records published (the realistic case;
the publication records are made inside the rolled-back transaction, and the chain's
consignees, whose country the generator leaves empty, are put in China there too). Printed:
the total wall time per run (median), each rule's time, population and findings (of the last
run), the tracemalloc peak of one more run and the process's peak RSS. Target: the whole
self-assessment under one minute.
No assertion is made; the figures are printed with "met" / "NOT met".
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_trace_events as chain  # noqa: E402  (the chain generator, reused as is)

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"
MODULE = "udi_self_assessment"
TARGET_SECONDS = 60.0

line_out = chain.line_out


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--db", default="self_assessment_bench", help="database name")
    add("--modules", default=MODULE, help="modules installed in a fresh database")
    add("--serials", type=int, default=10000, help="serials of the chain")
    add("--mo-size", type=int, default=100, help="serials per manufacturing order")
    add("--delivery-chunk", type=int, default=1000, help="serials per chain delivery")
    add("--background-lines", type=int, default=1_000_000, help="event lines to reach")
    add("--no-seal-background", action="store_true", help="leave bulk events unsealed")
    add("--runs", type=int, default=3, help="timed runs of the self-assessment")
    add("--generate-only", action="store_true", help="generate the database, measure nothing")
    add("--quick", action="store_true", help="small run: 1,000 serials, 100,000 lines")
    add("--reuse-db", action="store_true", help="reuse a kept database, skip generation")
    add("--keep-db", action="store_true", help="do not drop the database")
    add("--seed", type=int, default=20251125, help="random seed of the background")
    args = parser.parse_args()
    if args.quick:
        args.serials = min(args.serials, 1000)
        args.background_lines = min(args.background_lines, 100_000)
    args.mo_size = max(1, min(args.mo_size, args.serials))
    args.plain_chain = False
    return args


# ---------------------------------------------------------------------------------- database


def install(db, modules):
    """A fresh database ``db`` with ``modules`` installed."""
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    print(f"installing {modules} in {db} ...", flush=True)
    started = time.perf_counter()
    if chain.install(db, modules).wait():
        sys.exit("module installation failed (run the command by hand to see why)")
    print(f"installed in {time.perf_counter() - started:.0f} s", flush=True)


def ensure_module(db):
    """Install udi_self_assessment into a kept benchmark database that lacks it, or update it
    there to the code of this checkout."""
    result = subprocess.run(
        [
            "psql",
            "-At",
            "-d",
            db,
            "-c",
            f"SELECT state FROM ir_module_module WHERE name = '{MODULE}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    installed = result.stdout.strip() == "installed"
    print(f"{'updating' if installed else 'installing'} {MODULE} in {db} ...", flush=True)
    started = time.perf_counter()
    command = [
        sys.executable,
        "-m",
        "odoo",
        "-d",
        db,
        f"--addons-path={ADDONS}",
        "-u" if installed else "-i",
        MODULE,
        "--stop-after-init",
        "--log-level=warn",
        "--max-cron-threads=0",
        "--http-port=0",
    ]
    if subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
        sys.exit("module installation failed (run the command by hand to see why)")
    print(f"done in {time.perf_counter() - started:.0f} s", flush=True)


def setup_odoo(db):
    """Odoo's configuration, the database signing with a key file in its filestore."""
    import odoo
    import odoo.modules.module
    from odoo.tools import config

    config.parse_config(["-d", db, f"--addons-path={ADDONS}", "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()
    filestore = config.filestore(db)
    names = (
        "self_assessment_bench_ed25519.pem",
        "trace_events_bench_ed25519.pem",
        "recall_bench_ed25519.pem",
    )
    key_path = next(
        (os.path.join(filestore, n) for n in names if os.path.exists(os.path.join(filestore, n))),
        os.path.join(filestore, names[0]),
    )
    if not os.path.exists(key_path):
        from odoo.addons.audit_seal.lib.keys import generate_private_key_pem

        os.makedirs(os.path.dirname(key_path), exist_ok=True)
        with open(key_path, "wb") as handle:
            handle.write(generate_private_key_pem())
    config["audit_seal_private_key_file"] = key_path
    odoo.netsvc.init_logger()
    return config


def generated_meta(odoo):
    """The generator's description of the database, or None when it holds no generated data
    (``bench_trace_events`` and ``bench_recall`` store it under their own keys)."""
    for key in (chain.META_KEY, "recall_bench.meta"):
        with odoo.cursor() as cr:
            raw = odoo.env(cr)["ir.config_parameter"].get_param(key)
        if raw:
            import json

            return json.loads(raw)
    return None


def generate(odoo, args):
    started = time.perf_counter()
    metas = chain.generate([odoo], args, [None])
    subprocess.run(["psql", "-q", "-d", odoo.db, "-c", "VACUUM ANALYZE"], check=True)
    print(f"generation took {time.perf_counter() - started:.0f} s", flush=True)
    return metas[0]


def describe(odoo):
    counts = {}
    with odoo.cursor() as cr:
        for table in (
            "trace_event",
            "trace_event_line",
            "stock_move_line",
            "stock_lot",
            "audit_seal_entry",
        ):
            cr.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cr.fetchone()[0]
    print(
        f"\ndatabase {odoo.db}: {counts['trace_event_line']:,} event lines in "
        f"{counts['trace_event']:,} events, {counts['stock_move_line']:,} move lines, "
        f"{counts['stock_lot']:,} lots/serials, {counts['audit_seal_entry']:,} ledger entries",
        flush=True,
    )
    return counts


# ---------------------------------------------------------------------------------- measure


def judge_destinations(env):
    """The consignees of the chain in China: the generator leaves their country empty, and a
    destination under no jurisdiction with a UDI database is not judged by T7."""
    env.cr.execute(
        """UPDATE res_partner
              SET country_id = (SELECT id FROM res_country WHERE code = 'CN')
            WHERE country_id IS NULL
              AND id IN (SELECT partner_id FROM stock_picking WHERE partner_id IS NOT NULL
                         UNION SELECT partner_id FROM stock_move WHERE partner_id IS NOT NULL)"""
    )
    env.invalidate_all()


def publish_dis(env):
    """The realistic case: every regulated device's base-unit DI published (NMPA, GUDID and
    EUDAMED publication records, as ``udi_change_control`` keeps them) a year before the
    history starts, as a maker that ships would have it."""
    env.cr.execute(
        """INSERT INTO udi_di_publication (di_id, product_tmpl_id, company_id, database,
                                          publish_date, user_id, create_uid, write_uid,
                                          create_date, write_date)
           SELECT d.id, d.product_tmpl_id, d.company_id, db.name, DATE '2000-01-01',
                  %(uid)s, %(uid)s, %(uid)s, now(), now()
             FROM udi_di d
             JOIN product_template pt ON pt.id = d.product_tmpl_id AND pt.udi_regulated
            CROSS JOIN (VALUES ('nmpa'), ('gudid'), ('eudamed')) db (name)
            WHERE d.packaging_level = 'base'
           ON CONFLICT DO NOTHING""",
        {"uid": env.uid},
    )
    env.invalidate_all()


def run_once(odoo, published, traced=False):
    """One self-assessment of the main company, sealed as the commit does, then rolled back:
    (seconds, per-rule figures, tracemalloc peak in bytes or None)."""
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        judge_destinations(env)
        if published:
            publish_dis(env)
        company = env.ref("base.main_company")
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        run = env["udi.compliance.run"]._compliance_execute(company, trigger="manual")
        env.flush_all()
        env["audit.seal.entry"]._seal_run_pending()
        elapsed = time.perf_counter() - started
        peak = None
        if traced:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        figures = [
            (r.code, r.rule_id.name, r.duration, r.population, r.finding_count)
            for r in run.result_ids
        ]
        cr.rollback()
        # the append moved the chain's head marker (a sequence, not rolled back): put it back
        cr.execute(
            "SELECT setval('audit_seal_head_seq', "
            "(SELECT coalesce(max(seq), 0) FROM audit_seal_entry), true)"
        )
        cr.commit()
    return elapsed, figures, peak


def measure(odoo, runs, published):
    times, figures = [], []
    for index in range(max(1, runs)):
        elapsed, figures, _peak = run_once(odoo, published)
        times.append(elapsed)
        print(f"  run {index + 1}: {elapsed:.2f} s", flush=True)
    _elapsed, _figures, peak = run_once(odoo, published, traced=True)
    return times, figures, peak


def report(title, times, figures, peak):
    median = statistics.median(times)
    print(f"\n{title}")
    line_out(
        f"   total, median of {len(times)} runs ({min(times):.2f}-{max(times):.2f} s)",
        f"{median:.2f} s",
        "target < 60 s: " + ("met" if median < TARGET_SECONDS else "NOT met"),
    )
    print(f"   {'rule':<6} {'name':<58} {'time':>10} {'population':>12} {'findings':>10}")
    for code, name, duration, population, findings in figures:
        print(
            f"   {code:<6} {name[:58]:<58} {duration * 1000:>7,.0f} ms {population:>12,} "
            f"{findings:>10,}"
        )
    line_out("   tracemalloc peak of one more run", f"{(peak or 0) / 2**20:,.1f} MiB")


SCENARIOS = (
    (
        False,
        "1. as generated: no DI record published, so every shipment to a consignee (in China) is "
        "a T7 finding (the worst case)",
    ),
    (
        True,
        "2. realistic: the devices' DI records published (NMPA, GUDID, EUDAMED) before the history",
    ),
)


def main():
    args = parse_args()
    total_started = time.perf_counter()
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start "
        "(other processes on the machine skew every figure)",
        flush=True,
    )
    if not args.reuse_db:
        install(args.db, args.modules)
    elif not args.generate_only:
        ensure_module(args.db)
    config = setup_odoo(args.db)
    odoo = chain.Odoo(args.db)
    if not generated_meta(odoo):
        print("generating ...", flush=True)
        generate(odoo, args)
    describe(odoo)
    if not args.generate_only:
        results = []
        for published, title in SCENARIOS:
            print(f"\nmeasuring {title[:2]} ...", flush=True)
            results.append((title, *measure(odoo, args.runs, published)))
        print("\n" + "=" * 100)
        print(
            "self-assessment of the main company: every active rule, findings stored, the run "
            "and its results sealed (the ledger append timed in), rolled back after each run"
        )
        for result in results:
            report(*result)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak RSS of this process: {rss:,.0f} MiB; total run "
        f"{time.perf_counter() - total_started:.0f} s; load average "
        f"{os.getloadavg()[0]:.1f} at end"
    )
    if not args.keep_db:
        from odoo.sql_db import close_db

        close_db(args.db)
        subprocess.run(["dropdb", "--if-exists", args.db], check=False)
        subprocess.run(["rm", "-rf", config.filestore(args.db)], check=False)


if __name__ == "__main__":
    main()
