#!/usr/bin/env python3
"""Build the load databases on the load cluster (run by run_load.py; or by hand).

    python3 tests/load/build_db.py --port 5499 [--scale small|bench|10m]

Two databases, made by the benchmark generator (bench/bench_trace_events.py, imported, not
copied): ``load_suite`` with the suite (trace_events, partner_portal and what they depend on)
and ``load_plain`` with plain Odoo (stock, product_expiry, mrp, repair, helpdesk_mgmt,
portal), the same chain and background history in both (``--plain-chain``), then what the
load needs on top, in both databases where plain Odoo has it:

* component stock for manufacturing orders (one big lot of each component);
* an API key of the administrator (the fault scripts' checks and recall steps);
* a login per internal role of the mix (``loadlib.ROLES``: clerk, production, quality, the
  integration's API user) with the suite's groups (in plain Odoo, those of them that exist
  there), and an API key for those that call JSON-2 (``--roles-only`` adds them to an existing
  build);
* in the suite database: portal users of the three chain distributors (password
  ``portal-<n>``), and ``--campaigns`` approved recalls of chain serials, notified, so that each
  distributor has notices to acknowledge and report on.

The ids the locustfile needs go to ``var/load/meta.json``.

``--scale 10m`` builds measurement databases instead (suite only, no load extras; see
bench/README_10m.md): ``load_1m``, the benchmark's chain and 1,000,000 event lines, then
``load_10m``, a copy of it (``CREATE DATABASE ... TEMPLATE``) grown to 10,000,000 event lines
by the same generator (``Background``, COPY in chunks of ``--chunk-lines``, committed chunk by
chunk), its new events sealed through the ledger's own append and the holdings rebuilt. Both are
kept; ``--reuse-1m`` keeps an existing ``load_1m``; ``--lines`` changes the 10m target (a
trial of the rate).
"""

import argparse
import datetime
import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import loadlib  # noqa: E402

SCALES = {
    # serials of the chain, background event lines
    "small": (300, 20_000),
    "bench": (10_000, 1_000_000),
    "10m": (10_000, 10_000_000),
}
BASE_SERIALS_LINES = SCALES["bench"]
SUITE_MODULES = "trace_events,partner_portal"
PLAIN_MODULES = "stock,product_expiry,mrp,repair,helpdesk_mgmt,portal"
ADMIN_PASSWORD = "admin"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=5499, help="port of the load cluster")
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--campaigns", type=int, default=12, help="notified recalls")
    parser.add_argument("--seed", type=int, default=20251125)
    parser.add_argument(
        "--roles-only",
        action="store_true",
        help="only add the role logins to the databases of an existing build (var/load/meta.json)",
    )
    parser.add_argument("--db", default="load_10m", help="10m: the grown database")
    parser.add_argument("--base-db", default="load_1m", help="10m: the 1M database copied")
    parser.add_argument("--reuse-1m", action="store_true", help="10m: keep an existing base")
    parser.add_argument("--lines", type=int, default=None, help="10m: event lines to reach")
    parser.add_argument("--chunk-lines", type=int, default=500_000, help="10m: lines per COPY")
    return parser.parse_args()


def install(bench, db, modules):
    job = bench.install(db, modules)
    if job.wait():
        sys.exit(f"installing {modules} in {db} failed (run the command by hand to see why)")


def load_extras(odoo, meta, bench):
    """Component stock, the administrator's password and API key (both databases)."""
    stamp = datetime.date.today().strftime("%y%m")
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        admin = env["res.users"].browse(bench.ADMIN_UID)
        admin.password = ADMIN_PASSWORD
        bench.receive(
            env,
            meta["supplier"],
            [
                (meta["cell"], f"LOAD-LI{stamp}", 1_000_000),
                (meta["tubing"], f"LOAD-SIL{stamp}", 1_000_000),
            ],
        )
        key = (
            env["res.users.apikeys"]
            .with_user(admin)
            .sudo()
            ._generate("rpc", "load test", datetime.datetime.now() + datetime.timedelta(days=30))
        )
        if odoo.suite:
            manager = env.ref("udi_master.group_trace_manager")
            admin.group_ids = [(4, manager.id)]
        return {"api_key": key, "admin_password": ADMIN_PASSWORD}


