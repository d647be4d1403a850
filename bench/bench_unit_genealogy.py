#!/usr/bin/env python3
"""Over-recall benchmark of trace_events' per-unit genealogy: recall scope against the truth.

    python3 bench/bench_unit_genealogy.py               # 2,000 serials, 20 orders of 100
    python3 bench/bench_unit_genealogy.py --quick       # 400 serials, 8 orders of 50
    python3 bench/bench_unit_genealogy.py --keep-db     # keep the database ...
    python3 bench/bench_unit_genealogy.py --reuse-db    # ... and only measure next time

One database (``--db``) with trace_events, signing with a key file kept in its filestore.
The same supply chain is built twice through real Odoo flows, with the same seed:

* pacing-lead lots of seeded random sizes received from a supplier, then manufacturing orders
  of ``--mo-size`` pacemaker serials (Odoo's serial wizard, ``button_mark_done``), each serial
  containing one lead. Odoo reserves the lots first in, first out, so an order consumes two or
  three lots and a lot is shared by neighbouring orders. The truth: the serials of an order
  take its lots in the order of the move lines, ``quantity`` serials each (each serial
  consumes one known lot);
* chain A (``per-order``): nothing more, the order's genealogy only (what Odoo records);
* chain B (``per-unit``): the same, plus the truth recorded per unit through
  ``trace.event.record_unit_genealogy`` (one sealed event per serial), as a line's MES sends it.

Measured for every lead lot of both chains: the recall scope (the serials a component recall
reaches: ``trace.event._trace_result(forward)`` as the recall's impact analysis runs it, for
the company) against the true set, the over-recall ratio scope / truly affected (must be 1.00
per unit), the units the result says were reached without per-unit data; and the median time
of ``trace_forward`` of the busiest lot of each chain (``--trace-runs``), against the trace
target of bench_trace_events (200 ms for 10,000 serials in 1,000,000 event lines: this
database is much smaller, so the figure shows the cost of the per-unit rules, not the scale).

Every figure is printed; no assertion is made.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_trace_events as chain  # noqa: E402  (receipts and orders as users run them)

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"
MODULES = "trace_events"
META_KEY = "genealogy_bench.meta"
TRACE_TARGET_MS = 200.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--db", default="genealogy_bench", help="database name")
    add("--serials", type=int, default=2000, help="serials per chain")
    add("--mo-size", type=int, default=100, help="serials per manufacturing order")
    add("--trace-runs", type=int, default=10, help="timed traces of the busiest lot")
    add("--quick", action="store_true", help="small run: 400 serials in orders of 50")
    add("--reuse-db", action="store_true", help="reuse a kept database, skip generation")
    add("--keep-db", action="store_true", help="do not drop the database")
    add("--seed", type=int, default=20261205, help="random seed")
    args = parser.parse_args()
    if args.quick:
        args.serials, args.mo_size = min(args.serials, 400), min(args.mo_size, 50)
    args.mo_size = max(1, min(args.mo_size, args.serials))
    return args


def setup_odoo(args):
    import odoo
    import odoo.modules.module
    from odoo.tools import config

    config.parse_config(["-d", args.db, f"--addons-path={ADDONS}", "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()
    key_path = os.path.join(config.filestore(args.db), "genealogy_bench_ed25519.pem")
    if not os.path.exists(key_path):
        from odoo.addons.audit_seal.lib.keys import generate_private_key_pem

        os.makedirs(os.path.dirname(key_path), exist_ok=True)
        with open(key_path, "wb") as handle:
            handle.write(generate_private_key_pem())
    config["audit_seal_private_key_file"] = key_path
    odoo.netsvc.init_logger()
    return config


# ---------------------------------------------------------------------------------- generation


def lot_sizes(args, rng):
    """Seeded lot sizes (40 % to 160 % of an order) adding up to the serials of a chain."""
    sizes, left = [], args.serials
    while left > 0:
        size = min(left, max(1, int(args.mo_size * rng.uniform(0.4, 1.6))))
        sizes.append(size)
        left -= size
    return sizes


def master_data(env, label):
    """A pacemaker made of one pacing lead, for chain ``label``."""
    lead = env["product.product"].create(
        {
            "name": f"Bipolar pacing lead ({label})",
            "default_code": f"LEAD-{label}",
            "is_storable": True,
            "tracking": "lot",
        }
    )
    pacemaker = env["product.product"].create(
        {
            "name": f"Pacemaker SR-100 ({label})",
            "default_code": f"PM-{label}",
            "is_storable": True,
            "tracking": "serial",
        }
    )
    env["mrp.bom"].create(
        {
            "product_tmpl_id": pacemaker.product_tmpl_id.id,
            "product_qty": 1,
            "consumption": "flexible",
            "bom_line_ids": [(0, 0, {"product_id": lead.id, "product_qty": 1})],
        }
    )
    supplier = env["res.partner"].create({"name": "Suzhou Lead Wire Co.", "is_company": True})
    return lead, pacemaker, supplier


def truth_of(order):
    """{serial: lead lot} of a done order: its serials in name order take its consumed lead
    lots in move-line order, as many serials as each line's quantity."""
    serials = order.lot_producing_ids.sorted("name")
    lots = []
    for line in order.move_raw_ids.move_line_ids.sorted("id"):
        lots += [line.lot_id] * round(line.quantity)
    return dict(zip(serials, lots, strict=True))


