#!/usr/bin/env python3
"""Benchmark of partner_portal: a distributor's recall notice page with 1,000 affected serials.

    python3 bench/bench_partner_portal.py                          # 1,000 serials, 25 requests
    python3 bench/bench_partner_portal.py --serials 5000 --requests 40
    python3 bench/bench_partner_portal.py --db portal_bench --keep-db   # keep it, then
    python3 bench/bench_partner_portal.py --db portal_bench --reuse-db  # measure again
    python3 bench/bench_partner_portal.py --template some_db        # copy a db that has the suite

What it does, in one run on one database (created fresh unless ``--reuse-db``; ``--template``
copies an existing database that has the suite's addons installed, which saves the install):

* data, through real Odoo flows: a serial-tracked implant with its UDI-DI, ``--serials``
  serials received from a supplier and delivered to one distributor (one receipt and one
  delivery, validated: trace events and seals included), a recall campaign of the device,
  analysed, approved with its electronic signature and notified, and a portal login for the
  distributor's quality contact;
* an Odoo HTTP server on ``--http-port`` (threaded, like ``odoo-bin`` without workers), the
  portal user signed in with ``requests``; after two warm-up rounds, ``--requests`` rounds of,
  interleaved: the portal home ``/my/home`` (a plain portal page, the baseline), the notice page
  ``/my/recalls/<id>`` (first page of units), a page further in the units
  (``/my/recalls/<id>/page/10``), and the list ``/my/recalls``; then ``--requests`` JSON-2 calls
  of ``recall.notice.portal_list`` with an API key of the portal user (every unit in the
  answer).

Figures: per page, the median and 90th percentile of the server time (Odoo's own per-request
performance log: SQL time + Python time, from the request's start until its response is
written), the number of SQL queries, the wall time seen by the client, and the ratio of the
notice page's median server time to the portal home's measured in the same run. Target: median
server time of the notice page under 300 ms. No assertion is made; every figure is printed.
Run it on an idle machine: other processes skew the times.
"""

import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"
META_KEY = "partner_portal_bench.meta"
PORTAL_LOGIN, PORTAL_PASSWORD = "bench_distributor", "bench-distributor-pw"
MANAGER_LOGIN, MANAGER_PASSWORD = "bench_qm", "bench-qm-pw"
TARGET_MS = 300
LOG_LINE = re.compile(
    r'"(?P<method>GET|POST) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) \S+ '
    r"(?P<queries>\d+) (?P<sql>[\d.]+) (?P<python>[\d.]+)"
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--db", default="partner_portal_bench", help="database (dropped unless --keep-db)")
    add("--template", help="create the database as a copy of this one (must have the suite)")
    add("--serials", type=int, default=1000, help="serials shipped to the distributor")
    add("--requests", type=int, default=25, help="measured requests per page (>= 20)")
    add("--http-port", type=int, default=18969, help="port of the measured Odoo server")
    add("--reuse-db", action="store_true", help="reuse the database and its generated data")
    add("--keep-db", action="store_true", help="do not drop the database")
    return parser.parse_args()


def gtin(base13):
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(base13))
    return base13 + str((10 - total % 10) % 10)


def gln(base12):
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(base12))
    return base12 + str((10 - total % 10) % 10)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# ---------------------------------------------------------------------------------- database


def odoo_cmd(db, *extra):
    return [
        sys.executable,
        "-m",
        "odoo",
        "-d",
        db,
        f"--addons-path={ADDONS}",
        "--max-cron-threads=0",
        *extra,
    ]


def prepare_db(args):
    subprocess.run(["dropdb", "--if-exists", args.db], check=True)
    started = time.perf_counter()
    if args.template:
        subprocess.run(["createdb", "-T", args.template, args.db], check=True)
        print(f"copied {args.template} to {args.db}; installing partner_portal ...", flush=True)
        command = odoo_cmd(
            args.db,
            "-i",
            "partner_portal",
            "-u",
            "partner_portal",
            "--stop-after-init",
            "--log-level=warn",
            "--http-port=0",
        )
    else:
        print(f"creating {args.db} with partner_portal (and the suite) ...", flush=True)
        command = odoo_cmd(
            args.db,
            "-i",
            "partner_portal",
            "--stop-after-init",
            "--log-level=warn",
            "--http-port=0",
        )
    if subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
        sys.exit("installation failed (run the command by hand to see why): " + " ".join(command))
    print(f"ready in {time.perf_counter() - started:.0f} s", flush=True)


# ---------------------------------------------------------------------------------- data