def role_users(odoo):
    """A login per internal role of the mix, with its groups, its password ``<login>-pw`` and,
    for JSON-2 roles, an API key: ``{role: {login, password[, api_key]}}``."""
    accounts = {}
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        for role, (login, xmlids) in loadlib.ROLES.items():
            groups = [env.ref(xmlid, raise_if_not_found=False) for xmlid in xmlids]
            user = env["res.users"].search([("login", "=", login)])
            vals = {
                "name": f"Load {role}",
                "login": login,
                "password": f"{login}-pw",
                "group_ids": [(6, 0, [group.id for group in groups if group])],
            }
            if user:
                user.write(vals)
            else:
                user = env["res.users"].with_context(no_reset_password=True).create(vals)
            accounts[role] = {"login": login, "password": vals["password"]}
            if role in loadlib.API_ROLES:
                accounts[role]["api_key"] = (
                    env["res.users.apikeys"]
                    .with_user(user)
                    .sudo()
                    ._generate(
                        "rpc", "load test", datetime.datetime.now() + datetime.timedelta(days=30)
                    )
                )
    return accounts


def add_roles(bench):
    """``--roles-only``: the role logins added to the databases of an existing build."""
    meta = loadlib.meta()
    bench.setup_odoo(loadlib.SUITE_DB)
    for db, entry in meta["dbs"].items():
        entry["roles"] = role_users(bench.Odoo(db))
    loadlib.META.write_text(json.dumps(meta, indent=1))
    loadlib.say(f"role logins added to {', '.join(meta['dbs'])}")


def portal_users(odoo, meta):
    """One portal contact per chain distributor: [{login, password, partner}]."""
    users = []
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        portal = env.ref("base.group_portal")
        for number, distributor in enumerate(meta["distributors"]):
            partner = env["res.partner"].browse(distributor)
            partner.email = partner.email or f"quality{number}@distributor.example.com"
            contact = env["res.partner"].create(
                {
                    "name": f"Load contact {number}",
                    "parent_id": distributor,
                    "type": "contact",
                    "email": f"load{number}@distributor.example.com",
                }
            )
            login = f"load_portal_{number}"
            password = f"portal-{number}"
            env["res.users"].with_context(no_reset_password=True).create(
                {
                    "name": contact.name,
                    "login": login,
                    "password": password,
                    "partner_id": contact.id,
                    "group_ids": [(6, 0, portal.ids)],
                }
            )
            users.append({"login": login, "password": password, "partner": distributor})
    return users