def build(odoo, args, label, sizes, per_unit):
    """One chain; returns {"lead": id, "pacemaker": id, "truth": {lot id: [serial ids]}}."""
    truth = {}
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        lead, pacemaker, supplier = master_data(env, label)
        chain.receive(
            env,
            supplier.id,
            [(lead.id, f"L{label}-{i + 1:03d}", size) for i, size in enumerate(sizes)],
        )
    done, started = 0, time.perf_counter()
    while done < args.serials:
        qty = min(args.mo_size, args.serials - done)
        with odoo.cursor() as cr:
            env = odoo.env(cr)
            order = chain.manufacture(env, pacemaker.id, qty, f"PM{label}-{done + 1:06d}")
            assignment = truth_of(order)
            if per_unit:
                env["trace.event"].record_unit_genealogy(
                    order.id,
                    [
                        {"serial": serial.id, "components": [{"lot": lot.id, "quantity": 1}]}
                        for serial, lot in assignment.items()
                    ],
                )
            for serial, lot in assignment.items():
                truth.setdefault(lot.id, []).append(serial.id)
        done += qty
    print(f"  chain {label}: {done:,} serials in {time.perf_counter() - started:.0f} s", flush=True)
    return {"lead": lead.id, "pacemaker": pacemaker.id, "truth": truth}


def generate(odoo, args):
    import json

    rng = random.Random(args.seed)
    sizes = lot_sizes(args, rng)
    meta = {
        "per_order": build(odoo, args, "A", sizes, per_unit=False),
        "per_unit": build(odoo, args, "B", sizes, per_unit=True),
    }
    with odoo.cursor() as cr:
        odoo.env(cr)["ir.config_parameter"].set_param(META_KEY, json.dumps(meta))
    subprocess.run(["psql", "-q", "-d", odoo.db, "-c", "VACUUM ANALYZE"], check=True)
    return meta


def load_meta(odoo):
    import json

    with odoo.cursor() as cr:
        raw = odoo.env(cr)["ir.config_parameter"].get_param(META_KEY)
    if not raw:
        return None
    meta = json.loads(raw)
    for side in meta.values():
        side["truth"] = {int(lot): serials for lot, serials in side["truth"].items()}
    return meta


# ---------------------------------------------------------------------------------- measuring


def scopes(odoo, side):
    """[(lot name, true units, units in scope, units said widened, exact)] of every lot."""
    rows = []
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        Event = env["trace.event"]
        company = env.company.ids
        for lot_id, serials in sorted(side["truth"].items()):
            result = Event._trace_result([lot_id], "forward", company_ids=company)
            scope = {
                row["lot_id"] for row in result["lots"] if row["product_id"] == side["pacemaker"]
            }
            genealogy = result["genealogy"]
            rows.append(
                (
                    env["stock.lot"].browse(lot_id).name,
                    set(serials),
                    scope,
                    genealogy["widened_unit_count"],
                )
            )
    return rows