def transfer(env, picking_type, partner, source, dest, product, lines):
    """A validated transfer of ``lines`` [(lot or lot name, qty)] of one product."""
    picking = env["stock.picking"].create(
        {
            "picking_type_id": picking_type.id,
            "partner_id": partner.id,
            "location_id": source.id,
            "location_dest_id": dest.id,
            "move_ids": [
                (
                    0,
                    0,
                    {
                        "product_id": product.id,
                        "product_uom_qty": sum(qty for _lot, qty in lines),
                        "location_id": source.id,
                        "location_dest_id": dest.id,
                    },
                )
            ],
        }
    )
    picking.action_confirm()
    picking.move_ids.move_line_ids.unlink()
    move = picking.move_ids
    env["stock.move.line"].create(
        [
            {
                "move_id": move.id,
                "picking_id": picking.id,
                "product_id": product.id,
                "quantity": qty,
                "location_id": source.id,
                "location_dest_id": dest.id,
                **({"lot_name": lot} if isinstance(lot, str) else {"lot_id": lot.id}),
            }
            for lot, qty in lines
        ]
    )
    picking.move_ids.picked = True
    result = picking.with_context(skip_expired=True, skip_backorder=True).button_validate()
    if picking.state != "done":
        raise RuntimeError(f"{picking.name} was not validated: {result}")
    return picking


def generate(env, serials):
    """Device, parties, logins, the shipments and a notified recall; returns the meta."""
    timings = {}
    started = time.perf_counter()
    company_partner = env.company.partner_id
    if not company_partner.udi_gln:
        company_partner.udi_gln = gln("690123499001")
    suffix = f"{int(time.time()) % 100000:05d}"
    product = create_device(env, suffix)
    supplier, distributor, portal_user, manager = create_people(env)
    names = [f"BSN{suffix}{number:06d}" for number in range(1, serials + 1)]
    ship(env, product, supplier, distributor, names)
    timings["shipments"] = time.perf_counter() - started
    started = time.perf_counter()
    notice = notified_recall(env, manager, product, distributor)
    timings["recall"] = time.perf_counter() - started
    return {
        "notice_id": notice.id,
        "portal_uid": portal_user.id,
        "units": len(notice.line_ids),
        "timings": timings,
    }


def create_device(env, suffix):
    """A serial-tracked implant with its base UDI-DI."""
    return (
        env["product.template"]
        .create(
            {
                "name": f"Dual-chamber pacemaker (bench {suffix})",
                "is_storable": True,
                "tracking": "serial",
                "udi_regulated": True,
                "udi_pi_serial": True,
                "udi_implantable": True,
                "udi_di_ids": [
                    (0, 0, {"di": gtin(f"06901234{suffix}"), "packaging_level": "base"})
                ],
            }
        )
        .product_variant_id
    )


def create_people(env):
    """(supplier, distributor, portal user of its quality contact, quality manager)."""
    from odoo.tests import new_test_user

    roles = env.ref
    supplier = env["res.partner"].create(
        {
            "name": "Bench Components Supplier",
            "is_company": True,
            "udi_role_ids": [(6, 0, roles("udi_master.partner_role_supplier").ids)],
        }
    )
    distributor = env["res.partner"].create(
        {
            "name": "Huadong Medical Distribution Co., Ltd. (bench)",
            "is_company": True,
            "email": "recall@huadong-bench.example.com",
            "udi_role_ids": [(6, 0, roles("udi_master.partner_role_distributor").ids)],
            "udi_licence_number": "BENCH-LICENCE-0001",
            "udi_licence_expiry": datetime.date.today() + datetime.timedelta(days=365),
        }
    )
    contact = env["res.partner"].create(
        {
            "name": "Zhang Min (bench)",
            "parent_id": distributor.id,
            "type": "contact",
            "email": "zhang.min@huadong-bench.example.com",
        }
    )
    portal_user = new_test_user(
        env,
        PORTAL_LOGIN,
        groups="base.group_portal",
        password=PORTAL_PASSWORD,
        partner_id=contact.id,
        email=contact.email,
        name="Zhang Min (bench)",
    )
    manager = new_test_user(
        env,
        MANAGER_LOGIN,
        password=MANAGER_PASSWORD,
        name="Li Na (bench)",
        groups="base.group_user,udi_master.group_trace_manager,stock.group_stock_manager",
    )
    return supplier, distributor, portal_user, manager


def ship(env, product, supplier, distributor, names):
    """The serials ``names`` received from the supplier, then delivered to the distributor."""
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    stock = warehouse.lot_stock_id
    transfer(
        env,
        warehouse.in_type_id,
        supplier,
        env.ref("stock.stock_location_suppliers"),
        stock,
        product,
        [(name, 1) for name in names],
    )
    lots = env["stock.lot"].search([("product_id", "=", product.id)])
    transfer(
        env,
        warehouse.out_type_id,
        distributor,
        stock,
        env.ref("stock.stock_location_customers"),
        product,
        [(lot, 1) for lot in lots],
    )


