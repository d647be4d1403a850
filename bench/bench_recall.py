#!/usr/bin/env python3
"""Benchmark of recall_mgmt: impact analysis and all notices of a component-lot recall at scale.

    python3 bench/bench_recall.py                  # 10,000 serials, 500 consignees, 1,000,000 lines
    python3 bench/bench_recall.py --quick          # 1,000 serials, 50 consignees, 100,000 lines
    python3 bench/bench_recall.py --keep-db        # keep the database ...
    python3 bench/bench_recall.py --reuse-db       # ... and skip generation next time
    python3 bench/bench_recall.py --db h8_recall_bench --http-port 19069
    python3 bench/bench_recall.py --reuse-db --profile      # + cProfile of the timed phase

One database (``--db``) with recall_mgmt (and so trace_events, udi_master, audit_seal), signing
with a key file kept in its filestore (not demo mode).

Generation (``--reuse-db`` skips it when the database holds generated data already):

* the chain that matters, through real Odoo flows (functions of ``bench_trace_events.py``):
  one lithium-cell lot and ten tubing lots received from a supplier; manufacturing orders of
  ``--mo-size`` pacemaker serials each (Odoo's serial wizard, ``button_mark_done``), every one
  consuming the cell lot, ``--serials`` serials in all; ``--consignees`` consignee companies
  (``--multi-address`` of them with two or three delivery addresses), each shipped a seeded
  random share of the serials, one validated delivery per delivery address. The rest of the
  cell lot stays in our stock, so the recall also quarantines it;
* background history written in bulk with PostgreSQL COPY by ``bench_trace_events``'s
  generator (other lots, serials and catheters received, manufactured, shipped, returned,
  shipped onward; done move lines, component links, events and event lines), sized so that
  the database holds ``--background-lines`` event lines, then sealed through the ledger's
  append (unless ``--no-seal-background``).

Measurement, as the quality manager (a normal user with a password, not the superuser), each
run in one transaction that is rolled back at the end (so the database stays as generated and
the bench can be run again):

1. impact + notices: a campaign scoped on the cell lot is created, ``action_analyze_impact()``,
   the approval signed through the signature wizard (password re-entry, ``_recall_sign``) which
   calls ``_recall_approve`` (deadlines, quarantine of our stock with a transfer to the
   quarantine location, one draft notice per consignee company), then the flush with the
   pre-commit hooks (chatter tracking) and the ledger append of the signature, logs and holding
   event: everything a commit does before COMMIT itself. ``--runs`` timed runs (median
   printed), then one more under ``tracemalloc`` for the peak memory. Target: < 10 s.
2. sending: ``action_notify()`` on the approved campaign of the last timed run, then (over 20
   notices the button queues them) the sending job's work without its commits: each notice is
   mailed with its PDF (``recall_mgmt.action_report_recall_notice``, rendered by wkhtmltopdf,
   whose assets are served by an Odoo HTTP server started on ``--http-port``); the time spent
   in wkhtmltopdf is measured separately. Mails are queued (``mail.mail``), never sent: the
   transaction is rolled back. ``--notify-limit N`` sends only the first N notices (and says
   so); ``--no-notify`` skips this phase.

Every figure is printed; no assertion is made. Wall times depend on the machine and its load.
"""

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_trace_events as chain  # noqa: E402  (the chain generator, reused as is)

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"
MODULES = "recall_mgmt"
META_KEY = "recall_bench.meta"
MANAGER_LOGIN = "bench_recall_qm"
MANAGER_PASSWORD = "bench-qm-password"
TARGET_SECONDS = 10.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--db", default="recall_bench", help="database name")
    add("--serials", type=int, default=10000, help="serials made from the recalled cell lot")
    add("--consignees", type=int, default=500, help="consignee companies shipped to")
    add("--multi-address", type=float, default=0.2, help="share of consignees with 2-3 addresses")
    add("--mo-size", type=int, default=100, help="serials per manufacturing order")
    add("--background-lines", type=int, default=1_000_000, help="event lines to reach")
    add("--no-seal-background", action="store_true", help="leave bulk events unsealed")
    add("--runs", type=int, default=3, help="timed runs of impact + notices")
    add("--notify-limit", type=int, default=0, help="notices sent in phase 2 (0: all)")
    add("--no-notify", action="store_true", help="skip phase 2 (sending with PDFs)")
    add("--http-port", type=int, default=19069, help="Odoo server serving the PDF assets")
    add("--profile", action="store_true", help="cProfile one more run of impact + notices")
    add("--quick", action="store_true", help="small run: 1,000 serials, 50 consignees")
    add("--reuse-db", action="store_true", help="reuse a kept database, skip generation")
    add("--keep-db", action="store_true", help="do not drop the database")
    add("--seed", type=int, default=20251125, help="random seed")
    args = parser.parse_args()
    if args.quick:
        args.serials = min(args.serials, 1000)
        args.consignees = min(args.consignees, 50)
        args.background_lines = min(args.background_lines, 100_000)
    args.mo_size = max(1, min(args.mo_size, args.serials))
    args.consignees = max(1, min(args.consignees, args.serials))
    return args


