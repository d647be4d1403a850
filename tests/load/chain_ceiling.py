#!/usr/bin/env python3
"""The ceiling of one chain: ledger appends per second at the chain lock, 1 to 16 clients.

In the load cluster (port 5499, never the main one), a database with audit_seal and its sealed
test model (``test_audit_seal``) only, so that nothing but the append is measured. Each client
is a thread with its own connection (``--processes``: a process, as Odoo's prefork workers are)
that commits, in a loop, transactions of ``--batch`` new
sealed records (each transaction is one append: the chain lock, the head read, one COPY of its
entries, a signed checkpoint, the COMMIT). For each client count it prints the appends (and
entries) per second, the wait for the chain lock (median, p95, max: audit_seal's DEBUG timing
of ``odoo.addons.audit_seal.chain_lock``) and the time the lock is held per append, derived from
the throughput at saturation. The chain is verified at the end; the database is dropped unless
``--keep-db``.

    python3 tests/load/chain_ceiling.py [--clients 1,2,4,8,16] [--seconds 15] [--batch 1]
"""

import argparse
import logging
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadlib  # noqa: E402

DB = "load_chain_ceiling"
WAIT_RE = re.compile(r"chain lock waited ([0-9.]+) ms")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1,2,4,8,16")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--batch", type=int, default=1, help="sealed records per transaction")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true")
    parser.add_argument(
        "--processes", action="store_true", help="one process per client instead of a thread"
    )
    return parser.parse_args()


class Waits(logging.Handler):
    """Collects audit_seal's chain lock waits (ms)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.values = []

    def emit(self, record):
        match = WAIT_RE.search(record.getMessage())
        if match:
            self.values.append(float(match.group(1)))


def install(cluster):
    loadlib.say(f"installing audit_seal and test_audit_seal in {DB} (port {cluster.port}) ...")
    subprocess.run(["dropdb", "--if-exists", DB], check=True, env=cluster.env)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            DB,
            f"--addons-path={loadlib.ADDONS},{loadlib.ROOT / 'tests'}",
            "-i",
            "audit_seal,test_audit_seal",
            "--without-demo=True",
            "--stop-after-init",
            "--log-level=warn",
            "--max-cron-threads=0",
            "--http-port=18791",
        ],
        check=True,
        env=cluster.env,
    )


def open_registry(key_path):
    import odoo
    import odoo.modules.module
    from odoo.tools import config

    config.parse_config(
        ["-d", DB, f"--addons-path={loadlib.ADDONS},{loadlib.ROOT / 'tests'}", "--log-level=warn"]
    )
    odoo.modules.module.initialize_sys_path()
    from odoo.modules.registry import Registry

    from odoo.addons.audit_seal.lib.keys import generate_private_key_pem

    if not os.path.exists(key_path):
        with open(key_path, "wb") as handle:
            handle.write(generate_private_key_pem())
    config["audit_seal_private_key_file"] = key_path
    config["db_maxconn"] = 64
    return Registry(DB)


def collect_waits():
    """A handler on audit_seal's chain lock logger that collects the waits (not printed)."""
    waits = Waits()
    lock_logger = logging.getLogger(loadlib.LOCK_LOGGER)
    lock_logger.setLevel(logging.DEBUG)
    lock_logger.addHandler(waits)
    lock_logger.propagate = False
    return waits


def append_loop(registry, index, batch, stop):
    """Commit transactions of ``batch`` sealed records until ``stop()``; (count, errors)."""
    from odoo import api

    count, errors = 0, []
    while not stop():
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, api.SUPERUSER_ID, {})
                env["audit.seal.test.record"].create(
                    [{"name": f"c{index}", "quantity": n} for n in range(batch)]
                )
            count += 1
        except Exception as exc:  # noqa: BLE001 - counted and shown
            errors.append(repr(exc)[:120])
    return count, errors


def process_client(key_path, index, batch, ready, start, stop, results):
    """One client process: its own registry and connection (``--processes``)."""
    loadlib.Cluster().use()
    registry = open_registry(key_path)
    waits = collect_waits()
    ready.put(index)
    start.wait()
    count, errors = append_loop(registry, index, batch, stop.is_set)
    results.put((count, waits.values, errors))