def trace_time(odoo, side, runs):
    """Median seconds of ``trace_forward`` of the lot reaching most units (fresh cursor each)."""
    busiest = max(side["truth"], key=lambda lot: len(side["truth"][lot]))
    times = []
    for _run in range(max(1, runs)):
        with odoo.cursor() as cr:
            Event = odoo.env(cr)["trace.event"]
            started = time.perf_counter()
            Event.trace_forward([busiest])
            times.append(time.perf_counter() - started)
            cr.rollback()
    return statistics.median(times)


def report(label, rows, seconds, lots_shown=12):
    print(f"\n{label}")
    print(
        f"  {'lead lot':<10} {'truly affected':>15} {'recall scope':>13} {'ratio':>7}  "
        f"{'missed':>6} {'stated widened':>15}"
    )
    ratios = []
    missed_total = 0
    for index, (name, truth, scope, widened) in enumerate(rows):
        ratio = len(scope) / len(truth)
        missed = len(truth - scope)
        missed_total += missed
        ratios.append(ratio)
        if index < lots_shown:
            print(
                f"  {name:<10} {len(truth):>15,} {len(scope):>13,} {ratio:>7.2f}  "
                f"{missed:>6} {widened:>15,}"
            )
    if len(rows) > lots_shown:
        print(f"  ... {len(rows) - lots_shown} more lots")
    scope_total = sum(len(scope) for _n, _t, scope, _w in rows)
    truth_total = sum(len(truth) for _n, truth, _s, _w in rows)
    busiest = max(rows, key=lambda row: len(row[2]))
    chain.line_out("  lots", f"{len(rows):,}")
    chain.line_out(
        "  over-recall ratio: mean / max / overall (sum of scopes / sum of truths)",
        f"{statistics.mean(ratios):.2f} / {max(ratios):.2f} / {scope_total / truth_total:.2f}",
    )
    chain.line_out(
        "  busiest lot: recall scope / truly affected",
        f"{len(busiest[2]):,} / {len(busiest[1]):,}",
    )
    chain.line_out(
        "  affected units the scope missed (under-recall)", f"{missed_total:,}", "must be 0"
    )
    ms = seconds * 1000
    chain.line_out(
        "  trace_forward of the busiest lot, median",
        f"{ms:,.1f} ms",
        f"target < {TRACE_TARGET_MS:.0f} ms: {'met' if ms < TRACE_TARGET_MS else 'NOT met'}",
    )
    return ratios, missed_total


def main():
    args = parse_args()
    total = time.perf_counter()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start", flush=True)
    if not args.reuse_db:
        subprocess.run(["dropdb", "--if-exists", args.db], check=True)
        print(f"installing {MODULES} in {args.db} ...", flush=True)
        if chain.install(args.db, MODULES).wait():
            sys.exit("module installation failed (run the command by hand to see why)")
    config = setup_odoo(args)
    odoo = chain.Odoo(args.db)
    meta = load_meta(odoo)
    if not meta:
        print("generating (real flows) ...", flush=True)
        meta = generate(odoo, args)
    print("\n" + "=" * 100)
    figures = {}
    for key, label in (
        ("per_order", "A. per-order genealogy (Odoo's)"),
        ("per_unit", "B. per-unit genealogy"),
    ):
        rows = scopes(odoo, meta[key])
        figures[key] = report(label, rows, trace_time(odoo, meta[key], args.trace_runs))
    per_unit_ratios, per_unit_missed = figures["per_unit"]
    exact = all(abs(ratio - 1.0) < 1e-9 for ratio in per_unit_ratios) and not per_unit_missed
    chain.line_out(
        "\nper-unit over-recall ratio 1.00 for every lot, nothing missed",
        "yes" if exact else "NO",
        "target: yes",
    )
    print(
        f"\ntotal run {time.perf_counter() - total:.0f} s; load average "
        f"{os.getloadavg()[0]:.1f} at end"
    )
    if not args.keep_db:
        from odoo.sql_db import close_db

        close_db(args.db)
        subprocess.run(["dropdb", "--if-exists", args.db], check=False)
        subprocess.run(["rm", "-rf", config.filestore(args.db)], check=False)


if __name__ == "__main__":
    main()
