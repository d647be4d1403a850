"""The 10-million-event-line database of issue 17 (run by ``tests/load/build_db.py --scale 10m``).

Two databases on the load cluster, both kept:

* ``load_1m`` (``--base-db``): trace_events and partner_portal (so recall_mgmt) installed, the
  trace benchmark's chain through real Odoo flows (10,000 serials made from one cell lot,
  delivered, shipped onward by EPCIS capture) and its background history of 1,000,000 event
  lines written with COPY and sealed (``bench_trace_events.generate``, unchanged);
* ``load_10m`` (``--db``): a copy of ``load_1m`` grown to 10,000,000 event lines by the same
  generator (``Background``: lots, done move lines, component links, events, event lines),
  written with COPY in chunks of ``--chunk-lines`` lines, each chunk committed; the new events
  then sealed through the ledger's own append (``bench_trace_events.seal_background``: the
  chain, the signatures and every payload are real), the holdings read model rebuilt
  (``trace.holding._trace_rebuild``) and the tables analysed.

Each stage prints its time and rate, so a trial (``--lines 1200000``) gives the rate to
extrapolate from before the full run.
"""

import io
import os
import subprocess
import sys
import time
from types import SimpleNamespace

# names of the grown history: batch and group numbers start here, far above the 1M history's
# (about 4,200 batches and 10,900 groups), so lot names never repeat
NUMBER_OFFSET = 500_000


