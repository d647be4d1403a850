#!/usr/bin/env python3
"""Benchmark of implant_registry: the tracking report (21 CFR 821.25(a)) of one tracked device
with 100,000 units placed.

    python3 bench/bench_implant_registry.py                 # 100,000 units
    python3 bench/bench_implant_registry.py --units 10000   # fewer
    python3 bench/bench_implant_registry.py --keep-db       # keep the database ...
    python3 bench/bench_implant_registry.py --reuse-db      # ... and skip generation next time

One database (``--db``) with implant_registry installed. Generation writes, in bulk SQL (the
report reads tables, whatever wrote them): one tracked pacemaker, 20 distributors and 200
hospitals (Healthcare role), ``--units`` serials placed as a manufacturer's installed base is:
10 % in our stock, 15 % at distributors, 12 % at hospitals, 45 % implanted, 8 % explanted,
5 % returned, 5 % destroyed (stock quants, the trace's holdings, implant records with a patient
token). Measurement, as a Traceability user (not the superuser): the report's rows for the
device (``implant.tracking.line._implant_tracking_rows``, one SQL query over the view) and the
list's first page grouped by status as the web client asks it, ``--runs`` times each, median
printed, with the count per status checked against the generated placement.
Target: under 2 s for the rows of 100,000 units.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"
MODULE = "implant_registry"
USER_LOGIN = "bench_implant_user"
TARGET_SECONDS = 2.0
#: share of the units per status (the rest is in stock)
PLACEMENT = (
    ("at_distributor", 0.15),
    ("at_facility", 0.12),
    ("implanted", 0.45),
    ("explanted", 0.08),
    ("returned", 0.05),
    ("destroyed", 0.05),
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="implant_registry_bench")
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true")
    return parser.parse_args()


def install(db):
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    print(f"installing {MODULE} in {db} ...", flush=True)
    started = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            db,
            f"--addons-path={ADDONS}",
            "-i",
            MODULE,
            "--stop-after-init",
            "--log-level=warn",
            "--max-cron-threads=0",
            "--http-port=0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    if result.returncode:
        sys.exit("module installation failed (run the command by hand to see why)")
    print(f"installed in {time.perf_counter() - started:.0f} s", flush=True)


def setup_odoo(db):
    import odoo
    import odoo.modules.module
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-d", db, f"--addons-path={ADDONS}", "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()
    odoo.netsvc.init_logger()
    return Registry(db)


def env_of(cr, uid=None):
    from odoo import SUPERUSER_ID, api

    return api.Environment(cr, uid or SUPERUSER_ID, {"tracking_disable": True})


def generate(registry, units):
    """Master data through the ORM, the installed base in bulk SQL; returns the expected
    count per status."""
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = env_of(cr)
        healthcare = env.ref("udi_master.partner_role_healthcare")
        distributor_role = env.ref("udi_master.partner_role_distributor")
        template = env["product.template"].create(
            {
                "name": "Bench DR-200 pacemaker",
                "is_storable": True,
                "tracking": "serial",
                "implant_tracked": True,
                "udi_life_years": 10,
            }
        )
        distributors = env["res.partner"].create(
            [
                {
                    "name": f"Bench distributor {n}",
                    "is_company": True,
                    "udi_role_ids": [(6, 0, distributor_role.ids)],
                }
                for n in range(20)
            ]
        )
        hospitals = env["res.partner"].create(
            [
                {
                    "name": f"Bench hospital {n}",
                    "is_company": True,
                    "udi_role_ids": [(6, 0, healthcare.ids)],
                }
                for n in range(200)
            ]
        )
        env["res.users"].create(
            {
                "name": "Bench traceability user",
                "login": USER_LOGIN,
                "group_ids": [(6, 0, env.ref("udi_master.group_trace_user").ids)],
            }
        )
        product = template.product_variant_id
        company = env.company
        stock = env.ref("stock.stock_location_stock")
        customers = env.ref("stock.stock_location_customers")
        scrap = env["stock.location"].search([("usage", "=", "inventory")], limit=1)
        env.flush_all()
        expected = _insert_units(
            cr,
            product,
            company,
            units,
            distributors.ids,
            hospitals.ids,
            stock.id,
            customers.id,
            scrap.id,
        )
        env["ir.config_parameter"].set_param("implant_bench.product_id", product.id)
    subprocess.run(["psql", "-q", "-d", registry.db_name, "-c", "VACUUM ANALYZE"], check=True)
    print(f"generated {units:,} units in {time.perf_counter() - started:.0f} s", flush=True)
    return expected


def _insert_units(
    cr, product, company, units, distributor_ids, hospital_ids, stock_id, customer_id, scrap_id
):
    """One INSERT ... SELECT per table over generate_series; the status of unit n is fixed by
    its position (bands of PLACEMENT), its holder by n modulo the partners."""
    bounds, start = {}, 0
    for status, share in PLACEMENT:
        bounds[status] = (start, start + int(units * share))
        start = bounds[status][1]
    bounds["in_stock"] = (start, units)
    cr.execute(
        """
        INSERT INTO stock_lot (name, product_id, company_id, create_uid, write_uid,
                               create_date, write_date)
        SELECT 'BPM' || lpad(n::text, 7, '0'), %s, %s, 1, 1, now(), now()
          FROM generate_series(0, %s - 1) n
        RETURNING id
        """,
        [product.id, company.id, units],
    )
    lot_ids = sorted(row[0] for row in cr.fetchall())
    cr.execute("CREATE TEMP TABLE bench_units (n int, lot_id int) ON COMMIT DROP")
    cr.execute(
        "INSERT INTO bench_units SELECT n - 1, id FROM unnest(%s::int[]) WITH ORDINALITY u(id, n)",
        [lot_ids],
    )

    def band(*statuses):
        return " OR ".join(f"(n >= {bounds[s][0]} AND n < {bounds[s][1]})" for s in statuses)

    # quants: our stock (in stock, returned), written off (destroyed), at customers (the rest)
    cr.execute(
        f"""
        INSERT INTO stock_quant (product_id, company_id, lot_id, location_id, quantity,
                                 reserved_quantity, in_date, create_uid, write_uid,
                                 create_date, write_date)
        SELECT %(product)s, %(company)s, lot_id,
               CASE WHEN {band("in_stock", "returned")} THEN %(stock)s
                    WHEN {band("destroyed")} THEN %(scrap)s ELSE %(customer)s END,
               1, 0, now() - (n %% 700) * interval '1 day', 1, 1, now(), now()
          FROM bench_units
        """,
        {
            "product": product.id,
            "company": company.id,
            "stock": stock_id,
            "scrap": scrap_id,
            "customer": customer_id,
        },
    )
    # the trace's holdings: distributors or hospitals; returned units came back (quantity 0)
    cr.execute(
        f"""
        INSERT INTO trace_holding (lot_id, product_id, company_id, holder_type, partner_id,
                                   quantity, received_quantity, first_date, last_date)
        SELECT lot_id, %(product)s, %(company)s, 'partner',
               CASE WHEN {band("at_distributor", "returned")}
                    THEN (%(distributors)s::int[])[1 + n %% 20]
                    ELSE (%(hospitals)s::int[])[1 + n %% 200] END,
               CASE WHEN {band("returned")} THEN 0 ELSE 1 END, 1,
               now() - (n %% 600) * interval '1 day', now() - (n %% 600) * interval '1 day'
          FROM bench_units
         WHERE {band("at_distributor", "at_facility", "implanted", "explanted", "returned")}
        """,
        {
            "product": product.id,
            "company": company.id,
            "distributors": distributor_ids,
            "hospitals": hospital_ids,
        },
    )
    _insert_implants(cr, product, company, bounds, band, hospital_ids)
    return {status: high - low for status, (low, high) in bounds.items()}


def _insert_implants(cr, product, company, bounds, band, hospital_ids):
    for event_type, state, where, offset, days in (
        ("implant", "implanted", band("implanted"), 0, 300),
        ("implant", "explanted", band("explanted"), 60, 300),
        ("explant", "explanted", band("explanted"), 0, 30),
    ):
        cr.execute(
            f"""
            INSERT INTO implant_record (name, company_id, event_type, lot_id, product_id,
                                        event_date, facility_id, state, source, reporter_id,
                                        patient_token, create_uid, write_uid, create_date,
                                        write_date)
            SELECT 'BIMP/' || %(type)s || '/' || n, %(company)s, %(type)s, lot_id,
                   %(product)s, current_date - %(offset)s - (n %% %(days)s),
                   (%(hospitals)s::int[])[1 + n %% 200],
                   %(state)s, 'api', 1, 'P-BENCH' || n, 1, 1, now(), now()
              FROM bench_units WHERE {where}
            """,
            {
                "type": event_type,
                "company": company.id,
                "product": product.id,
                "days": days,
                "offset": offset,
                "hospitals": hospital_ids,
                "state": state,
            },
        )
    cr.execute(
        """
        UPDATE implant_record e SET implant_id = i.id
          FROM implant_record i
         WHERE e.event_type = 'explant' AND i.event_type = 'implant' AND i.lot_id = e.lot_id
           AND e.name LIKE 'BIMP/%'
        """
    )


def expected_counts(registry):
    """The placement as generated, read from the generated rows themselves (bench names)."""
    with registry.cursor() as cr:
        env = env_of(cr)
        product_id = int(env["ir.config_parameter"].get_param("implant_bench.product_id"))
        cr.execute("SELECT count(*) FROM stock_lot WHERE product_id = %s", [product_id])
        units = cr.fetchone()[0]
    bounds, start = {}, 0
    for status, share in PLACEMENT:
        bounds[status] = int(units * share)
        start += bounds[status]
    bounds["in_stock"] = units - start
    return bounds


def measure(registry, runs):
    with registry.cursor() as cr:
        env = env_of(cr)
        env["implant.tracking.line"].init()  # the view as this checkout defines it
        cr.commit()
        product_id = int(env["ir.config_parameter"].get_param("implant_bench.product_id"))
        user = env["res.users"].search([("login", "=", USER_LOGIN)])
        user_env = env_of(cr, user.id)
        Lines = user_env["implant.tracking.line"]
        times, page_times, rows = [], [], []
        for _run in range(runs):
            started = time.perf_counter()
            rows = Lines._implant_tracking_rows([product_id])
            times.append(time.perf_counter() - started)
            started = time.perf_counter()
            Lines.formatted_read_group([("product_id", "=", product_id)], ["status"], ["__count"])
            Lines.web_search_read(
                [("product_id", "=", product_id)],
                {
                    "lot_id": {"fields": {"display_name": {}}},
                    "status": {},
                    "status_date": {},
                    "holder_id": {"fields": {"display_name": {}}},
                },
                limit=80,
            )
            page_times.append(time.perf_counter() - started)
            user_env.invalidate_all()
        cr.rollback()
    return times, page_times, rows


def main():
    args = parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start", flush=True)
    if not args.reuse_db:
        install(args.db)
    registry = setup_odoo(args.db)
    with registry.cursor() as cr:
        generated = env_of(cr)["ir.config_parameter"].get_param("implant_bench.product_id")
    if not generated:
        generate(registry, args.units)
    expected = expected_counts(registry)
    times, page_times, rows = measure(registry, args.runs)
    counts = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    median = statistics.median(times)
    print("\n" + "=" * 78)
    print(f"tracking report of one tracked device: {len(rows):,} units")
    print("  units per status: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    if expected is not None:
        mismatch = {k: (v, counts.get(k, 0)) for k, v in expected.items() if counts.get(k, 0) != v}
        print(f"  placement as generated: {'yes' if not mismatch else f'NO {mismatch}'}")
    print(
        f"  report rows (SQL over the view), median of {len(times)}: {median:.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}); target < {TARGET_SECONDS:.0f} s: "
        f"{'met' if median < TARGET_SECONDS else 'NOT met'}"
    )
    print(
        f"  list: counts by status + first page of 80, median: "
        f"{statistics.median(page_times):.3f} s"
    )
    print(f"load average {os.getloadavg()[0]:.1f} at end")
    if not args.keep_db:
        from odoo.sql_db import close_db

        close_db(args.db)
        subprocess.run(["dropdb", "--if-exists", args.db], check=False)


if __name__ == "__main__":
    main()