line_out = chain.line_out


def meta_of(odoo, value=None):
    with odoo.cursor() as cr:
        params = odoo.env(cr)["ir.config_parameter"]
        if value is not None:
            params.set_param(META_KEY, json.dumps(value))
            return value
        raw = params.get_param(META_KEY)
    return json.loads(raw) if raw else None


# ---------------------------------------------------------------------------------- generation


def create_consignees(odoo, args, rng):
    """``--consignees`` companies (GLN, e-mail, licence), some with several delivery addresses.

    Returns ``[[company id, [delivery address ids]]]``; a company without address child is
    shipped to directly.
    """
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        role_ids = env.ref("udi_master.partner_role_distributor").ids
        hospital_ids = env.ref("udi_master.partner_role_healthcare").ids
        expiry = datetime.date.today() + datetime.timedelta(days=1000)
        companies = env["res.partner"].create(
            [
                {
                    "name": f"Consignee {number:04d} Medical Co., Ltd.",
                    "is_company": True,
                    "email": f"quality@consignee{number:04d}.example.com",
                    "udi_gln": chain.gln(f"6901235{number:05d}"),
                    "udi_role_ids": [(6, 0, role_ids if number % 3 else hospital_ids)],
                    "udi_licence_number": f"LIC-C{number:04d}",
                    "udi_licence_expiry": expiry,
                }
                for number in range(args.consignees)
            ]
        )
        result = []
        address_vals = []
        for company in companies:
            count = rng.choice((2, 3)) if rng.random() < args.multi_address else 0
            address_vals += [
                {
                    "name": f"{company.name}, warehouse {k + 1}",
                    "type": "delivery",
                    "parent_id": company.id,
                    "street": f"{rng.randrange(1, 999)} Logistics Road {k + 1}",
                }
                for k in range(count)
            ]
            result.append([company.id, count])
        addresses = iter(env["res.partner"].create(address_vals).ids)
        return [
            [company_id, [next(addresses) for _k in range(count)]] for company_id, count in result
        ]


def split(total, parts, rng):
    """``total`` units in ``parts`` random positive shares (seeded)."""
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, total]
    return [b - a for a, b in zip(bounds, bounds[1:], strict=False)]