def run_stage(registry, clients, seconds, batch, waits):
    stop = threading.Event()
    outcomes = [None] * clients

    def client(index):
        outcomes[index] = append_loop(registry, index, batch, stop.is_set)

    del waits.values[:]
    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(60)
    elapsed = time.perf_counter() - started
    counts = [outcome[0] for outcome in outcomes if outcome]
    errors = [error for outcome in outcomes if outcome for error in outcome[1]]
    return stage_row(clients, sum(counts), elapsed, batch, list(waits.values), errors)


def run_stage_processes(key_path, clients, seconds, batch):
    context = multiprocessing.get_context("spawn")
    ready, results = context.Queue(), context.Queue()
    start, stop = context.Event(), context.Event()
    workers = [
        context.Process(
            target=process_client, args=(key_path, i, batch, ready, start, stop, results)
        )
        for i in range(clients)
    ]
    for worker in workers:
        worker.start()
    for _worker in workers:
        ready.get(timeout=300)
    started = time.perf_counter()
    start.set()
    time.sleep(seconds)
    stop.set()
    outcomes = [results.get(timeout=120) for _worker in workers]
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join(30)
    waits = [wait for outcome in outcomes for wait in outcome[1]]
    errors = [error for outcome in outcomes for error in outcome[2]]
    return stage_row(clients, sum(o[0] for o in outcomes), elapsed, batch, waits, errors)


def stage_row(clients, appends, elapsed, batch, waits, errors):
    values = sorted(waits)
    return {
        "clients": clients,
        "appends_s": appends / elapsed,
        "entries_s": appends * batch / elapsed,
        "wait_p50": loadlib.percentile(values, 0.5) or 0,
        "wait_p95": loadlib.percentile(values, 0.95) or 0,
        "wait_max": values[-1] if values else 0,
        "errors": errors,
    }


def main():
    args = parse_args()
    cluster = loadlib.Cluster()
    started_cluster = not cluster.online()
    cluster.start()
    cluster.use()
    try:
        if not args.reuse_db:
            install(cluster)
        key_dir = tempfile.TemporaryDirectory(prefix="chain_ceiling_")
        key_path = os.path.join(key_dir.name, "ceiling.pem")
        registry = open_registry(key_path)
        waits = collect_waits()
        print(
            f"\nmachine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
            f"{args.batch} sealed record(s) per transaction, {args.seconds:.0f} s per stage, "
            f"clients as {'processes' if args.processes else 'threads'}\n"
        )
        header = (
            f"{'clients':>7} {'appends/s':>10} {'entries/s':>10} {'lock wait p50':>14} "
            f"{'p95':>8} {'max':>8} {'errors':>6} {'load':>5}"
        )
        print(header)
        for clients in map(int, args.clients.split(",")):
            if args.processes:
                row = run_stage_processes(key_path, clients, args.seconds, args.batch)
            else:
                row = run_stage(registry, clients, args.seconds, args.batch, waits)
            print(
                f"{clients:>7} {row['appends_s']:>10.1f} {row['entries_s']:>10.1f} "
                f"{row['wait_p50']:>11.2f} ms {row['wait_p95']:>5.1f} ms "
                f"{row['wait_max']:>5.0f} ms "
                f"{len(row['errors']):>6} {os.getloadavg()[0]:>5.1f}",
                flush=True,
            )
            for error in row["errors"][:3]:
                print("        ", error)
        from odoo import api

        with registry.cursor() as cr:
            result = api.Environment(cr, api.SUPERUSER_ID, {})["audit.seal.entry"].verify_chain()
            print(f"\nchain verifies: {result['ok']} ({result['entries']:,} entries)")
        key_dir.cleanup()
    finally:
        from odoo.sql_db import close_all

        close_all()
        if not args.keep_db:
            subprocess.run(["dropdb", "--if-exists", DB], check=False, env=cluster.env)
        if started_cluster:
            cluster.stop()


if __name__ == "__main__":
    main()
