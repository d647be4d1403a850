#!/usr/bin/env python3
"""Benchmark of trace_events: a realistic chain at scale, then delivery, trace and capture.

    python3 bench/bench_trace_events.py                     # 10,000 serials, 1,000,000 lines
    python3 bench/bench_trace_events.py --quick             # 1,000 serials, 100,000 lines
    python3 bench/bench_trace_events.py --keep-db           # keep both databases ...
    python3 bench/bench_trace_events.py --reuse-db          # ... and skip generation next time
    python3 bench/bench_trace_events.py --db-prefix h4_bench --http-port 18669

Two databases are created (``<prefix>_suite`` with trace_events, udi_master and audit_seal;
``<prefix>_plain`` with the same Odoo modules minus the suite: stock, product_expiry, mrp,
repair, helpdesk_mgmt) and both are driven from this one process. The suite database signs with
a key file named in ``audit_seal_private_key_file`` (kept in its filestore), not in demo mode.

Generation (``--reuse-db`` skips it when the databases hold generated data already):

* the chain, in the suite database, through real Odoo flows: one component lot (lithium
  cells) and ten lead-tubing lots received from a supplier; manufacturing orders
  (``--mo-size`` serials each, serials assigned with Odoo's serial-number wizard,
  ``button_mark_done``) consuming them into ``--serials`` pacemaker serials; deliveries of
  those serials to three distributors; onward shipments from the distributors to four
  hospitals captured as EPCIS 2.0 JSON shipping events through ``trace.event.capture`` (90 % of
  the serials). ``--plain-chain`` builds the same chain in the plain database too (it only
  serves the delivery measurement, so by default it gets the background and the delivered
  stock only, which saves several minutes);
* background history, the same in both databases (a seeded generator), sized so that the
  suite database holds ``--background-lines`` event lines: other component lots, serials and
  catheter lots received, manufactured, shipped, returned and shipped onward, written in bulk
  with PostgreSQL COPY (with ``session_replication_role = replica``: the generator writes
  consistent rows, so the row-by-row foreign-key triggers are skipped; this needs a superuser
  role, as ``createdb`` does): lots, done move lines and their component links (Odoo's
  ``stock_move_line_consume_rel``) in both databases; events and event lines in the suite
  database, each line naming its move line exactly as the hooks would, onward shipments as
  captured events without move line. The background events are then sealed through the
  ledger's own append, in chunks (unless ``--no-seal-background``), so that the consistency
  check and chain verification cover them. Background quants are not written: Odoo's stock
  levels of the background products mean nothing.

Measurements (medians; every figure is printed, no assertion is made):

1. delivery: a delivery of ``--delivery-size`` serials of the pacemaker validated
   (``button_validate`` + commit, so the event and its seal are included) in the suite database
   and in the plain one, interleaved, ``--delivery-reps`` times after one warm-up each; target:
   at most 15 % extra wall time;
1b. the seal's own share in recording trace events: ``--seal-rounds`` batches of 200 shipping
   events created and appended to the ledger, alternately with and without the seal, each
   rolled back (the database stays as generated; the COMMIT is left out of both arms: the
   ledger rows' extra WAL flush costs about 1 us per entry, bench_audit_seal.py prints it);
   target: the seal adds at most 10 % (audit_seal's target), judged on the append timed inside
   the sealed rounds (the difference of the two medians is printed too: other load on the
   machine moves it by several points either way); the seal's append is also timed inside the
   deliveries of 1. and the capture batches of 3. and printed as their share;
2. forward trace of the component lot (which went into every chain serial):
   ``trace.event.trace_forward`` in-process in a fresh transaction per run (``--trace-runs``),
   its tracemalloc peak, once over JSON-2 (an Odoo HTTP server on ``--http-port``, bearer API
   key); against a single hand-written recursive SQL query over Odoo's own move-line tables
   answering the same question (the practical floor; targets: median < 200 ms and <= 3x the
   floor), with a check that both give the same serials and customers; Odoo's own lot
   delivery helper (``stock.lot._find_delivery_ids_by_lot_iterative``); and Odoo's
   traceability report driven as the web client drives it (``get_main_lines`` of the lot, then
   the up/downstream report of every consumed line, then, since those stop at the finished
   serials, each serial's own report until the customers are reached or
   ``--report-timeout`` seconds have passed);
3. capture throughput: ``--capture-batches`` batches of ``--capture-batch-size`` EPCIS shipping
   events (distributor -> hospital, one serial each, serials of the delivery measurement),
   ``trace.event.capture`` + commit (sealing included), events/s;

then ``trace.event.check_consistency()`` and a verification of the sealed ledger (hashes and
signatures; ``--verify-records`` re-checks every row too) on the suite database, and the peak
RSS.

``--quick`` scales everything down (about 7 minutes, half of them installing). Databases are
dropped at the end unless ``--keep-db``; ``--reuse-db`` reuses kept ones (installing nothing)
and skips generation when they hold generated data already (the measurements receive fresh
serials every run).
"""

import argparse
import datetime
import io
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"
SUITE_MODULES = "trace_events"
PLAIN_MODULES = "stock,product_expiry,mrp,repair,helpdesk_mgmt"
META_KEY = "trace_events_bench.meta"
ADMIN_UID = 2
TZ = "+08:00"
COMPANY_PREFIX = "690123"  # GS1 company prefix of the demo maker
LOG_COLUMNS = ("create_uid", "create_date", "write_uid", "write_date")