def build_chain(odoo, args, meta, rng):
    """Cell lot received, serials manufactured from it, shipped to every delivery address."""
    stamp = datetime.date.today().strftime("%y%m")
    meta["cell_lot_name"] = f"LI{stamp}-R001"
    kept = max(10, args.serials // 200)  # cells left in our stock (quarantined by the recall)
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        tubing_lots = 10
        per_tubing = -(-args.serials // tubing_lots)
        chain.receive(
            env,
            meta["supplier"],
            [(meta["cell"], meta["cell_lot_name"], args.serials + kept)]
            + [
                (meta["tubing"], f"SIL{stamp}-R{i + 1:02d}", per_tubing) for i in range(tubing_lots)
            ],
        )
        meta["cell_lot"] = (
            env["stock.lot"]
            .search([("product_id", "=", meta["cell"]), ("name", "=", meta["cell_lot_name"])])
            .id
        )
        meta["manager"] = create_manager(env)
        meta["quarantine_location"] = (
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
    started = time.perf_counter()
    done = orders = 0
    while done < args.serials:
        qty = min(args.mo_size, args.serials - done)
        with odoo.cursor() as cr:
            chain.manufacture(odoo.env(cr), meta["pacemaker"], qty, f"PMR-{stamp}-{done + 1:06d}")
        done += qty
        orders += 1
        if orders % 10 == 0:
            print(
                f"    {orders} manufacturing orders, {done:,} serials "
                f"({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    # every consignee gets a share of the serials, split over its delivery addresses
    shares = split(args.serials, len(meta["consignees"]), rng)
    plan = []
    for (company_id, addresses), share in zip(meta["consignees"], shares, strict=True):
        targets = addresses or [company_id]
        parts = split(share, min(len(targets), share), rng)
        plan += list(zip(targets, parts, strict=False))
    rng.shuffle(plan)
    started = time.perf_counter()
    for number, (partner_id, qty) in enumerate(plan, 1):
        with odoo.cursor() as cr:
            env = odoo.env(cr)
            chain.validate(chain.prepare_delivery(env, partner_id, meta["pacemaker"], qty))
        if number % 100 == 0:
            print(
                f"    {number} / {len(plan)} deliveries ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    meta["chain"] = {"orders": orders, "deliveries": len(plan), "kept_cells": kept}


def create_manager(env):
    """The quality manager who signs (password known to the bench)."""
    user = env["res.users"].create(
        {
            "name": "Bench Quality Manager",
            "login": MANAGER_LOGIN,
            "password": MANAGER_PASSWORD,
            "email": "qm@maker.example.com",
            "group_ids": [
                (
                    6,
                    0,
                    [
                        env.ref("base.group_user").id,
                        env.ref("udi_master.group_trace_manager").id,
                        env.ref("stock.group_stock_manager").id,
                    ],
                )
            ],
        }
    )
    return user.id


def generate(odoo, args):
    rng = random.Random(args.seed)
    timings = {}
    started = time.perf_counter()
    meta = chain.create_master_data(odoo)
    meta["consignees"] = create_consignees(odoo, args, rng)
    print("  chain (real flows) ...", flush=True)
    build_chain(odoo, args, meta, rng)
    timings["chain"] = time.perf_counter() - started
    lines = chain.background_size(odoo, args)
    print(f"  background history (COPY, {lines:,} event lines) ...", flush=True)
    started = time.perf_counter()
    master = chain.background_master(odoo)
    counts, (first_event, events) = chain.generate_background(odoo, args, master, lines)
    timings["copy"] = time.perf_counter() - started
    timings["seal"] = 0
    if events and not args.no_seal_background:
        print("  sealing the background events ...", flush=True)
        started = time.perf_counter()
        chain.seal_background(odoo, first_event, events)
        timings["seal"] = time.perf_counter() - started
    subprocess.run(["psql", "-q", "-d", odoo.db, "-c", "VACUUM ANALYZE"], check=True)
    meta["background"] = counts
    meta["sealed_background"] = bool(events and not args.no_seal_background)
    meta["timings"] = timings
    return meta_of(odoo, meta)


def describe(odoo, meta, generated):
    with odoo.cursor() as cr:
        counts = {}
        for table in (
            "trace_event",
            "trace_event_line",
            "stock_move_line",
            "stock_lot",
            "audit_seal_entry",
            "res_partner",
        ):
            cr.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cr.fetchone()[0]
        signer = odoo.env(cr)["audit.seal.key"]._seal_signer()
    chain_meta = meta["chain"]
    several = sum(1 for _company, addresses in meta["consignees"] if addresses)
    print(
        f"chain (real Odoo flows): cell lot {meta['cell_lot_name']} -> "
        f"{chain_meta['orders']} manufacturing orders -> serials -> "
        f"{chain_meta['deliveries']:,} deliveries (one per delivery address) to "
        f"{len(meta['consignees']):,} consignee companies ({several} of them with several "
        f"delivery addresses); {chain_meta['kept_cells']} cells left in our stock"
    )
    background = meta["background"]
    print(
        f"background (bulk COPY by bench_trace_events' generator, not real flows): "
        f"{background.get('trace_event_line', 0):,} event lines, "
        f"{background.get('stock_move_line', 0):,} move lines, "
        f"{background.get('stock_lot', 0):,} lots; "
        + ("sealed through the ledger append" if meta["sealed_background"] else "NOT sealed")
    )
    print(f"signing key: {'DEMO key' if signer.demo else 'key file ' + signer.path}")
    if generated:
        t = meta["timings"]
        print(
            f"generation: chain {t['chain']:.0f} s, COPY {t['copy']:.0f} s, "
            f"sealing {t['seal']:.0f} s"
        )
    return counts


# ---------------------------------------------------------------------------------- measurement


class Phases:
    """Wall time and SQL queries of named phases of one run."""

    def __init__(self, cr):
        self.cr = cr
        self.rows = {}

    @contextmanager
    def __call__(self, name):
        queries = self.cr.sql_log_count
        started = time.perf_counter()
        yield
        self.rows[name] = (time.perf_counter() - started, self.cr.sql_log_count - queries)

    def total(self):
        return sum(seconds for seconds, _queries in self.rows.values())


def manager_env(odoo, cr, meta):
    from odoo import api

    return api.Environment(cr, meta["manager"], {})


def impact_and_notices(env, meta, phases):
    """The timed phase: create, analyse, sign + approve (quarantine, notices), flush."""
    with phases("create the campaign"):
        campaign = env["recall.campaign"].create(
            {
                "title": "Lithium cell may short-circuit",
                "reason": f"Supplier notice: separator defect in cell lot {meta['cell_lot_name']}.",
                "recall_class": "1",
                "jurisdiction_ids": [(6, 0, env["recall.jurisdiction"].search([]).ids)],
                "component_lot_ids": [(6, 0, [meta["cell_lot"]])],
                "quarantine_location_id": meta["quarantine_location"],
                "action_return": True,
            }
        )
    with phases("action_analyze_impact()"):
        campaign.action_analyze_impact()
    with phases("signature (wizard opened, password checked)"):
        campaign.action_approve()  # what the button does: checks, opens the wizard
        signature = env["recall.signature"]._recall_sign(campaign, "approve", MANAGER_PASSWORD)
    with phases("_recall_approve (deadlines, quarantine, notices)"):
        campaign._recall_approve(signature)
    with phases("flush + pre-commit hooks (tracking) + the seal's append"):
        env["audit.seal.entry"]._seal_run_pending()  # what the commit runs before COMMIT
    return campaign


def run_impact(odoo, meta, traced=False, profiler=None):
    with odoo.cursor() as cr:
        env = manager_env(odoo, cr, meta)
        phases = Phases(cr)
        peak = None
        if traced:
            tracemalloc.start()
        if profiler:
            profiler.enable()
        try:
            campaign = impact_and_notices(env, meta, phases)
        finally:
            if profiler:
                profiler.disable()
            if traced:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
        figures = campaign_figures(campaign)
        cr.rollback()
    return phases, figures, peak


def campaign_figures(campaign):
    lines = campaign.line_ids
    partner_lines = lines.filtered(lambda line: line.holder_type == "partner")
    start = campaign.component_lot_ids | campaign.lot_ids
    return {
        "serials": len(campaign.scope_lot_ids - start),
        "lines": len(lines),
        "partner_lines": len(partner_lines),
        "own_lines": len(lines) - len(partner_lines),
        "addresses": len(partner_lines.partner_id),
        "consignees": len(partner_lines.commercial_partner_id),
        "notices": len(campaign.notice_ids),
        "units_shipped": campaign.units_shipped,
        "units_in_own_stock": campaign.units_in_own_stock,
        "quarantined": len(campaign.quarantine_ids),
        "quarantine_transfers": campaign.env["stock.picking"].search_count(
            [("recall_campaign_id", "=", campaign.id)]
        ),
        "deadlines": len(campaign.deadline_ids),
        "state": campaign.state,
    }


class WkhtmltopdfClock:
    """Time spent in ``ir.actions.report._run_wkhtmltopdf`` (patched in this process only)."""

    def __init__(self, registry):
        self.model = registry["ir.actions.report"]
        self.original = self.model._run_wkhtmltopdf
        self.seconds = 0.0
        self.calls = 0

    def __enter__(self):
        clock = self
        original = self.original

        def timed(self, *args, **kwargs):
            started = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                clock.seconds += time.perf_counter() - started
                clock.calls += 1

        self.model._run_wkhtmltopdf = timed
        return self

    def __exit__(self, *exc):
        self.model._run_wkhtmltopdf = self.original


def run_notify(odoo, meta, args, port):
    """Approve as in phase 1 (not timed), then time the sending; rolled back."""
    with odoo.cursor() as cr:
        env = manager_env(odoo, cr, meta)
        if port:
            env["ir.config_parameter"].sudo().set_param("report.url", f"http://127.0.0.1:{port}")
        campaign = impact_and_notices(env, meta, Phases(cr))
        notices = campaign.notice_ids.sorted("id")
        limit = args.notify_limit if 0 < args.notify_limit < len(notices) else len(notices)
        cr.execute("SELECT coalesce(max(id), 0) FROM mail_mail")
        last_mail = cr.fetchone()[0]
        phases = Phases(cr)
        with WkhtmltopdfClock(odoo.registry) as pdf:
            with phases("send"):
                if limit == len(notices):
                    campaign.action_notify()
                    # over 20 notices the button queues them for the sending job: do its
                    # work here (its batches without their commits)
                    env["recall.campaign"]._recall_send_queued(len(notices))
                else:
                    notices[:limit]._recall_send()
            with phases("flush + pre-commit hooks + the seal's append"):
                env["audit.seal.entry"]._seal_run_pending()
        cr.execute("SELECT count(*) FROM mail_mail WHERE id > %s", [last_mail])
        mails = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*) FROM ir_attachment WHERE res_model = 'recall.notice' "
            "AND res_id = ANY(%s) AND mimetype = 'application/pdf'",
            [notices[:limit].ids],
        )
        pdfs = cr.fetchone()[0]
        sent = len(notices[:limit].filtered(lambda n: n.state == "sent"))
        cr.rollback()
    return {
        "phases": phases,
        "notices": len(notices),
        "limit": limit,
        "sent": sent,
        "mails": mails,
        "pdfs": pdfs,
        "pdf_seconds": pdf.seconds,
        "pdf_calls": pdf.calls,
    }


def print_profile(profiler):
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(20)
    lines = [
        line
        for line in out.getvalue().splitlines()
        if line.strip() and not line.startswith("   Ordered by")
    ]
    print("\n".join(lines))


# ---------------------------------------------------------------------------------- main


def setup_odoo(args):
    import odoo
    import odoo.modules.module
    from odoo.tools import config

    config.parse_config(["-d", args.db, f"--addons-path={ADDONS}", "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()
    key_path = os.path.join(config.filestore(args.db), "recall_bench_ed25519.pem")
    if not os.path.exists(key_path):
        from odoo.addons.audit_seal.lib.keys import generate_private_key_pem

        os.makedirs(os.path.dirname(key_path), exist_ok=True)
        with open(key_path, "wb") as handle:
            handle.write(generate_private_key_pem())
    config["audit_seal_private_key_file"] = key_path
    odoo.netsvc.init_logger()
    return config


def main():
    args = parse_args()
    total_started = time.perf_counter()
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start "
        "(other processes on the machine skew every figure)",
        flush=True,
    )
    if not args.reuse_db:
        install(args.db)
    config = setup_odoo(args)
    odoo = chain.Odoo(args.db)
    meta = meta_of(odoo)
    generated = False
    if not meta:
        print("generating ...", flush=True)
        started = time.perf_counter()
        meta = generate(odoo, args)
        generated = True
        print(f"generation took {time.perf_counter() - started:.0f} s", flush=True)
    counts = describe(odoo, meta, generated)

    print("\nmeasuring ...", flush=True)
    runs, figures, peak = measure_impact(odoo, meta, args.runs)
    profiler = None
    if args.profile:
        profiler = cProfile.Profile()
        run_impact(odoo, meta, profiler=profiler)
    notify = None
    if not args.no_notify:
        server = chain.Json2Server(odoo, args.http_port) if args.http_port else None
        try:
            notify = run_notify(odoo, meta, args, args.http_port)
        finally:
            if server:
                server.stop()

    print("\n" + "=" * 100)
    report_recall(meta, counts, figures)
    report_impact(runs, peak)
    if profiler:
        print("\n   cProfile of one more run (cumulative, then own time):")
        print_profile(profiler)
    if notify:
        report_notify(notify)
    elif args.no_notify:
        print("\n2. sending: skipped (--no-notify)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\npeak RSS of this process: {rss:,.0f} MiB; total run "
        f"{time.perf_counter() - total_started:.0f} s; load average "
        f"{os.getloadavg()[0]:.1f} at end"
    )
    if not args.keep_db:
        from odoo.sql_db import close_db

        close_db(args.db)
        subprocess.run(["dropdb", "--if-exists", args.db], check=False)
        subprocess.run(["rm", "-rf", config.filestore(args.db)], check=False)


def install(db):
    """A fresh database ``db`` with the suite installed."""
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    print(f"installing {MODULES} in {db} ...", flush=True)
    started = time.perf_counter()
    if chain.install(db, MODULES).wait():
        sys.exit("module installation failed (run the command by hand to see why)")
    print(f"installed in {time.perf_counter() - started:.0f} s", flush=True)


def measure_impact(odoo, meta, count):
    """([phases of each timed run], figures of the campaign, peak memory of one more run
    under tracemalloc): ``count`` timed runs (at least one) of impact + notices."""
    runs = []
    for run in range(max(1, count)):
        phases, figures, _peak = run_impact(odoo, meta)
        runs.append(phases)
        print(f"  run {run + 1}: impact + notices {phases.total():.2f} s", flush=True)
    _phases, _figures, peak = run_impact(odoo, meta, traced=True)
    return runs, figures, peak


def report_recall(meta, counts, figures):
    """What the recall reached: serials, consignees, lines, notices, units."""
    print(
        f"\nrecall of component lot {meta['cell_lot_name']} in a database of "
        f"{counts['trace_event_line']:,} event lines"
    )
    line_out("   event lines in the database", f"{counts['trace_event_line']:,}")
    line_out("   serials reached (made from the cell lot)", f"{figures['serials']:,}")
    line_out(
        "   consignees (commercial partners)",
        f"{figures['consignees']:,}",
        f"{figures['addresses']:,} delivery addresses",
    )
    line_out(
        "   campaign lines created",
        f"{figures['lines']:,}",
        f"{figures['partner_lines']:,} consignee, {figures['own_lines']} own stock",
    )
    line_out("   notices created (draft)", f"{figures['notices']:,}")
    line_out(
        "   units shipped / in our stock",
        f"{figures['units_shipped']:,.0f} / {figures['units_in_own_stock']:,.0f}",
        f"{figures['quarantined']} lot(s) quarantined, {figures['quarantine_transfers']} "
        f"quarantine transfer(s), {figures['deadlines']} deadlines",
    )


def report_impact(runs, peak):
    """1. the median time and queries of each phase of impact + notices, against the target."""
    print(f"\n1. impact + notices, {len(runs)} timed run(s), median per phase (SQL queries):")
    for name in runs[0].rows:
        seconds = statistics.median(run.rows[name][0] for run in runs)
        queries = statistics.median(run.rows[name][1] for run in runs)
        line_out(f"   {name}", f"{seconds:,.2f} s", f"{queries:,.0f} queries")
    total = statistics.median(run.total() for run in runs)
    line_out("   peak memory of one run (tracemalloc, separate run)", f"{peak / 2**20:,.1f} MiB")
    verdict = "met" if total < TARGET_SECONDS else "NOT met"
    print(
        f"\n   impact + notices: {total:.2f} s (target < {TARGET_SECONDS:.0f} s) {verdict}"
        f"   [runs: {', '.join(f'{run.total():.2f}' for run in runs)} s]"
    )


def report_notify(notify):
    phases = notify["phases"]
    send, flush = phases.rows["send"], phases.rows["flush + pre-commit hooks + the seal's append"]
    limit = notify["limit"]
    total = send[0] + flush[0]
    label = (
        f"all {limit:,} notices"
        if limit == notify["notices"]
        else f"{limit:,} of {notify['notices']:,} notices (--notify-limit)"
    )
    print(f"\n2. sending (action_notify): {label}, each mailed with its PDF; rolled back")
    line_out("   send", f"{send[0]:,.2f} s", f"{send[1]:,} queries")
    line_out(
        "   flush + pre-commit hooks + the seal's append",
        f"{flush[0]:,.2f} s",
        f"{flush[1]:,} queries",
    )
    per = total / limit if limit else 0
    line_out("   per notice", f"{per * 1000:,.0f} ms")
    pdf_per = notify["pdf_seconds"] / notify["pdf_calls"] if notify["pdf_calls"] else 0
    line_out(
        "   of which PDF rendering by wkhtmltopdf",
        f"{notify['pdf_seconds']:,.2f} s",
        f"{notify['pdf_calls']:,} runs, {pdf_per * 1000:,.0f} ms per notice "
        f"({notify['pdf_seconds'] / total * 100 if total else 0:.0f} % of sending)",
    )
    line_out(
        "   notices sent / mails queued / PDFs attached",
        f"{notify['sent']:,} / {notify['mails']:,} / {notify['pdfs']:,}",
    )
    if limit < notify["notices"]:
        line_out(
            f"   all {notify['notices']:,} notices, extrapolated",
            f"{per * notify['notices']:,.0f} s",
        )


if __name__ == "__main__":
    main()