def notified_recall(env, manager, product, distributor):
    """A recall of ``product`` analysed, signed and notified by ``manager``: the notice of the
    distributor."""
    campaign = (
        env["recall.campaign"]
        .with_user(manager)
        .create(
            {
                "title": "Pacemaker header seal may leak",
                "reason": "Header seal leaks under body fluid ingress (complaints C-201 to C-207).",
                "recall_class": "1",
                "jurisdiction_ids": [(6, 0, env.ref("recall_mgmt.jurisdiction_nmpa").ids)],
                "product_ids": [(6, 0, product.ids)],
                "action_return": True,
            }
        )
    )
    campaign.action_analyze_impact()
    wizard = (
        env["recall.sign.wizard"].with_user(manager).browse(campaign.action_approve()["res_id"])
    )
    wizard.password = MANAGER_PASSWORD
    wizard.action_sign()
    campaign.action_notify()
    return campaign.notice_ids.filtered(lambda n: n.partner_id == distributor)


# ---------------------------------------------------------------------------------- server


class Server:
    """``odoo`` serving the database on ``port``, its log (with per-request perf) in a file."""

    def __init__(self, db, port):
        self.port = port
        self.log = tempfile.NamedTemporaryFile(
            prefix="bench_partner_portal_", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(
            odoo_cmd(
                db,
                f"--http-port={port}",
                "--http-interface=127.0.0.1",
                f"--db-filter=^{db}$",
                "--log-level=warn",
                "--log-handler=werkzeug:INFO",
            ),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        import requests

        self.session = requests.Session()
        for _attempt in range(240):
            try:
                if self.session.get(self.url("/web/health"), timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        self.stop()
        sys.exit(f"the Odoo server did not start (log: {self.log.name})")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def login(self, login, password):
        page = self.session.get(self.url("/web/login"), timeout=30)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.session.post(
            self.url("/web/login"),
            data={"login": login, "password": password, "csrf_token": token},
            timeout=30,
        )
        if "/web/login" in response.url and "session_id" not in self.session.cookies:
            sys.exit("the portal user could not sign in")

    def get(self, path):
        tick = time.perf_counter()
        response = self.session.get(self.url(path), timeout=60, allow_redirects=False)
        elapsed = time.perf_counter() - tick
        if response.status_code != 200:
            sys.exit(f"GET {path}: HTTP {response.status_code}")
        return elapsed, response

    def json2(self, key, db, model, method, **params):
        import requests

        tick = time.perf_counter()
        response = requests.post(
            self.url(f"/json/2/{model}/{method}"),
            json=params,
            timeout=120,
            headers={"Authorization": f"bearer {key}", "X-Odoo-Database": db},
        )
        elapsed = time.perf_counter() - tick
        response.raise_for_status()
        return elapsed, response.json()

    def perf_lines(self):
        """[(method, path, status, queries, sql seconds, python seconds)] from the log."""
        self.log.flush()
        with open(self.log.name, encoding="utf-8", errors="replace") as handle:
            text = re.sub(r"\x1b\[[0-9;]*m", "", handle.read())
        return [
            (
                m["method"],
                m["path"],
                int(m["status"]),
                int(m["queries"]),
                float(m["sql"]),
                float(m["python"]),
            )
            for m in LOG_LINE.finditer(text)
        ]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


# ---------------------------------------------------------------------------------- report


def report(label, server_rows, walls):
    """One line: median / p90 server time, queries, median wall time."""
    totals = [sql + python for _q, sql, python in server_rows]
    queries = statistics.median(q for q, _sql, _python in server_rows)
    sql = statistics.median(sql for _q, sql, _python in server_rows)
    median = statistics.median(totals)
    print(
        f"{label:<44} {median * 1000:>9.1f} {percentile(totals, 0.9) * 1000:>9.1f} "
        f"{sql * 1000:>9.1f} {queries:>8.0f} {statistics.median(walls) * 1000:>9.1f}"
    )
    return median


def main():
    args = parse_args()
    args.requests = max(args.requests, 20)
    if not args.reuse_db:
        prepare_db(args)
    registry, meta, key = load_data(args)
    notice_url = f"/my/recalls/{meta['notice_id']}"
    pages = {
        "/my/home": "portal home /my/home (baseline)",
        notice_url: f"notice page {notice_url} (units 1-50)",
        f"{notice_url}/page/10": f"notice page, units page 10 of {meta['units'] // 50}",
        "/my/recalls": "notice list /my/recalls",
    }
    print(
        f"notice with {meta['units']:,} affected serials; {os.cpu_count()} CPUs, load "
        f"average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    server = Server(args.db, args.http_port)
    try:
        server.login(PORTAL_LOGIN, PORTAL_PASSWORD)
        walls, measured = measure_pages(server, pages, notice_url, args.requests)
        json2 = measure_json2(server, key, args)
    finally:
        server.stop()
    print_figures(args, pages, notice_url, measured, walls, json2)
    close(registry, args, server.log.name)


def close(registry, args, log_name):
    """Close the database, then drop it and the server log unless ``--keep-db``."""
    import odoo

    registry.__class__.delete(args.db)
    odoo.sql_db.close_db(args.db)
    if args.keep_db:
        print(f"(server log with the per-request figures: {log_name})")
    else:
        subprocess.run(["dropdb", "--if-exists", args.db], check=False)
        os.unlink(log_name)


def load_data(args):
    """(registry, meta of the generated data, API key of the portal user): the data is
    generated unless the database holds it already."""
    import odoo
    import odoo.modules.module
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-d", args.db, f"--addons-path={ADDONS}", "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()
    odoo.netsvc.init_logger()
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        raw = env["ir.config_parameter"].get_param(META_KEY)
        meta = json.loads(raw) if raw else None
        if not meta:
            print(
                f"generating {args.serials:,} serials, their shipments and the recall ...",
                flush=True,
            )
            meta = generate(env, args.serials)
            env["ir.config_parameter"].set_param(META_KEY, json.dumps(meta))
            print(
                "generated: shipments {shipments:.0f} s, recall {recall:.0f} s".format(
                    **meta["timings"]
                ),
                flush=True,
            )
        portal_user = env["res.users"].browse(meta["portal_uid"])
        key = (
            env["res.users.apikeys"]
            .with_user(portal_user)
            .sudo()
            ._generate(None, "bench", datetime.datetime.now() + datetime.timedelta(days=1))
        )
    return registry, meta, key


def measure_pages(server, pages, notice_url, requests):
    """({path: [wall seconds]}, server log lines of the measured requests): two warm-up rounds,
    then ``requests`` rounds of every page, interleaved."""
    walls = {path: [] for path in pages}
    for _round in range(2):  # warm-up: caches, QWeb compilation, assets
        for path in pages:
            server.get(path)
    _first, response = server.get(notice_url)
    if "o_recall_units" not in response.text or "o_recall_acknowledge_form" not in (response.text):
        sys.exit("the notice page does not show the units and the acknowledgement form")
    before = len(server.perf_lines())
    for _round in range(requests):
        for path in pages:
            walls[path].append(server.get(path)[0])
    return walls, server.perf_lines()[before:]


def measure_json2(server, key, args):
    """(wall seconds, units listed, server log lines) of ``--requests`` JSON-2 calls of
    ``recall.notice.portal_list`` as the portal user, after one warm-up call."""
    walls = []
    server.json2(key, args.db, "recall.notice", "portal_list")  # warm-up
    for _round in range(args.requests):
        elapsed, result = server.json2(key, args.db, "recall.notice", "portal_list")
        walls.append(elapsed)
    units_listed = sum(len(notice["units"]) for notice in result)
    lines = [line for line in server.perf_lines() if "portal_list" in line[1]][1:]
    return walls, units_listed, lines


def print_figures(args, pages, notice_url, measured, walls, json2):
    """The table of server and wall times per page, the JSON-2 line and the target."""
    json2_walls, units_listed, json2_lines = json2
    by_path = {path: [] for path in pages}
    for method, path, status, queries, sql, python in measured:
        if method == "GET" and path in by_path and status == 200:
            by_path[path].append((queries, sql, python))
    print("\n" + "=" * 96)
    print(
        f"{'page (' + str(args.requests) + ' requests each)':<44} {'median':>9} {'p90':>9} "
        f"{'SQL':>9} {'queries':>8} {'wall':>9}"
    )
    print(f"{'':<44} {'server ms':>9} {'server ms':>9} {'ms':>9} {'':>8} {'ms':>9}")
    medians = {path: report(label, by_path[path], walls[path]) for path, label in pages.items()}
    json2_rows = [(q, sql, python) for _m, _p, _s, q, sql, python in json2_lines]
    if json2_rows:
        report(f"JSON-2 portal_list ({units_listed:,} units)", json2_rows, json2_walls)
    notice_median = medians[notice_url]
    print("=" * 96)
    print(
        f"notice page / portal home, median server time: {notice_median / medians['/my/home']:.2f}x"
    )
    verdict = "MET" if notice_median * 1000 < TARGET_MS else "NOT MET"
    print(
        f"target: median server time of the notice page < {TARGET_MS} ms -> "
        f"{notice_median * 1000:.1f} ms: {verdict}"
    )


if __name__ == "__main__":
    main()