# the chain's parties: (name, GLN without check digit)
DISTRIBUTORS = [
    ("Huadong Medical Distribution Co., Ltd.", "690123400011"),
    ("Pacific MedSupply Pte. Ltd.", "690123400012"),
    ("Jinling Healthcare Logistics Co., Ltd.", "690123400013"),
]
HOSPITALS = [
    ("Shanghai Ruijin Cardiology Hospital", "690123400021"),
    ("Suzhou First People's Hospital", "690123400022"),
    ("Hangzhou Zhejiang Provincial Hospital", "690123400023"),
    ("Nanjing Drum Tower Hospital", "690123400024"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--db-prefix", default="trace_bench", help="databases <prefix>_suite, <prefix>_plain")
    add("--serials", type=int, default=10000, help="serials made from the traced lot")
    add("--mo-size", type=int, default=100, help="serials per manufacturing order")
    add("--delivery-chunk", type=int, default=1000, help="serials per chain delivery")
    add("--background-lines", type=int, default=1_000_000, help="event lines to reach")
    add("--no-seal-background", action="store_true", help="leave bulk events unsealed")
    add("--plain-chain", action="store_true", help="also build the chain in the plain database")
    add("--delivery-size", type=int, default=1000, help="serials per measured delivery")
    add("--delivery-reps", type=int, default=5, help="measured deliveries per database")
    add("--trace-runs", type=int, default=10, help="trace_forward runs")
    add("--seal-rounds", type=int, default=20, help="event-seal rounds (0: skip)")
    add("--capture-batches", type=int, default=5, help="capture batches")
    add("--capture-batch-size", type=int, default=1000, help="events per capture batch")
    add("--report-timeout", type=float, default=120, help="budget of Odoo's report, seconds")
    add("--http-port", type=int, default=18669, help="JSON-2 measurement port (0: skip)")
    add("--quick", action="store_true", help="small run: 1,000 serials, 100,000 lines")
    add("--reuse-db", action="store_true", help="reuse kept databases, skip generation")
    add("--keep-db", action="store_true", help="do not drop the databases")
    add("--seed", type=int, default=20251125, help="random seed of the background")
    add("--verify-records", action="store_true", help="seal verification re-checks every row")
    args = parser.parse_args()
    if args.quick:
        args.serials = min(args.serials, 1000)
        args.background_lines = min(args.background_lines, 100_000)
        args.delivery_reps = min(args.delivery_reps, 3)
        args.capture_batches = min(args.capture_batches, 2)
        args.report_timeout = min(args.report_timeout, 30)
    args.mo_size = max(1, min(args.mo_size, args.serials))
    return args


def gln(base12):
    """The 13-digit GLN of a 12-digit base (GS1 mod-10 check digit)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(base12))
    return base12 + str((10 - total % 10) % 10)


def gtin_check(base13):
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(base13))
    return base13 + str((10 - total % 10) % 10)


def line_out(label, value, note=""):
    print(f"{label:<68} {value:>14}  {note}".rstrip(), flush=True)


def fmt_ms(seconds):
    return f"{seconds * 1000:,.1f} ms"


# ---------------------------------------------------------------------------------- databases


def install(db, modules):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            db,
            f"--addons-path={ADDONS}",
            "-i",
            modules,
            "--stop-after-init",
            "--log-level=warn",
            "--max-cron-threads=0",
            "--http-port=0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def prepare_dbs(suite_db, plain_db):
    for db in (suite_db, plain_db):
        subprocess.run(["dropdb", "--if-exists", db], check=True)
    print(f"installing {SUITE_MODULES} in {suite_db} and {PLAIN_MODULES} in {plain_db} ...")
    started = time.perf_counter()
    jobs = [install(suite_db, SUITE_MODULES), install(plain_db, PLAIN_MODULES)]
    for job in jobs:
        if job.wait():
            sys.exit("module installation failed (run the command by hand to see why)")
    print(f"installed in {time.perf_counter() - started:.0f} s (in parallel)", flush=True)


class Odoo:
    """One database's registry, driven from this process."""

    def __init__(self, db):
        from odoo.modules.registry import Registry

        self.db = db
        self.registry = Registry(db)
        self.suite = "trace.event" in self.registry

    def env(self, cr, uid=None, context=None):
        from odoo import SUPERUSER_ID, api

        return api.Environment(cr, uid or SUPERUSER_ID, dict(context or {}, tracking_disable=True))

    def cursor(self):
        return self.registry.cursor()

    def meta(self, value=None):
        with self.cursor() as cr:
            params = self.env(cr)["ir.config_parameter"]
            if value is not None:
                params.set_param(META_KEY, json.dumps(value))
                return value
            raw = params.get_param(META_KEY)
        return json.loads(raw) if raw else None


# ---------------------------------------------------------------------------------- master data


def create_master_data(odoo):
    """Products, BoM and parties of the chain; returns their ids (``meta``)."""
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        suite = odoo.suite
        env.company.partner_id.write({"name": env.company.name})
        if suite:
            env.company.partner_id.udi_gln = gln("690123400001")
        component = {"is_storable": True, "tracking": "lot"}
        cell = env["product.product"].create(
            {"name": "Lithium-iodine cell 2.8 V", "default_code": "CMP-LI-28", **component}
        )
        tubing = env["product.product"].create(
            {"name": "Silicone lead insulation tubing", "default_code": "CMP-SIL-TB", **component}
        )
        pacemaker_vals = {
            "name": "Dual-chamber pacemaker DR-200",
            "default_code": "PM-DR200",
            "is_storable": True,
            "tracking": "serial",
        }
        if suite:
            pacemaker_vals.update(
                udi_regulated=True,
                udi_pi_serial=True,
                udi_implantable=True,
                udi_di_ids=[(0, 0, {"di": "06901234500011", "packaging_level": "base"})],
            )
        pacemaker = env["product.product"].create(pacemaker_vals)
        env["mrp.bom"].create(
            {
                "product_tmpl_id": pacemaker.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [
                    (0, 0, {"product_id": cell.id, "product_qty": 1}),
                    (0, 0, {"product_id": tubing.id, "product_qty": 1}),
                ],
            }
        )
        supplier = env["res.partner"].create(
            {"name": "Tianjin PowerCell Components Co., Ltd.", "is_company": True}
        )
        distributors = create_parties(env, DISTRIBUTORS, "distributor", suite)
        hospitals = create_parties(env, HOSPITALS, "healthcare", suite)
        return {
            "cell": cell.id,
            "tubing": tubing.id,
            "pacemaker": pacemaker.id,
            "supplier": supplier.id,
            "distributors": distributors.ids,
            "hospitals": hospitals.ids,
        }


def create_parties(env, parties, role, suite):
    vals_list = []
    for name, base in parties:
        vals = {"name": name, "is_company": True}
        if suite:
            vals.update(
                udi_gln=gln(base),
                udi_role_ids=[(6, 0, env.ref(f"udi_master.partner_role_{role}").ids)],
                udi_licence_number=f"LIC-{base[-4:]}",
                udi_licence_expiry=datetime.date.today() + datetime.timedelta(days=1000),
            )
        vals_list.append(vals)
    return env["res.partner"].create(vals_list)


# ---------------------------------------------------------------------------------- real flows


def locations(env):
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    production = env["stock.location"].search(
        [("usage", "=", "production"), ("company_id", "in", [env.company.id, False])], limit=1
    )
    return {
        "stock": warehouse.lot_stock_id,
        "supplier": env.ref("stock.stock_location_suppliers"),
        "customer": env.ref("stock.stock_location_customers"),
        "production": production,
        "in_type": warehouse.in_type_id,
        "out_type": warehouse.out_type_id,
    }


def receive(env, partner_id, lines):
    """A receipt of ``lines`` [(product id, lot name, qty)], validated like a user does."""
    locs = locations(env)
    products = list(dict.fromkeys(product_id for product_id, _name, _qty in lines))
    picking = env["stock.picking"].create(
        {
            "picking_type_id": locs["in_type"].id,
            "partner_id": partner_id,
            "location_id": locs["supplier"].id,
            "location_dest_id": locs["stock"].id,
            "move_ids": [
                (
                    0,
                    0,
                    {
                        "product_id": product_id,
                        "product_uom_qty": sum(q for p, _n, q in lines if p == product_id),
                        "location_id": locs["supplier"].id,
                        "location_dest_id": locs["stock"].id,
                    },
                )
                for product_id in products
            ],
        }
    )
    picking.action_confirm()
    picking.move_ids.move_line_ids.unlink()
    move_of = {move.product_id.id: move for move in picking.move_ids}
    env["stock.move.line"].create(
        [
            {
                "move_id": move_of[product_id].id,
                "picking_id": picking.id,
                "product_id": product_id,
                "lot_name": name,
                "quantity": qty,
                "location_id": locs["supplier"].id,
                "location_dest_id": locs["stock"].id,
            }
            for product_id, name, qty in lines
        ]
    )
    picking.move_ids.picked = True
    result = picking.button_validate()
    if result is not True or picking.state != "done":
        raise RuntimeError(f"receipt {picking.name} not done: {result}")
    return picking


def prepare_delivery(env, partner_id, product_id, qty):
    """A confirmed delivery with ``qty`` units reserved and picked (validation left to do)."""
    locs = locations(env)
    picking = env["stock.picking"].create(
        {
            "picking_type_id": locs["out_type"].id,
            "partner_id": partner_id,
            "location_id": locs["stock"].id,
            "location_dest_id": locs["customer"].id,
            "move_ids": [
                (
                    0,
                    0,
                    {
                        "product_id": product_id,
                        "product_uom_qty": qty,
                        "location_id": locs["stock"].id,
                        "location_dest_id": locs["customer"].id,
                    },
                )
            ],
        }
    )
    picking.action_confirm()
    picking.action_assign()
    if picking.move_ids.quantity != qty:
        raise RuntimeError(f"{picking.name}: only {picking.move_ids.quantity} of {qty} reserved")
    picking.move_ids.picked = True
    return picking


def validate(picking):
    result = picking.button_validate()
    if result is not True or picking.state != "done":
        raise RuntimeError(f"delivery {picking.name} not done: {result}")


def manufacture(env, product_id, qty, first_serial):
    """One manufacturing order of ``qty`` serials, as a user runs it (serial wizard, done)."""
    production = env["mrp.production"].create({"product_id": product_id, "product_qty": qty})
    production.action_confirm()
    production.action_assign()
    wizard = env["mrp.production.serials"].create(
        {"production_id": production.id, "lot_name": first_serial, "lot_quantity": qty}
    )
    wizard.action_generate_serial_numbers()
    wizard.action_apply()
    result = production.button_mark_done()
    if result is not True or production.state != "done":
        raise RuntimeError(f"{production.name} not done: {result}")
    return production


def generate_chain(odoo, args, meta, capture_ok):
    """Receipt of components, manufacturing orders, deliveries, captured onward shipments."""
    stamp = datetime.date.today().strftime("%y%m")
    meta["cell_lot_name"] = f"LI{stamp}-0001"
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        tubing_lots = 10
        per_tubing = -(-args.serials // tubing_lots)
        receive(
            env,
            meta["supplier"],
            [(meta["cell"], meta["cell_lot_name"], args.serials)]
            + [(meta["tubing"], f"SIL{stamp}-{i + 1:03d}", per_tubing) for i in range(tubing_lots)],
        )
        meta["cell_lot"] = (
            env["stock.lot"]
            .search([("product_id", "=", meta["cell"]), ("name", "=", meta["cell_lot_name"])])
            .id
        )
    done = 0
    orders = 0
    while done < args.serials:
        qty = min(args.mo_size, args.serials - done)
        with odoo.cursor() as cr:
            manufacture(odoo.env(cr), meta["pacemaker"], qty, f"PM200-{stamp}-{done + 1:06d}")
        done += qty
        orders += 1
        if orders % 10 == 0:
            print(f"    {orders} manufacturing orders, {done:,} serials", flush=True)
    shipped = 0
    deliveries = 0
    while shipped < args.serials:
        qty = min(args.delivery_chunk, args.serials - shipped)
        partner_id = meta["distributors"][deliveries % len(meta["distributors"])]
        with odoo.cursor() as cr:
            validate(prepare_delivery(odoo.env(cr), partner_id, meta["pacemaker"], qty))
        shipped += qty
        deliveries += 1
    meta["chain"] = {"orders": orders, "deliveries": deliveries}
    if odoo.suite and capture_ok:
        meta["chain"]["onward_events"] = capture_onward_chain(odoo, meta)


def capture_onward_chain(odoo, meta):
    """90 % of the chain serials shipped on by their distributor to a hospital (captured)."""
    with odoo.cursor() as cr:
        cr.execute(
            """
            SELECT p.partner_id, l.name
              FROM stock_move_line ml
              JOIN stock_picking p ON p.id = ml.picking_id
              JOIN stock_lot l ON l.id = ml.lot_id
              JOIN stock_location d ON d.id = ml.location_dest_id
             WHERE ml.product_id = %s AND ml.state = 'done' AND d.usage = 'customer'
             ORDER BY ml.id
            """,
            [meta["pacemaker"]],
        )
        rows = cr.fetchall()
        env = odoo.env(cr)
        glns = {
            p.id: p.udi_gln
            for p in env["res.partner"].browse(meta["distributors"] + meta["hospitals"])
        }
    rows = [row for index, row in enumerate(rows) if index % 10]  # 90 %
    events = []
    per_event = 10
    for start in range(0, len(rows), per_event):
        chunk = rows[start : start + per_event]
        hospital = meta["hospitals"][(start // per_event) % len(meta["hospitals"])]
        by_distributor = {}
        for distributor, serial in chunk:
            by_distributor.setdefault(distributor, []).append(serial)
        for distributor, serials in by_distributor.items():
            events.append(
                shipping_event(glns[distributor], glns[hospital], serials, f"DN-{start:06d}")
            )
    for start in range(0, len(events), 1000):
        with odoo.cursor() as cr:
            capture(odoo.env(cr, ADMIN_UID), events[start : start + 1000])
    return len(events)


# ---------------------------------------------------------------------------------- EPCIS


PACEMAKER_GTIN = "06901234500011"


def shipping_event(source_gln, dest_gln, serials, document, when=None):
    """An EPCIS 2.0 JSON ObjectEvent: ``serials`` of the pacemaker shipped between parties."""
    when = when or datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:{uuid.uuid4()}",
        "eventTime": when.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": TZ,
        "epcList": [f"https://id.gs1.org/01/{PACEMAKER_GTIN}/21/{serial}" for serial in serials],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": f"urn:epc:id:sgln:{source_gln[:6]}.{source_gln[6:12]}.0"},
        "bizTransactionList": [
            {"type": "desadv", "bizTransaction": f"urn:epcglobal:cbv:bt:{source_gln}:{document}"}
        ],
        "sourceList": [
            {
                "type": "owning_party",
                "source": f"urn:epc:id:pgln:{source_gln[:6]}.{source_gln[6:12]}",
            }
        ],
        "destinationList": [
            {
                "type": "owning_party",
                "destination": f"urn:epc:id:pgln:{dest_gln[:6]}.{dest_gln[6:12]}",
            }
        ],
    }


def capture_available(odoo):
    return odoo.suite and hasattr(odoo.registry["trace.event"], "capture")


def capture(env, events):
    return env["trace.event"].capture(events)


# ---------------------------------------------------------------------------------- background


class CopyTable:
    """Rows for one COPY, in PostgreSQL's text format."""

    def __init__(self, table, columns):
        self.table = table
        self.columns = columns
        self.buffer = io.StringIO()
        self.count = 0

    def add(self, *values):
        self.buffer.write(
            "\t".join("\\N" if value is None else str(value) for value in values) + "\n"
        )
        self.count += 1

    def add_values(self, **values):
        """A row given by column: the columns not given are NULL."""
        unknown = values.keys() - set(self.columns)
        if unknown:
            raise KeyError(f"{self.table} has no column {', '.join(sorted(unknown))}")
        self.add(*(values.get(column) for column in self.columns))

    def copy(self, cr):
        self.buffer.seek(0)
        cr.copy_expert(
            f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN", self.buffer, size=1 << 20
        )


class IdRange:
    """Ids reserved from a table's sequence for rows written by COPY."""

    def __init__(self, cr, table, count):
        sequence = f"{table}_id_seq"
        cr.execute("SELECT nextval(%s)", [sequence])
        self.next = cr.fetchone()[0]
        cr.execute("SELECT setval(%s, %s)", [sequence, self.next + count + 1])

    def take(self):
        value = self.next
        self.next += 1
        return value


def background_master(odoo):
    """Products and parties of the background history (the same in both databases)."""
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        products = {}
        for key, name, tracking, di in (
            ("serial", "Single-chamber pacemaker SR-100", "serial", gtin_check("0690123450002")),
            ("component", "Pacing lead connector IS-1", "lot", None),
            ("catheter", "Central venous catheter kit 5Fr", "lot", gtin_check("0690123456790")),
        ):
            vals = {"name": name, "is_storable": True, "tracking": tracking}
            if odoo.suite and di:
                vals.update(
                    udi_regulated=True,
                    udi_di_ids=[(0, 0, {"di": di, "packaging_level": "base"})],
                )
            products[key] = env["product.product"].create(vals).id
        distributors = create_parties(
            env,
            [(f"Regional distributor {i:02d}", f"69012341{i:04d}") for i in range(20)],
            "distributor",
            odoo.suite,
        )
        hospitals = create_parties(
            env,
            [(f"County hospital {i:03d}", f"69012342{i:04d}") for i in range(100)],
            "healthcare",
            odoo.suite,
        )
        supplier = env["res.partner"].create({"name": "Background supplier", "is_company": True})
        return {
            "products": products,
            "distributors": distributors.ids,
            "hospitals": hospitals.ids,
            "supplier": supplier.id,
        }


class Background:
    """History written with COPY: lots, done move lines and consume links (both databases),
    events and event lines (suite database). Every choice comes from a seeded random
    generator, so both databases receive the same history."""

    SERIALS_PER_BATCH = 50
    LINES_PER_BATCH = 144  # 2 component receipts, 2 inputs, 50 outputs, 50 shipped, 40 onward
    LINES_PER_CATHETER_GROUP = 37  # 4 lots: 4 received, 8 x 4 shipped, 1 returned

    def __init__(self, odoo, cr, master, lines, seed):
        self.odoo = odoo
        self.cr = cr
        self.master = master
        self.rng = random.Random(seed)
        env = odoo.env(cr)
        locs = locations(env)
        self.loc = {key: locs[key].id for key in ("stock", "supplier", "customer", "production")}
        self.company = env.company.id
        self.uom = env["product.product"].browse(master["products"]["serial"]).uom_id.id
        self.batches = -(-int(lines * 0.6) // self.LINES_PER_BATCH)
        self.groups = -(-int(lines * 0.4) // self.LINES_PER_CATHETER_GROUP)
        self.now = datetime.datetime.now().replace(microsecond=0)
        self.log = dict.fromkeys(LOG_COLUMNS, self.now) | {"create_uid": 1, "write_uid": 1}
        self._stock_tables(cr)
        if odoo.suite:
            self._event_tables(env)
        self.sequence = 0
        self.event_id = None

    def _stock_tables(self, cr):
        """Ids and COPY rows of the lots, done move lines and component links."""
        lots = self.batches * (2 + self.SERIALS_PER_BATCH) + self.groups * 4
        move_lines = self.batches * 104 + self.groups * 37
        self.lot_ids = IdRange(cr, "stock_lot", lots)
        self.ml_ids = IdRange(cr, "stock_move_line", move_lines)
        self.lots = CopyTable("stock_lot", ["id", "name", "product_id", "company_id", *LOG_COLUMNS])
        self.move_lines = CopyTable(
            "stock_move_line",
            [
                "id",
                "company_id",
                "date",
                "location_id",
                "location_dest_id",
                "product_id",
                "product_uom_id",
                "lot_id",
                "quantity",
                "quantity_product_uom",
                "state",
                "picked",
                *LOG_COLUMNS,
            ],
        )
        self.consume = CopyTable(
            "stock_move_line_consume_rel", ["consume_line_id", "produce_line_id"]
        )

    def _event_tables(self, env):
        """Ids and COPY rows of the events and their lines: every sealed column (the model's
        own lists), those an event of the background does not set left empty."""
        events = env["trace.event"]
        self.event_ids = IdRange(self.cr, "trace_event", self.batches * 12 + self.groups * 10)
        self.events = CopyTable("trace_event", ["id", *events._seal_fields, *LOG_COLUMNS])
        self.event_lines = CopyTable(
            "trace_event_line", [*events._seal_child_guards["trace.event.line"], *LOG_COLUMNS]
        )
        dis = events._trace_product_dis(
            env["product.product"].browse(list(self.master["products"].values()))
        )
        self.dis = {pid: dis.get(pid) for pid in self.master["products"].values()}

    # -- writers

    def lot(self, product, name):
        lot_id = self.lot_ids.take()
        self.lots.add(lot_id, name, product, self.company, *self.log.values())
        return lot_id

    def event(self, when, event_type, step, disposition, origin, document, source=None, dest=None):
        if not self.odoo.suite:
            return
        self.event_id = self.event_ids.take()
        self.events.add_values(
            id=self.event_id,
            event_uid=f"urn:uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}",
            event_type=event_type,
            action=None if event_type == "transformation" else "observe",
            biz_step=step,
            disposition=disposition,
            event_time=when,
            event_tz=TZ,
            record_time=self.now,
            read_point_id=self.loc["stock"],
            source_partner_id=source,
            dest_partner_id=dest,
            origin=origin,
            biz_transaction=document,
            company_id=self.company,
            **self.log,
        )

    def line(
        self,
        when,
        role,
        product,
        lot_id,
        lot_name,
        qty,
        src,
        dest,
        partner=None,
        partner_dest=None,
        with_move_line=True,
    ):
        """A done move line (unless captured) and its event line."""
        ml_id = None
        if with_move_line:
            ml_id = self.ml_ids.take()
            self.move_lines.add(
                ml_id,
                self.company,
                when,
                src,
                dest,
                product,
                self.uom,
                lot_id,
                qty,
                qty,
                "done",
                "t",
                *self.log.values(),
            )
        if self.odoo.suite:
            self.event_lines.add_values(
                event_id=self.event_id,
                role=role,
                product_id=product,
                udi_di=self.dis.get(product) or None,
                lot_id=lot_id,
                lot_name=lot_name,
                quantity=qty,
                uom_id=self.uom,
                move_line_id=ml_id,
                location_id=src if with_move_line else None,
                location_dest_id=dest if with_move_line else None,
                partner_id=partner,
                partner_dest_id=partner_dest,
                **self.log,
            )
        return ml_id

    def when(self):
        return self.now - datetime.timedelta(seconds=self.rng.randrange(730 * 86400))

    def document(self, prefix):
        self.sequence += 1
        return f"BG/{prefix}/{self.sequence:07d}"

    # -- histories

    def receipt(self, when, product, names, quantity):
        """A receipt of ``quantity`` of each lot ``names`` from the supplier: [(lot id, name)]."""
        supplier = self.master["supplier"]
        self.event(
            when,
            "object",
            "receiving",
            "in_progress",
            "stock_move",
            self.document("IN"),
            source=supplier,
        )
        lots = []
        for name in names:
            lot_id = self.lot(product, name)
            self.line(
                when,
                "object",
                product,
                lot_id,
                name,
                quantity,
                self.loc["supplier"],
                self.loc["stock"],
                partner=supplier,
            )
            lots.append((lot_id, name))
        return lots

    def serial_batch(self, number):
        """Two component lots received and made into ``SERIALS_PER_BATCH`` serials, shipped ten
        by ten to distributors, who ship all but the last ten on to hospitals (captured)."""
        made, serials = self.manufacture_serials(number)
        for start_index in range(0, self.SERIALS_PER_BATCH, 10):
            chunk = serials[start_index : start_index + 10]
            self.ship_serials(made, chunk, onward=start_index < 40)

    def manufacture_serials(self, number):
        """The production of batch ``number``: (when, [(lot id, name)] of its serials)."""
        products = self.master["products"]
        loc = self.loc
        start = self.when()
        names = [f"BGC{number:06d}-{k}" for k in range(2)]
        components = self.receipt(start, products["component"], names, 50)
        made = start + datetime.timedelta(days=2)
        self.event(
            made, "transformation", "commissioning", "active", "production", self.document("MO")
        )
        inputs = [
            self.line(
                made,
                "input",
                products["component"],
                lot_id,
                name,
                50,
                loc["stock"],
                loc["production"],
            )
            for lot_id, name in components
        ]
        serials = []
        for i in range(self.SERIALS_PER_BATCH):
            name = f"SR{number:06d}{i:02d}"
            lot_id = self.lot(products["serial"], name)
            output = self.line(
                made, "output", products["serial"], lot_id, name, 1, loc["production"], loc["stock"]
            )
            for input_id in inputs:
                self.consume.add(output, input_id)
            serials.append((lot_id, name))
        return made, serials

    def ship_serials(self, made, chunk, onward):
        """A delivery of the serials ``chunk`` to a distributor, and when ``onward`` their
        shipment from it to a hospital, captured (no move line)."""
        serial = self.master["products"]["serial"]
        shipped = made + datetime.timedelta(days=self.rng.randrange(1, 60))
        distributor = self.rng.choice(self.master["distributors"])
        self.event(
            shipped,
            "object",
            "shipping",
            "in_transit",
            "stock_move",
            self.document("OUT"),
            dest=distributor,
        )
        for lot_id, name in chunk:
            self.line(
                shipped,
                "object",
                serial,
                lot_id,
                name,
                1,
                self.loc["stock"],
                self.loc["customer"],
                partner_dest=distributor,
            )
        if not onward:
            return  # these stay at the distributor
        when = shipped + datetime.timedelta(days=self.rng.randrange(1, 30))
        hospital = self.rng.choice(self.master["hospitals"])
        self.event(
            when,
            "object",
            "shipping",
            "in_transit",
            "capture",
            self.document("DN"),
            source=distributor,
            dest=hospital,
        )
        for lot_id, name in chunk:
            self.line(
                when,
                "object",
                serial,
                lot_id,
                name,
                1,
                None,
                None,
                partner=distributor,
                partner_dest=hospital,
                with_move_line=False,
            )

    def catheter_group(self, number):
        products = self.master["products"]
        loc = self.loc
        start = self.when()
        names = [f"CVC{number:06d}{k}" for k in range(4)]
        lots = self.receipt(start, products["catheter"], names, 400)
        customers = self.master["distributors"] + self.master["hospitals"]
        for shipment in range(8):
            shipped = start + datetime.timedelta(days=shipment * 7 + 1)
            customer = self.rng.choice(customers)
            self.event(
                shipped,
                "object",
                "shipping",
                "in_transit",
                "stock_move",
                self.document("OUT"),
                dest=customer,
            )
            for lot_id, name in lots:
                self.line(
                    shipped,
                    "object",
                    products["catheter"],
                    lot_id,
                    name,
                    self.rng.randrange(10, 40),
                    loc["stock"],
                    loc["customer"],
                    partner_dest=customer,
                )
        returned = start + datetime.timedelta(days=70)
        customer = self.rng.choice(customers)
        self.event(
            returned,
            "object",
            "receiving",
            "returned",
            "stock_move",
            self.document("RET"),
            source=customer,
        )
        lot_id, name = lots[0]
        self.line(
            returned,
            "object",
            products["catheter"],
            lot_id,
            name,
            2,
            loc["customer"],
            loc["stock"],
            partner=customer,
        )

    def write(self):
        """Build every row, then COPY table by table; returns (row counts, timings)."""
        started = time.perf_counter()
        for number in range(self.batches):
            self.serial_batch(number)
        for number in range(self.groups):
            self.catheter_group(number)
        timings = {"build rows": time.perf_counter() - started}
        tables = [self.lots, self.move_lines, self.consume]
        if self.odoo.suite:
            tables += [self.events, self.event_lines]
        # the rows reference each other and existing records by construction: skip the
        # row-by-row foreign-key triggers of this bulk load (superuser only)
        self.cr.execute("SET LOCAL session_replication_role = replica")
        for table in tables:
            started = time.perf_counter()
            table.copy(self.cr)
            timings[table.table] = time.perf_counter() - started
        return {table.table: table.count for table in tables}, timings


def background_size(odoo, args):
    """Event lines the background must add for the suite database to hold ``--background-lines``."""
    with odoo.cursor() as cr:
        cr.execute("SELECT count(*) FROM trace_event_line")
        return max(0, args.background_lines - cr.fetchone()[0])


def generate_background(odoo, args, master, lines):
    """Bulk history of about ``lines`` event lines; returns what was written."""
    with odoo.cursor() as cr:
        background = Background(odoo, cr, master, lines, args.seed)
        counts, timings = background.write()
        events = counts.get("trace_event", 0)
        first_event = background.event_ids.next - events if odoo.suite else 0
        started = time.perf_counter()
        cr.commit()
        for table in counts:
            cr.execute(f"ANALYZE {table}")
        timings["commit + analyze"] = time.perf_counter() - started
        if odoo.suite:  # the events were written without the ORM: refresh their read model
            started = time.perf_counter()
            odoo.env(cr)["trace.holding"]._trace_rebuild()
            cr.commit()
            cr.execute("ANALYZE trace_holding")
            timings["holdings"] = time.perf_counter() - started
    print(
        "    COPY: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items()),
        flush=True,
    )
    return counts, (first_event, events)


def seal_background(odoo, first_event, count, chunk=5000):
    """Append the bulk events to the ledger the way the commit does (in chunks)."""
    sealed = 0
    for start in range(first_event, first_event + count, chunk):
        with odoo.cursor() as cr:
            env = odoo.env(cr)
            cr.execute(
                "SELECT id FROM trace_event WHERE id >= %s AND id < %s ORDER BY id",
                [start, min(start + chunk, first_event + count)],
            )
            ids = [row[0] for row in cr.fetchall()]
            env["audit.seal.entry"]._seal_register_pending(env["trace.event"].browse(ids))
        sealed += len(ids)
    return sealed


def generate(odoos, args, metas):
    """The chain in the suite database (and in the plain one with ``--plain-chain``), then the
    same background history in both; databases generated already are left as they are."""
    suite = odoos[0]
    capture_ok = capture_available(suite)
    lines = None
    if metas[0]:
        lines = metas[0]["background"].get("trace_event_line", 0)
    for index, odoo in enumerate(odoos):
        if metas[index]:
            continue
        started = time.perf_counter()
        meta = create_master_data(odoo)
        meta["chain"] = {"orders": 0, "deliveries": 0}
        if odoo.suite or args.plain_chain:
            print(f"  {odoo.db}: chain (real flows) ...", flush=True)
            generate_chain(odoo, args, meta, capture_ok)
        chain_time = time.perf_counter() - started
        if lines is None:
            lines = background_size(odoo, args)
        print(f"  {odoo.db}: background history (COPY) ...", flush=True)
        started = time.perf_counter()
        master = background_master(odoo)
        counts, (first_event, events) = generate_background(odoo, args, master, lines)
        copy_time = time.perf_counter() - started
        seal_time = 0
        if odoo.suite and events and not args.no_seal_background:
            print(f"  {odoo.db}: sealing the background events ...", flush=True)
            started = time.perf_counter()
            seal_background(odoo, first_event, events)
            seal_time = time.perf_counter() - started
        meta["background"] = counts
        meta["sealed_background"] = bool(odoo.suite and not args.no_seal_background)
        meta["timings"] = {"chain": chain_time, "copy": copy_time, "seal": seal_time}
        odoo.meta(meta)
        metas[index] = meta
    return metas


# ---------------------------------------------------------------------------------- 1. delivery


class AppendTimer:
    """Time spent in the seal's append (at the commits) of a suite database while active: the
    seal's own share of a business operation, timed inside it."""

    def __init__(self, odoo):
        self.entry_class = odoo.registry["audit.seal.entry"] if odoo.suite else None
        self.seconds = 0.0

    def __enter__(self):
        if self.entry_class is not None:
            original = self.original = self.entry_class._seal_append

            def timed_append(entry_model, items, **kwargs):
                started = time.perf_counter()
                try:
                    return original(entry_model, items, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - started

            self.entry_class._seal_append = timed_append
        return self

    def __exit__(self, *exc_info):
        if self.entry_class is not None:
            self.entry_class._seal_append = self.original


def measure_deliveries(odoos, metas, args):
    """Validate deliveries of the same size in both databases, interleaved; warm-up first."""
    stamp = datetime.datetime.now().strftime("%d%H%M%S")
    reps = args.delivery_reps + 1
    pickings = []
    started = time.perf_counter()
    for odoo, meta in zip(odoos, metas, strict=True):
        ids = []
        for rep in range(reps):
            with odoo.cursor() as cr:
                env = odoo.env(cr)
                receive(
                    env,
                    meta["supplier"],
                    [
                        (meta["pacemaker"], f"D{stamp}{rep:02d}{i:05d}", 1)
                        for i in range(args.delivery_size)
                    ],
                )
                cr.commit()
                picking = prepare_delivery(
                    env, meta["distributors"][0], meta["pacemaker"], args.delivery_size
                )
                ids.append(picking.id)
        pickings.append(ids)
    print(
        f"  stock received and {reps} deliveries per database prepared in "
        f"{time.perf_counter() - started:.0f} s (not measured)",
        flush=True,
    )
    times = ([], [])  # (wall, CPU of this process) per run, suite then plain
    for rep in range(reps):
        order = (0, 1) if rep % 2 else (1, 0)
        for index in order:
            odoo = odoos[index]
            with odoo.cursor() as cr, AppendTimer(odoo) as seal:
                env = odoo.env(cr, ADMIN_UID)
                picking = env["stock.picking"].browse(pickings[index][rep])
                tick, cpu = time.perf_counter(), time.process_time()
                validate(picking)
                cr.commit()
                wall = time.perf_counter() - tick
                times[index].append((wall, time.process_time() - cpu, seal.seconds))
    return times, pickings[0]


def report_deliveries(times, args):
    """Per-run wall and CPU times, medians and the suite's extra (the target is on wall time;
    the CPU time of this process, which excludes PostgreSQL, is less sensitive to other load)."""
    suite, plain = (values[1:] for values in times)  # the first is the warm-up
    print(
        f"\n1. validating a delivery of {args.delivery_size:,} serials (button_validate + commit)"
    )
    print(f"   {'':<8}{'wall time':^34}{'CPU of this process':^34}")
    header = f"{'plain':>10}{'suite':>10}{'extra':>10}    "
    print(f"   {'run':<8}{header}{header}")

    def row(label, s, p):
        return (
            f"   {label:<8}{p[0]:>9.2f}s{s[0]:>9.2f}s{(s[0] / p[0] - 1) * 100:>9.1f}%    "
            f"{p[1]:>9.2f}s{s[1]:>9.2f}s{(s[1] / p[1] - 1) * 100:>9.1f}%"
        )

    print(row("warm-up", times[0][0], times[1][0]))
    for rep, (s, p) in enumerate(zip(suite, plain, strict=True), 1):
        print(row(str(rep), s, p))
    medians = {}
    for label, pick in (("median", statistics.median), ("min", min)):
        medians[label] = (
            tuple(pick(run[k] for run in suite) for k in (0, 1)),
            tuple(pick(run[k] for run in plain) for k in (0, 1)),
        )
        print(row(label, *medians[label]))
    (wall_s, cpu_s), (wall_p, cpu_p) = medians["median"]
    extra = wall_s / wall_p - 1
    verdict = "met" if extra <= 0.15 else "NOT met"
    line_out(
        "   extra wall time with the suite, medians (target <= 15 %)",
        f"{extra * 100:.1f} %",
        verdict,
    )
    line_out("   extra CPU time of this process, medians", f"{(cpu_s / cpu_p - 1) * 100:.1f} %")
    seal = statistics.median(run[2] / run[0] for run in suite)
    line_out(
        "   of which the seal's append, timed in the suite's commits (median)",
        f"{seal * 100:.1f} %",
        f"{statistics.median(run[2] for run in suite) * 1e3:.0f} ms of the suite's delivery "
        "(audit_seal's target: <= 10 %)",
    )
    return extra


# ---------------------------------------------------------------------------------- 3. capture


def measure_capture(suite, meta, picking_ids, args, server=None):
    """Batches of EPCIS shipping events, distributor -> hospital, one serial each.

    The last in-process batch runs under tracemalloc (its peak memory; left out of the median),
    and one more batch goes over JSON-2 when a server runs.
    """
    with suite.cursor() as cr:
        env = suite.env(cr)
        lines = env["stock.picking"].browse(picking_ids).move_line_ids
        serials = lines.lot_id.mapped("name")
        distributor = env["res.partner"].browse(meta["distributors"][0]).udi_gln
        hospitals = env["res.partner"].browse(meta["hospitals"]).mapped("udi_gln")
    count = args.capture_batches + (1 if server else 0)
    needed = count * args.capture_batch_size
    if len(serials) < needed:
        print(f"   (only {len(serials):,} delivered serials for {needed:,} events: reused)")
    batches = []
    for batch in range(count):
        events = []
        for i in range(args.capture_batch_size):
            index = batch * args.capture_batch_size + i
            events.append(
                shipping_event(
                    distributor,
                    hospitals[index % len(hospitals)],
                    [serials[index % len(serials)]],
                    f"DN-B{batch:02d}-{i:05d}",
                )
            )
        batches.append(events)
    json2_time = None
    if server:
        json2_time = server.call("trace.event", "capture", events=batches.pop())[0]
    times = []
    seal_shares = []
    peak = 0
    for number, events in enumerate(batches):
        traced = number == len(batches) - 1 and len(batches) > 1
        if traced:
            tracemalloc.start()
        with suite.cursor() as cr, AppendTimer(suite) as seal:
            env = suite.env(cr, ADMIN_UID)
            tick = time.perf_counter()
            capture(env, events)
            cr.commit()
            times.append(time.perf_counter() - tick)
            if not traced:
                seal_shares.append(seal.seconds / times[-1])
        if traced:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return times, peak, json2_time, seal_shares


def measure_event_seal(odoo, args, batch=200):
    """The seal's own share in recording events: the same batch of shipping events (one serial
    each, copied from captured ones) created with ``_trace_create`` and appended to the ledger
    as the commit does (``_seal_run_pending``), alternately with the seal and with its
    registration patched out; each transaction is then rolled back so that the database stays
    as generated (the COMMIT itself is not timed, in either arm)."""
    from odoo import fields

    entry_class = odoo.registry["audit.seal.entry"]
    register = entry_class._seal_register_pending
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        lines = env["trace.event.line"].search(
            [("event_id.origin", "=", "capture"), ("lot_id", "!=", False)], limit=batch
        )
        vals_list = [
            {
                "event_type": "object",
                "action": "observe",
                "biz_step": "shipping",
                "disposition": "in_transit",
                "event_time": fields.Datetime.now(),
                "origin": "capture",
                "source_partner_id": line.partner_id.id,
                "dest_partner_id": line.partner_dest_id.id,
                "biz_transaction": "BENCH-SEAL",
                "company_id": line.event_id.company_id.id,
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": line.product_id.id,
                            "lot_id": line.lot_id.id,
                            "lot_name": line.lot_name,
                            "quantity": 0,
                            "uom_id": line.uom_id.id,
                            "partner_id": line.partner_id.id,
                            "partner_dest_id": line.partner_dest_id.id,
                        },
                    )
                ],
            }
            for line in lines
        ]

    def run(sealed):
        if not sealed:
            entry_class._seal_register_pending = lambda self, records: None
        try:
            with odoo.cursor() as cr, AppendTimer(odoo) as seal:
                env = odoo.env(cr)
                tick = time.perf_counter()
                env["trace.event"]._trace_create([dict(vals) for vals in vals_list])
                env["audit.seal.entry"]._seal_run_pending()
                elapsed = time.perf_counter() - tick
                if sealed:
                    appends.append(seal.seconds)
                cr.rollback()
                # the append moved the chain's head marker (a sequence: not rolled back); put
                # it back, or every later round would take the append's slow path, which reads
                # the head through a new connection (a committed append does this by itself)
                cr.execute(
                    "SELECT setval('audit_seal_head_seq', "
                    "(SELECT coalesce(max(seq), 0) FROM audit_seal_entry), true)"
                )
                cr.commit()
                return elapsed
        finally:
            entry_class._seal_register_pending = register

    appends = []
    run(True), run(False)  # warm-up
    appends.clear()
    times = {True: [], False: []}
    for round_no in range(args.seal_rounds):
        for sealed in (True, False) if round_no % 2 else (False, True):
            times[sealed].append(run(sealed))
    return len(vals_list), times, appends


def report_event_seal(count, times, appends):
    sealed, plain = statistics.median(times[True]), statistics.median(times[False])
    print(
        f"\n1b. the seal in recording events: {count} shipping events per transaction "
        f"(_trace_create + the append at commit), medians of {len(times[True])}"
    )
    line_out("   without the seal", f"{plain * 1e3:.1f} ms", f"{plain / count * 1e6:.0f} us/event")
    line_out("   with the seal", f"{sealed * 1e3:.1f} ms", f"{sealed / count * 1e6:.0f} us/event")
    line_out(
        "   difference of the medians",
        f"{(sealed / plain - 1) * 100:.1f} %",
        f"{(sealed - plain) / count * 1e6:.0f} us per sealed event (event + its lines)",
    )
    append = statistics.median(appends)
    share = append / plain
    line_out(
        "   the append alone, timed in the sealed rounds (median; target <= 10 %)",
        f"{share * 100:.1f} %",
        f"{append / count * 1e6:.0f} us per event; target {'met' if share <= 0.10 else 'NOT met'}",
    )


def report_capture(times, peak, args, json2_time=None, seal_shares=()):
    print(
        f"\n3. capture API: batches of {args.capture_batch_size:,} EPCIS shipping events "
        "(trace.event.capture + commit, sealing included)"
    )
    for number, elapsed in enumerate(times, 1):
        note = "(under tracemalloc)" if peak and number == len(times) else ""
        line_out(
            f"   batch {number}",
            f"{args.capture_batch_size / elapsed:,.0f} ev/s",
            f"{elapsed:.2f} s {note}",
        )
    plain_times = times[:-1] if peak and len(times) > 1 else times
    rate = args.capture_batch_size / statistics.median(plain_times)
    line_out("   capture throughput, median", f"{rate:,.0f} ev/s")
    if seal_shares:
        line_out(
            "   of which the seal's append, timed in the commits (median)",
            f"{statistics.median(seal_shares) * 100:.1f} %",
            "audit_seal's target: <= 10 %",
        )
    if peak:
        line_out("   peak memory of one batch (tracemalloc)", f"{peak / 2**20:,.1f} MiB")
    if json2_time:
        line_out(
            "   one batch over JSON-2 (HTTP, bearer key)",
            f"{args.capture_batch_size / json2_time:,.0f} ev/s",
            f"{json2_time:.2f} s",
        )
    return rate


# ---------------------------------------------------------------------------------- 2. trace


FLOOR_SQL = """
WITH RECURSIVE lots(lot_id, depth) AS (
    SELECT unnest(%(start)s::int[]), 0
    UNION
    SELECT fin.lot_id, l.depth + 1
      FROM lots l
      JOIN stock_move_line ml ON ml.lot_id = l.lot_id AND ml.state = 'done'
      JOIN stock_move_line_consume_rel r ON r.produce_line_id = ml.id
      JOIN stock_move_line fin ON fin.id = r.consume_line_id AND fin.state = 'done'
     WHERE fin.lot_id IS NOT NULL AND l.depth < 32
), reached AS (
    SELECT lot_id, min(depth) AS depth FROM lots GROUP BY lot_id
)
SELECT r.lot_id, r.depth, coalesce(p.partner_id, m.partner_id) AS partner_id,
       sum(ml.quantity_product_uom) AS quantity
  FROM reached r
  LEFT JOIN stock_move_line ml ON ml.lot_id = r.lot_id AND ml.state = 'done'
   AND ml.location_dest_id IN (SELECT id FROM stock_location WHERE usage = 'customer')
  LEFT JOIN stock_picking p ON p.id = ml.picking_id
  LEFT JOIN stock_move m ON m.id = ml.move_id
 GROUP BY 1, 2, 3
"""


def floor_query(cr, lot_id):
    """The hand-written floor: lots reached through Odoo's consume links, and their customers."""
    cr.execute(FLOOR_SQL, {"start": [lot_id]})
    return cr.fetchall()


def timed_runs(odoo, runs, func):
    times = []
    result = None
    for _run in range(runs):
        with odoo.cursor() as cr:
            env = odoo.env(cr, ADMIN_UID)
            tick = time.perf_counter()
            result = func(env)
            times.append(time.perf_counter() - tick)
            cr.rollback()
    return times, result


def peak_of(odoo, func):
    with odoo.cursor() as cr:
        env = odoo.env(cr, ADMIN_UID)
        tracemalloc.start()
        func(env)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        cr.rollback()
    return peak


def compare_answers(trace, floor, hospitals):
    """Same serials and same customers (partner, lot, received quantity)?"""
    start = {row["lot_id"] for row in trace["lots"] if row["depth"] == 0}
    trace_lots = {row["lot_id"] for row in trace["lots"]} - start
    floor_lots = {row[0] for row in floor} - start
    trace_customers = {
        (h["partner_id"], h["lot_id"]): h["received_quantity"]
        for h in trace["holders"]
        if h["holder_type"] == "partner"
    }
    floor_customers = {(row[2], row[0]): float(row[3]) for row in floor if row[2]}
    direct = {key: qty for key, qty in trace_customers.items() if key[0] not in hospitals}
    onward = {key for key in trace_customers if key[0] in hospitals}
    same = (
        trace_lots == floor_lots
        and direct.keys() == floor_customers.keys()
        and all(abs(direct[key] - floor_customers[key]) < 1e-6 for key in direct)
    )
    return same, {
        "serials": len(trace_lots),
        "floor_serials": len(floor_lots),
        "customers": len({key[0] for key in direct}),
        "deliveries": len(direct),
        "floor_deliveries": len(floor_customers),
        "onward": len(onward),
        "hospitals": len({key[0] for key in onward}),
    }


class Timeout(Exception):
    pass


def _alarm(_signum, _frame):
    raise Timeout()


def odoo_report(env, lot_id, budget):
    """Odoo's traceability report driven as the web client drives it, within ``budget`` s.

    The lot's report (``get_main_lines``), then for every line the report marks as used in a
    production the up/downstream report the arrow opens (``get_main_lines`` of that move line),
    which lists the finished serials; those stop there (unfolding goes back upstream to the
    components), so the customers are only reached by opening each serial's own report.
    """
    report = env["stock.traceability.report"]
    stats = {"reports": 0, "lines": 0, "serials": 0, "customer_lines": 0, "finished": False}
    started = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, budget)
    try:
        main = report.get_main_lines({"active_id": lot_id, "model": "stock.lot"})
        stats["reports"] += 1
        stats["lines"] += len(main)
        finished_lots = []
        for line in main:
            if not line["is_used"]:
                continue
            downstream = report.get_main_lines(
                {
                    "active_id": line["model_id"],
                    "model": "stock.move.line",
                    "lot_name": line["lot_name"],
                    "auto_unfold": True,
                }
            )
            stats["reports"] += 1
            stats["lines"] += len(downstream)
            stats["customer_lines"] += sum(
                1 for d in downstream if d["picking_type_code"] == "outgoing"
            )
            finished_lots += [d["lot_id"] for d in downstream if d["lot_id"]]
        stats["links_time"] = time.perf_counter() - started
        stats["links_customer_lines"] = stats["customer_lines"]
        stats["serials_total"] = len(set(finished_lots))
        for serial in dict.fromkeys(finished_lots):
            lines = report.get_main_lines({"active_id": serial, "model": "stock.lot"})
            stats["reports"] += 1
            stats["serials"] += 1
            stats["lines"] += len(lines)
            stats["customer_lines"] += sum(1 for d in lines if d["picking_type_code"] == "outgoing")
        stats["finished"] = True
    except Timeout:
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    stats["time"] = time.perf_counter() - started
    return stats


def odoo_delivery_helper(env, lot_id):
    """Odoo's own forward helper of the lot form: deliveries (pickings) reached, no quantities."""
    deliveries = env["stock.lot"].browse(lot_id)._find_delivery_ids_by_lot_iterative()
    pickings = env["stock.picking"].browse(sorted({p for ids in deliveries.values() for p in ids}))
    return {"pickings": len(pickings), "partners": len(pickings.partner_id)}


def measure_trace(suite, meta, args):
    lot_id = meta["cell_lot"]
    results = {}

    def trace(env):
        return env["trace.event"].trace_forward([lot_id])

    results["trace_times"], trace_result = timed_runs(suite, args.trace_runs, trace)
    results["trace_peak"] = peak_of(suite, trace)
    results["floor_times"], floor = timed_runs(
        suite, args.trace_runs, lambda env: floor_query(env.cr, lot_id)
    )
    results["floor_peak"] = peak_of(suite, lambda env: floor_query(env.cr, lot_id))
    results["same"], results["answer"] = compare_answers(
        trace_result, floor, set(meta["hospitals"])
    )
    results["holders"] = len(trace_result["holders"])
    results["lots"] = len(trace_result["lots"])
    times, helper = timed_runs(suite, 1, lambda env: odoo_delivery_helper(env, lot_id))
    results["helper_time"], results["helper"] = times[0], helper
    with suite.cursor() as cr:
        env = suite.env(cr, ADMIN_UID)
        results["report"] = odoo_report(env, lot_id, args.report_timeout)
        cr.rollback()
    return results


def report_trace(results, args, meta, json2=None):
    lot = meta["cell_lot_name"]
    trace_median = statistics.median(results["trace_times"])
    floor_median = statistics.median(results["floor_times"])
    answer = results["answer"]
    print(f"\n2. forward trace of component lot {lot} ({answer['serials']:,} serials made from it)")
    line_out(
        f"   trace_forward in-process, median of {len(results['trace_times'])}",
        fmt_ms(trace_median),
        f"min {fmt_ms(min(results['trace_times']))}, max {fmt_ms(max(results['trace_times']))}",
    )
    line_out(
        "   trace_forward peak memory (tracemalloc)", f"{results['trace_peak'] / 2**20:.1f} MiB"
    )
    if json2:
        line_out(
            f"   trace_forward over JSON-2, median of {len(json2)}",
            fmt_ms(statistics.median(json2)),
            "HTTP round trip, bearer key",
        )
    line_out(
        f"   hand-written recursive SQL (floor), median of {len(results['floor_times'])}",
        fmt_ms(floor_median),
        f"peak {results['floor_peak'] / 2**20:.1f} MiB",
    )
    ratio = trace_median / floor_median
    line_out(
        "   target: median < 200 ms",
        fmt_ms(trace_median),
        "met" if trace_median < 0.2 else "NOT met",
    )
    line_out(
        "   target: within 3x of the floor", f"{ratio:.2f}x", "met" if ratio <= 3 else "NOT met"
    )
    line_out(
        "   same answer (serials, customers, quantities)",
        "yes" if results["same"] else "no",
        f"{answer['serials']:,} serials (floor {answer['floor_serials']:,}); "
        f"{answer['deliveries']:,} serials delivered to {answer['customers']} distributor(s) "
        f"(floor {answer['floor_deliveries']:,})",
    )
    print(
        f"   trace_forward also reaches {answer['onward']:,} serials at {answer['hospitals']} "
        "hospitals through captured onward shipments, which Odoo's tables do not hold; "
        f"{results['lots']:,} lots and {results['holders']:,} holder rows in all"
    )
    report_odoo_tools(results, trace_median)
    return trace_median, ratio


def report_odoo_tools(results, trace_median):
    """2b. the same question asked to Odoo's own tools, as ratios to ``trace_median``."""
    helper = results["helper"]
    line_out(
        "   Odoo's lot delivery helper (_find_delivery_ids_by_lot_iterative)",
        fmt_ms(results["helper_time"]),
        f"{results['helper_time'] / trace_median:.1f}x trace_forward; "
        f"{helper['pickings']} deliveries, {helper['partners']} partners, no quantities",
    )
    rep = results["report"]
    links = rep.get("links_time")
    if links is None:
        line_out(
            "   Odoo's traceability report (lot + downstream reports)",
            "did not finish",
            f"stopped after {rep['time']:.0f} s",
        )
    else:
        line_out(
            "   Odoo's traceability report (lot + downstream reports)",
            f"{links:,.2f} s",
            f"{links / trace_median:,.0f}x trace_forward; reaches customers: "
            f"{'yes' if rep['links_customer_lines'] else 'no'} "
            f"(stops at the {rep.get('serials_total', 0):,} finished serials)",
        )
        total = rep.get("serials_total", 0)
        if rep["finished"]:
            line_out(
                "   ... + each serial's own report (to reach customers)",
                f"{rep['time']:,.1f} s",
                f"{rep['time'] / trace_median:,.0f}x trace_forward; {rep['serials']:,} reports, "
                f"{rep['customer_lines']:,} delivery lines",
            )
        else:
            done = rep["serials"]
            estimate = (rep["time"] - links) / done * total + links if done else float("inf")
            line_out(
                "   ... + each serial's own report (to reach customers)",
                "did not finish",
                f"{done:,} of {total:,} serials in {rep['time']:.0f} s "
                f"(about {estimate:,.0f} s for all, {estimate / trace_median:,.0f}x)",
            )


# ---------------------------------------------------------------------------------- JSON-2


class Json2Server:
    """An Odoo HTTP server on the suite database, and an API key of the administrator."""

    def __init__(self, odoo, port):
        self.odoo = odoo
        self.port = port
        with odoo.cursor() as cr:
            env = odoo.env(cr, ADMIN_UID)
            self.key = (
                env["res.users.apikeys"]
                .sudo()
                .with_user(ADMIN_UID)
                ._generate(
                    "rpc",
                    "trace_events benchmark",
                    datetime.datetime.now() + datetime.timedelta(days=1),
                )
            )
        from odoo.tools import config

        # the same signing key as this process (else the server would sign with a demo key)
        self.config = os.path.join(config.filestore(odoo.db), "trace_events_bench.conf")
        with open(self.config, "w", encoding="utf-8") as handle:
            handle.write(
                "[options]\naudit_seal_private_key_file = "
                f"{config['audit_seal_private_key_file']}\n"
            )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "odoo",
                "-c",
                self.config,
                "-d",
                odoo.db,
                f"--addons-path={ADDONS}",
                f"--http-port={port}",
                "--http-interface=127.0.0.1",
                "--max-cron-threads=0",
                "--log-level=warn",
                f"--db-filter=^{odoo.db}$",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import requests

        self.session = requests.Session()
        for _attempt in range(120):
            try:
                if self.session.get(self.url("/web/health"), timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        else:
            self.stop()
            raise RuntimeError("the Odoo HTTP server did not start")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def call(self, model, method, **params):
        tick = time.perf_counter()
        response = self.session.post(
            self.url(f"/json/2/{model}/{method}"),
            json=params,
            headers={"Authorization": f"bearer {self.key}", "X-Odoo-Database": self.odoo.db},
            timeout=600,
        )
        elapsed = time.perf_counter() - tick
        response.raise_for_status()
        return elapsed, response.json()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


# ---------------------------------------------------------------------------------- main


def describe(odoos, metas, generated):
    suite = odoos[0]
    with suite.cursor() as cr:
        counts = {}
        for table in (
            "trace_event",
            "trace_event_line",
            "stock_move_line",
            "stock_lot",
            "audit_seal_entry",
        ):
            cr.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cr.fetchone()[0]
        env = suite.env(cr)
        signer = env["audit.seal.key"]._seal_signer()
    meta = metas[0]
    print(
        f"\nsuite database {suite.db}: {counts['trace_event_line']:,} event lines in "
        f"{counts['trace_event']:,} events, {counts['stock_move_line']:,} move lines, "
        f"{counts['stock_lot']:,} lots/serials, {counts['audit_seal_entry']:,} ledger entries"
    )
    chain = meta["chain"]
    print(
        f"chain: component lot {meta['cell_lot_name']} -> {chain['orders']} manufacturing "
        f"orders -> serials -> {chain['deliveries']} delivery(ies) to {len(meta['distributors'])} "
        f"distributors -> {chain.get('onward_events', 0):,} captured onward shipments to "
        f"{len(meta['hospitals'])} hospitals"
    )
    background = meta["background"]
    print(
        f"background (bulk COPY, both databases): {background.get('stock_move_line', 0):,} move "
        f"lines, {background.get('stock_lot', 0):,} lots; suite only: "
        f"{background.get('trace_event', 0):,} events, {background.get('trace_event_line', 0):,} "
        f"event lines, "
        + ("sealed through the ledger append" if meta["sealed_background"] else "NOT sealed")
    )
    print(f"signing key: {'DEMO key' if signer.demo else 'key file ' + signer.path}")
    if generated:
        for odoo, meta in zip(odoos, metas, strict=True):
            timing = meta["timings"]
            print(
                f"generation of {odoo.db}: chain {timing['chain']:.0f} s, COPY "
                f"{timing['copy']:.0f} s, sealing {timing['seal']:.0f} s"
            )
    return counts


def main():
    args = parse_args()
    suite_db, plain_db = f"{args.db_prefix}_suite", f"{args.db_prefix}_plain"
    total_started = time.perf_counter()
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start "
        "(other processes on the machine skew every figure)"
    )
    if not args.reuse_db:
        prepare_dbs(suite_db, plain_db)
    config = setup_odoo(suite_db)
    odoos = (Odoo(suite_db), Odoo(plain_db))

    generated = False
    metas = [o.meta() for o in odoos]
    if not all(metas):
        print("generating (suite database first, then the plain one) ...", flush=True)
        started = time.perf_counter()
        metas = generate(odoos, args, metas)
        generated = True
        print(f"generation took {time.perf_counter() - started:.0f} s", flush=True)
    describe(odoos, metas, generated)

    print("\nmeasuring ...", flush=True)
    delivery_times, delivered = measure_deliveries(odoos, metas, args)
    print("  deliveries measured", flush=True)
    trace_results = measure_trace(odoos[0], metas[0], args)
    event_seal = measure_event_seal(odoos[0], args) if args.seal_rounds else None
    json2_trace, capture = measure_api(odoos[0], metas[0], delivered, args)
    capture_times, peak, json2_capture, seal_shares = capture or (None, None, None, ())

    print("\n" + "=" * 100)
    report_deliveries(delivery_times, args)
    if event_seal:
        report_event_seal(*event_seal)
    report_trace(trace_results, args, metas[0], json2_trace)
    if capture_times:
        report_capture(capture_times, peak, args, json2_capture, seal_shares)
    else:
        print("\n3. capture API: trace.event.capture is not available in this build")
    report_checks(odoos[0], args)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak RSS of this process: {rss:,.0f} MiB; total run "
        f"{time.perf_counter() - total_started:.0f} s; load average {os.getloadavg()[0]:.1f} at end"
    )

    if not args.keep_db:
        from odoo.sql_db import close_db

        for db in (suite_db, plain_db):
            close_db(db)
            subprocess.run(["dropdb", "--if-exists", db], check=False)
            subprocess.run(["rm", "-rf", config.filestore(db)], check=False)


def setup_odoo(suite_db):
    """Odoo's configuration, the suite database signing with a key file in its filestore
    (created on the first run)."""
    import odoo
    import odoo.modules.module
    from odoo.tools import config

    config.parse_config(["-d", suite_db, f"--addons-path={ADDONS}", "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()
    key_path = os.path.join(config.filestore(suite_db), "trace_events_bench_ed25519.pem")
    if not os.path.exists(key_path):
        from odoo.addons.audit_seal.lib.keys import generate_private_key_pem

        os.makedirs(os.path.dirname(key_path), exist_ok=True)
        with open(key_path, "wb") as handle:
            handle.write(generate_private_key_pem())
    config["audit_seal_private_key_file"] = key_path
    odoo.netsvc.init_logger()
    return config


def measure_api(suite, meta, delivered, args):
    """(JSON-2 trace times or None, capture figures or None): the trace over JSON-2 when
    ``--http-port`` is set, and the capture batches (3) when capture is available."""
    json2_trace = capture = None
    server = Json2Server(suite, args.http_port) if args.http_port else None
    try:
        if server:
            json2_trace = [
                server.call("trace.event", "trace_forward", lot_ids=[meta["cell_lot"]])[0]
                for _run in range(5)
            ]
        if capture_available(suite):
            capture = measure_capture(suite, meta, delivered, args, server)
    finally:
        if server:
            server.stop()
    return json2_trace, capture


def report_checks(suite, args):
    """The consistency check and the seal verification of the suite database, after the
    benchmarks."""
    with suite.cursor() as cr:
        result = suite.env(cr)["trace.event"].check_consistency()
    print(
        f"\nconsistency check (suite database, after the benchmarks): "
        f"{'ok' if result['ok'] else 'DIFFERENCES'} - {result['move_lines']:,} done move lines, "
        f"{result['event_lines']:,} event lines with a move line; missing {result['missing']}, "
        f"duplicated {result['duplicated']}, mismatched {result['mismatched']}, "
        f"orphans {result['orphans']}, holdings differing {result['holdings_mismatched']}"
    )
    with suite.cursor() as cr:
        tick = time.perf_counter()
        verified = suite.env(cr)["audit.seal.verification"]._seal_verify(
            check_records=args.verify_records
        )
        elapsed = time.perf_counter() - tick
    scope = "every sealed row re-checked" if args.verify_records else "hashes and signatures"
    outcome = "ok" if verified["ok"] else f"FAILED: {verified.get('reason')}"
    print(
        f"seal verification of the ledger ({scope}): {outcome} - "
        f"{verified['entries']:,} entries in {elapsed:.1f} s"
    )


if __name__ == "__main__":
    main()