def campaigns(odoo, meta, count):
    """``count`` approved and notified recalls, each of a slice of the chain serials."""
    from odoo import SUPERUSER_ID  # noqa: F401

    with odoo.cursor() as cr:
        env = odoo.env(cr)
        cr.execute(
            """
            SELECT ml.lot_id FROM stock_move_line ml
              JOIN stock_location d ON d.id = ml.location_dest_id
             WHERE ml.product_id = %s AND ml.state = 'done' AND d.usage = 'customer'
             ORDER BY ml.id
            """,
            [meta["pacemaker"]],
        )
        lots = [row[0] for row in cr.fetchall()]
    per = max(3, min(30, len(lots) // max(count, 1)))
    made = []
    for number in range(count):
        chunk = lots[number * per : (number + 1) * per]
        # a slice per distributor: the chain delivered in chunks, so take a spread
        chunk = lots[number::count][:per] or chunk
        with odoo.cursor() as cr:
            env = odoo.env(cr, bench_admin())
            campaign = env["recall.campaign"].create(
                {
                    "title": f"Load recall {number}",
                    "reason": "Load test: battery depletion indicator may trip early.",
                    "recall_class": "2",
                    "jurisdiction_ids": [(6, 0, env.ref("recall_mgmt.jurisdiction_nmpa").ids)],
                    "lot_ids": [(6, 0, chunk)],
                }
            )
            campaign.action_analyze_impact()
            action = campaign.action_approve()
            wizard = env["recall.sign.wizard"].browse(action["res_id"])
            wizard.password = ADMIN_PASSWORD
            wizard.action_sign()
            campaign.action_notify()
            made.append(campaign.id)
    with odoo.cursor() as cr:  # whatever went to the queue is sent now
        odoo.env(cr)["recall.campaign"]._cron_recall_send_notices(batch_size=200)
    return made


def bench_admin():
    return 2


def main():
    args = parse_args()
    cluster = loadlib.Cluster(port=args.port)
    cluster.use()
    import bench_trace_events as bench

    if args.roles_only:
        add_roles(bench)
        return
    if args.scale == "10m":
        import build_10m

        build_10m.build(bench, args, BASE_SERIALS_LINES)
        return

    started = time.perf_counter()
    odoos, metas = install_and_generate(bench, args)
    out = {"scale": args.scale, "dbs": {}}
    for odoo, meta in zip(odoos, metas, strict=True):
        out["dbs"][odoo.db] = db_entry(odoo, meta, bench, args)
    loadlib.META.write_text(json.dumps(out, indent=1))
    from odoo.sql_db import close_all

    close_all()
    loadlib.say(f"built in {time.perf_counter() - started:.0f} s; metadata in {loadlib.META}")


def install_and_generate(bench, args):
    """Both databases, installed afresh and filled by the benchmark generator: (odoos, metas)."""
    serials, lines = SCALES[args.scale]
    for db in (loadlib.SUITE_DB, loadlib.PLAIN_DB):
        bench.subprocess.run(["dropdb", "--if-exists", db], check=True)
    loadlib.say(f"installing {SUITE_MODULES} / {PLAIN_MODULES} (in parallel) ...")
    jobs = [
        bench.install(loadlib.SUITE_DB, SUITE_MODULES),
        bench.install(loadlib.PLAIN_DB, PLAIN_MODULES),
    ]
    for job in jobs:
        if job.wait():
            sys.exit("module installation failed (run the command by hand to see why)")
    config = bench.setup_odoo(loadlib.SUITE_DB)
    config["audit_seal_private_key_file"] = str(loadlib.signing_key())
    odoos = (bench.Odoo(loadlib.SUITE_DB), bench.Odoo(loadlib.PLAIN_DB))
    gen_args = SimpleNamespace(
        serials=serials,
        mo_size=min(100, serials),
        delivery_chunk=min(1000, max(1, serials // 3)),
        background_lines=lines,
        no_seal_background=False,
        plain_chain=True,
        seed=args.seed,
    )
    loadlib.say(f"generating: {serials:,} chain serials, {lines:,} event lines ...")
    return odoos, bench.generate(odoos, gen_args, [None, None])


def db_entry(odoo, meta, bench, args):
    """What the load mix and the fault scripts read of one database (var/load/meta.json)."""
    extra = load_extras(odoo, meta, bench)
    extra["roles"] = role_users(odoo)
    entry = {
        "pacemaker": meta["pacemaker"],
        "cell": meta["cell"],
        "tubing": meta["tubing"],
        "supplier": meta["supplier"],
        "distributors": meta["distributors"],
        "hospitals": meta["hospitals"],
        "cell_lot": meta.get("cell_lot"),
        **extra,
    }
    if odoo.suite:
        with odoo.cursor() as cr:
            env = odoo.env(cr)
            entry["distributor_glns"] = (
                env["res.partner"].browse(meta["distributors"]).mapped("udi_gln")
            )
            entry["hospital_glns"] = env["res.partner"].browse(meta["hospitals"]).mapped("udi_gln")
            cr.execute(
                "SELECT l.name FROM stock_lot l WHERE l.product_id = %s ORDER BY l.id LIMIT 2000",
                [meta["pacemaker"]],
            )
            entry["serial_names"] = [row[0] for row in cr.fetchall()]
            cr.execute("SELECT id FROM stock_lot ORDER BY random() LIMIT 500")
            entry["trace_lots"] = [row[0] for row in cr.fetchall()]
        entry["portal_users"] = portal_users(odoo, meta)
        entry["campaigns"] = campaigns(odoo, meta, args.campaigns)
    return entry


if __name__ == "__main__":
    main()