def say(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


def db_exists(db):
    out = subprocess.run(
        ["psql", "-d", "postgres", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{db}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip() == "1"


def build(bench, args, base_scale):
    """Build (or reuse) the 1M base, copy it and grow the copy to ``args.lines`` lines."""
    import loadlib

    target = args.lines or 10_000_000
    started = time.perf_counter()
    if not (args.reuse_1m and db_exists(args.base_db)):
        build_base(bench, args, base_scale)
    copy_database(args.base_db, args.db)
    config = bench.setup_odoo(args.db)
    config["audit_seal_private_key_file"] = str(loadlib.signing_key())
    grow(bench, bench.Odoo(args.db), target, args)
    from odoo.sql_db import close_all

    close_all()
    say(f"{args.db}: built in {time.perf_counter() - started:.0f} s")


def build_base(bench, args, base_scale):
    """``load_1m``: the trace benchmark's own generation, suite database only."""
    import loadlib

    serials, lines = base_scale
    subprocess.run(["dropdb", "--if-exists", args.base_db], check=True)
    say(f"{args.base_db}: installing trace_events,partner_portal ...")
    if bench.install(args.base_db, "trace_events,partner_portal").wait():
        sys.exit(f"installing in {args.base_db} failed (run the command by hand to see why)")
    config = bench.setup_odoo(args.base_db)
    config["audit_seal_private_key_file"] = str(loadlib.signing_key())
    gen_args = SimpleNamespace(
        serials=serials,
        mo_size=100,
        delivery_chunk=1000,
        background_lines=lines,
        no_seal_background=False,
        plain_chain=False,
        seed=args.seed,
    )
    say(f"{args.base_db}: generating {serials:,} chain serials, {lines:,} event lines ...")
    tick = time.perf_counter()
    (meta,) = bench.generate((bench.Odoo(args.base_db),), gen_args, [None])
    say(f"{args.base_db}: generated in {time.perf_counter() - tick:.0f} s: {meta['timings']}")
    from odoo.sql_db import close_all

    close_all()


def copy_database(source, target):
    """``target`` as a copy of ``source`` (database and filestore)."""
    from odoo.tools import config

    subprocess.run(["dropdb", "--if-exists", target], check=True)
    tick = time.perf_counter()
    subprocess.run(["createdb", "-T", source, target], check=True)
    store = config.filestore(source)
    if os.path.isdir(store):
        subprocess.run(["rm", "-rf", config.filestore(target)], check=True)
        subprocess.run(["cp", "-a", store, config.filestore(target)], check=True)
    say(f"{target}: copied from {source} in {time.perf_counter() - tick:.0f} s")


def background_master(odoo):
    """The products and parties the 1M history was written with (found by name)."""
    with odoo.cursor() as cr:
        env = odoo.env(cr)
        product = env["product.product"]
        partner = env["res.partner"]

        def one_product(name):
            return product.search([("name", "=", name)], order="id desc", limit=1).id

        return {
            "products": {
                "serial": one_product("Single-chamber pacemaker SR-100"),
                "component": one_product("Pacing lead connector IS-1"),
                "catheter": one_product("Central venous catheter kit 5Fr"),
            },
            "distributors": partner.search(
                [("name", "=like", "Regional distributor %")], order="id"
            ).ids,
            "hospitals": partner.search([("name", "=like", "County hospital %")], order="id").ids,
            "supplier": partner.search([("name", "=", "Background supplier")], limit=1).id,
        }


def grow(bench, odoo, target, args):
    """Add event lines until ``target``: rows, COPY, commit, chunk by chunk; seal; holdings."""
    with odoo.cursor() as cr:
        cr.execute("SELECT count(*) FROM trace_event_line")
        have = cr.fetchone()[0]
    missing = target - have
    if missing <= 0:
        say(f"{odoo.db}: {have:,} event lines already")
        return
    master = background_master(odoo)
    say(f"{odoo.db}: {have:,} event lines, adding {missing:,} ...")
    with odoo.cursor() as cr:
        background = bench.Background(odoo, cr, master, missing, args.seed + 1)
        first_event = background.event_ids.next
        counts, seconds = write_chunked(background, cr, args.chunk_lines)
        events = counts["trace_event"]
        say(
            f"{odoo.db}: COPY done, {counts} in {seconds:.0f} s "
            f"({counts['trace_event_line'] / seconds:,.0f} event lines/s)"
        )
    tick = time.perf_counter()
    sealed = seal_chunks(bench, odoo, first_event, events)
    seal_time = time.perf_counter() - tick
    say(f"{odoo.db}: sealed {sealed:,} events in {seal_time:.0f} s ({sealed / seal_time:,.0f}/s)")
    with odoo.cursor() as cr:
        tick = time.perf_counter()
        odoo.env(cr)["trace.holding"]._trace_rebuild()
        cr.commit()
        say(f"{odoo.db}: holdings rebuilt in {time.perf_counter() - tick:.0f} s")
        cr.execute("ANALYZE")
        meta = odoo.meta()
        meta["grown"] = {"lines_added": counts["trace_event_line"], "events_added": events}
        odoo.meta(meta)


def write_chunked(background, cr, chunk_lines):
    """``background.write()`` in chunks: build the rows of some batches, COPY, commit."""
    batches, groups = background.batches, background.groups
    # the two kinds interleaved in proportion, so that every chunk has the history's mix
    units = [(n / batches, background.serial_batch, NUMBER_OFFSET + n) for n in range(batches)]
    units += [(n / groups, background.catheter_group, NUMBER_OFFSET + n) for n in range(groups)]
    units.sort(key=lambda unit: unit[0])
    tables = [
        background.lots,
        background.move_lines,
        background.consume,
        background.events,
        background.event_lines,
    ]
    counts = dict.fromkeys((t.table for t in tables), 0)
    started = time.perf_counter()
    for index, (_order, write_unit, number) in enumerate(units):
        write_unit(number)
        if background.event_lines.count >= chunk_lines or index == len(units) - 1:
            cr.execute("SET LOCAL session_replication_role = replica")
            for table in tables:
                table.copy(cr)
                counts[table.table] += table.count
                table.buffer, table.count = io.StringIO(), 0
            cr.commit()
            done = counts["trace_event_line"]
            rate = done / (time.perf_counter() - started)
            say(f"    {done:,} event lines written ({rate:,.0f}/s), load {os.getloadavg()[0]:.1f}")
    for table in counts:
        cr.execute(f"ANALYZE {table}")
    cr.commit()
    return counts, time.perf_counter() - started


def seal_chunks(bench, odoo, first_event, count, chunk=5000, report_every=100_000):
    """The events appended to the ledger as the commit does (bench_trace_events'
    ``seal_background``), with progress."""
    sealed = 0
    started = time.perf_counter()
    step = max(chunk, report_every)
    for start in range(first_event, first_event + count, step):
        size = min(step, first_event + count - start)
        sealed += bench.seal_background(odoo, start, size, chunk=chunk)
        rate = sealed / (time.perf_counter() - started)
        say(
            f"    {sealed:,} of {count:,} events sealed ({rate:,.0f}/s), load "
            f"{os.getloadavg()[0]:.1f}"
        )
    return sealed
