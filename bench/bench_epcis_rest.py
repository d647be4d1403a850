#!/usr/bin/env python3
"""Benchmark of the EPCIS 2.0 REST bindings: GET /events?MATCH_epc over 1M event lines, and
capture throughput through POST /capture.

    python3 bench/bench_epcis_rest.py                     # 1,000,000 event lines
    python3 bench/bench_epcis_rest.py --quick             # 100,000 event lines
    python3 bench/bench_epcis_rest.py --keep-db           # keep the database ...
    python3 bench/bench_epcis_rest.py --reuse-db          # ... and skip generation next time

The database (``<prefix>_suite``, trace_events installed) is filled by bench_trace_events.py's
generator (the chain through real Odoo flows, then background history written with PostgreSQL
COPY up to ``--background-lines`` event lines, sealed). An Odoo HTTP server is started on it
with OCA queue_job's job runner (``--load=base,web,queue_job``), and an API key of the
administrator is made. Then:

1. ``GET /epcis/events?MATCH_epc=<serial>`` for ``--queries`` serials drawn at random from
   every serial with events (chain and background), after ``--warmup`` queries: the server
   time (the ``Server-Timing`` header the interface sets: authentication, query, export of
   the page) and the client's round trip, median and p99; targets: median <= 50 ms, p99 <=
   200 ms server time;
2. ``POST /epcis/capture`` of ``--capture-batches`` documents of ``--capture-batch-size``
   shipping events (distributor -> hospital, one serial each), then polling
   ``GET /epcis/capture/<id>`` until every job is done: events per second from the first POST
   to the last job finished (the jobs run in the server's queue_job runner, with the channels of
   docker/odoo.conf, the events are sealed as they are stored); target >= 1,000 events/s.
   Beside it, ``import_epcis`` of one more such document in this process (committed, sealed).

The server's log (level info) goes to ``bench_epcis_rest_server.log`` in the database's
filestore.

The load average is printed at start and end: the development machine is shared.
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

import bench_trace_events as base  # noqa: E402 - the generator and the HTTP server live there


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--db-prefix", default="epcis_rest_bench", help="database <prefix>_suite")
    add("--serials", type=int, default=10000, help="chain serials (bench_trace_events)")
    add("--mo-size", type=int, default=100)
    add("--delivery-chunk", type=int, default=1000)
    add("--background-lines", type=int, default=1_000_000, help="event lines to reach")
    add("--no-seal-background", action="store_true")
    add("--plain-chain", action="store_true", help=argparse.SUPPRESS)
    add("--seed", type=int, default=20251125)
    add("--queries", type=int, default=500, help="measured MATCH_epc queries")
    add("--warmup", type=int, default=50, help="queries before measuring")
    add("--capture-batches", type=int, default=5)
    add("--capture-batch-size", type=int, default=1000)
    add("--http-port", type=int, default=18769)
    add("--workers", type=int, default=0, help="the server's workers (0: threaded)")
    add("--channels", default=CHANNELS, help="queue_job channels (docker/odoo.conf's)")
    add("--quick", action="store_true", help="100,000 event lines, fewer queries")
    add("--reuse-db", action="store_true")
    add("--keep-db", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.serials = min(args.serials, 1000)
        args.background_lines = min(args.background_lines, 100_000)
        args.queries = min(args.queries, 200)
        args.capture_batches = min(args.capture_batches, 2)
    args.mo_size = max(1, min(args.mo_size, args.serials))
    return args


#: queue_job's channels of the production configuration (docker/odoo.conf)
CHANNELS = "root:2,root.trace_webhook:2"


class RestServer(base.Json2Server):
    """bench_trace_events' HTTP server, with queue_job's runner loaded."""

    def __init__(self, odoo, port, logfile, workers=0, channels=CHANNELS):
        original = subprocess.Popen

        def popen(command, **kwargs):
            extra = [
                "--load=base,web,queue_job",
                f"--workers={workers}",
                f"--logfile={logfile}",
                "--log-level=info",
            ]
            # queue_job's runner reads its channels from the environment as well
            kwargs["env"] = dict(os.environ, ODOO_QUEUE_JOB_CHANNELS=channels)
            return original([*command, *extra], **kwargs)

        subprocess.Popen = popen
        try:
            super().__init__(odoo, port)
        finally:
            subprocess.Popen = original

    def rest(self, method, path, **kwargs):
        headers = {"Authorization": f"Bearer {self.key}", "X-Odoo-Database": self.odoo.db}
        headers.update(kwargs.pop("headers", {}))
        tick = time.perf_counter()
        response = self.session.request(
            method, self.url("/epcis" + path), headers=headers, timeout=600, **kwargs
        )
        return response, time.perf_counter() - tick


def sample_serials(suite, count, seed):
    """Digital Links of ``count`` random serials with events, and their event counts."""
    with suite.cursor() as cr:
        cr.execute(
            """
            SELECT di.di, lot.name, count(*)
              FROM trace_event_line line
              JOIN stock_lot lot ON lot.id = line.lot_id
              JOIN product_product pp ON pp.id = lot.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              JOIN udi_di di ON di.product_tmpl_id = pt.id AND di.packaging_level = 'base'
             WHERE pt.tracking = 'serial'
             GROUP BY di.di, lot.name
            """
        )
        rows = cr.fetchall()
    rng = random.Random(seed)
    chosen = rng.sample(rows, min(count, len(rows)))
    return [(f"https://id.gs1.org/01/{di}/21/{name}", lines) for di, name, lines in chosen], len(
        rows
    )


def pct(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure_queries(server, serials, args):
    server_ms, client_ms, events = [], [], []
    for index, (epc, _lines) in enumerate(serials):
        response, elapsed = server.rest("GET", "/events", params={"MATCH_epc": epc})
        response.raise_for_status()
        if index < args.warmup:
            continue
        timing = response.headers.get("Server-Timing", "app;dur=nan")
        server_ms.append(float(timing.split("dur=")[1]))
        client_ms.append(elapsed * 1000)
        body = response.json()
        events.append(len(body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]))
    return server_ms, client_ms, events


def capture_documents(suite, meta, args):
    with suite.cursor() as cr:
        env = suite.env(cr)
        glns = {
            partner.id: partner.udi_gln
            for partner in env["res.partner"].browse(meta["distributors"])
        }
        hospitals = env["res.partner"].browse(meta["hospitals"]).mapped("udi_gln")
        # serials the distributors received (each shipped on by the one that received it)
        cr.execute(
            """
            SELECT DISTINCT ON (lot.name) lot.name, line.partner_dest_id
              FROM trace_event_line line
              JOIN stock_lot lot ON lot.id = line.lot_id
             WHERE line.partner_dest_id = ANY(%s)
             ORDER BY lot.name, line.partner_dest_id LIMIT %s
            """,
            [meta["distributors"], (args.capture_batches + 1) * args.capture_batch_size],
        )
        serials = cr.fetchall()
    if len(serials) < (args.capture_batches + 1) * args.capture_batch_size:
        # the same serial in two documents: two jobs at once refresh its holdings and one is
        # retried (a serialization failure), which a real flow of distinct shipments never does
        print(
            f"WARNING: only {len(serials):,} serials for {args.capture_batches + 1} documents "
            f"of {args.capture_batch_size}: documents repeat serials",
            flush=True,
        )
    documents = []
    for batch in range(args.capture_batches + 1):  # the last one for the in-process figure
        events = []
        for i in range(args.capture_batch_size):
            serial, distributor = serials[(batch * args.capture_batch_size + i) % len(serials)]
            events.append(
                base.shipping_event(
                    glns[distributor],
                    hospitals[i % len(hospitals)],
                    [serial],
                    f"DN-R{batch:02d}-{i:05d}",
                )
            )
        documents.append(
            {
                "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
                "type": "EPCISDocument",
                "schemaVersion": "2.0",
                "creationDate": "2025-01-01T00:00:00Z",
                "epcisBody": {"eventList": events},
            }
        )
    return documents


def measure_capture(server, documents, timeout=1800):
    started = time.perf_counter()
    locations, post_times = [], []
    for document in documents:
        response, elapsed = server.rest("POST", "/capture", json=document)
        if response.status_code != 202:
            raise RuntimeError(f"POST /capture: {response.status_code} {response.text[:500]}")
        locations.append(response.headers["Location"].removeprefix("/epcis"))
        post_times.append(elapsed)
    # the jobs run in order (one channel): wait for each in turn, one GET at a time (each GET
    # checks the API key, a PBKDF2 hash: polling every job at once took CPU from the jobs)
    jobs = []
    for location in locations:
        while time.perf_counter() - started < timeout:
            job = server.rest("GET", location)[0].json()
            if not job["running"]:
                jobs.append(job)
                break
            time.sleep(0.1)
    return time.perf_counter() - started, post_times, jobs


def measure_in_process(suite, document):
    """Seconds of one ``import_epcis`` of ``document`` in this process, committed (sealed),
    as the administrator: the capture without HTTP and queue_job, for the ratio."""
    with suite.cursor() as cr:
        env = suite.env(cr, base.ADMIN_UID)
        started = time.perf_counter()
        result = env["trace.event"].import_epcis(document)
        cr.commit()
        elapsed = time.perf_counter() - started
    if result["created"] != len(document["epcisBody"]["eventList"]):
        raise RuntimeError(f"in-process import stored {result['created']} events")
    return elapsed


def report(serials_total, server_ms, client_ms, events, capture, in_process, args, load):
    print("\n" + "=" * 100)
    base.line_out("serials with events (sampled from)", f"{serials_total:,}")
    print(
        f"\n1. GET /epcis/events?MATCH_epc=<serial>, {len(server_ms)} queries "
        f"(after {args.warmup} warm-up), events per answer: median "
        f"{statistics.median(events):.0f}, max {max(events)}"
    )
    base.line_out(
        "   server time (Server-Timing) median",
        f"{statistics.median(server_ms):.1f} ms",
        "target <= 50 ms",
    )
    base.line_out("   server time p99", f"{pct(server_ms, 0.99):.1f} ms", "target <= 200 ms")
    base.line_out("   client round trip median", f"{statistics.median(client_ms):.1f} ms")
    base.line_out("   client round trip p99", f"{pct(client_ms, 0.99):.1f} ms")
    wall, post_times, jobs = capture
    stored = sum(job.get("success") and 1 or 0 for job in jobs)
    count = args.capture_batches * args.capture_batch_size
    print(
        f"\n2. POST /epcis/capture: {args.capture_batches} documents of "
        f"{args.capture_batch_size} events, jobs run by queue_job's runner"
    )
    base.line_out(
        "   202 answer (accept + queue), median", base.fmt_ms(statistics.median(post_times))
    )
    base.line_out(
        "   jobs succeeded",
        f"{stored} of {len(post_times)}",
        "; ".join(str(job.get("errors"))[:200] for job in jobs if not job["success"]),
    )
    base.line_out(
        "   throughput, first POST to last job done",
        f"{count / wall:,.0f} events/s",
        "target >= 1,000 events/s (sealed)",
    )
    base.line_out(
        "   in-process import_epcis of one such document",
        f"{args.capture_batch_size / in_process:,.0f} events/s",
        f"REST / in-process: {count / wall / (args.capture_batch_size / in_process):.2f}",
    )
    print(
        f"\nload average: {load[0]:.1f} at start, {os.getloadavg()[0]:.1f} at end "
        "(shared machine: other processes skew every figure)"
    )


def main():
    args = parse_args()
    suite_db = f"{args.db_prefix}_suite"
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.1f} at start", flush=True)
    if not args.reuse_db:
        subprocess.run(["dropdb", "--if-exists", suite_db], check=True)
        print(f"installing {base.SUITE_MODULES} in {suite_db} ...", flush=True)
        if base.install(suite_db, base.SUITE_MODULES).wait():
            sys.exit("module installation failed (run the command by hand to see why)")
    config = base.setup_odoo(suite_db)
    suite = base.Odoo(suite_db)
    metas = [suite.meta()]
    if not metas[0]:
        print("generating ...", flush=True)
        started = time.perf_counter()
        metas = base.generate((suite,), args, metas)
        print(f"generation took {time.perf_counter() - started:.0f} s", flush=True)
    print(
        f"event lines: {metas[0]['background'].get('trace_event_line', 0):,} in bulk + chain",
        flush=True,
    )
    serials, total = sample_serials(suite, args.queries + args.warmup, args.seed)
    documents = capture_documents(suite, metas[0], args)
    in_process = measure_in_process(suite, documents.pop())
    logfile = os.path.join(config.filestore(suite_db), "bench_epcis_rest_server.log")
    print(f"the Odoo server logs to {logfile}", flush=True)
    server = RestServer(suite, args.http_port, logfile, args.workers, args.channels)
    try:
        server_ms, client_ms, events = measure_queries(server, serials, args)
        capture = measure_capture(server, documents)
    finally:
        server.stop()
    report(total, server_ms, client_ms, events, capture, in_process, args, load)
    if not args.keep_db:
        from odoo.sql_db import close_db

        close_db(suite_db)
        subprocess.run(["dropdb", "--if-exists", suite_db], check=False)
        subprocess.run(["rm", "-rf", config.filestore(suite_db)], check=False)


if __name__ == "__main__":
    main()
