#!/usr/bin/env python3
"""Benchmark of audit_seal: append entries, verify them, print throughput and peak memory.

    python3 bench/bench_audit_seal.py                 # N = 20,000, 200 records per transaction
    python3 bench/bench_audit_seal.py -n 1000000      # up to a million entries
    python3 bench/bench_audit_seal.py -n 50000 --batch 20 --db seal_bench --keep-db

What it measures, in one run on one database (created fresh unless --reuse-db):

* append, twice. Each time the same batches are created and committed through the ORM,
  alternately without the seal (the pre-commit registration patched out, in this process only)
  and with it, after one untimed warm-up batch of each; printed: both wall times, the seal's
  absolute cost per sealed record (time difference / records) and its overhead (ratio - 1).

  1. ``audit.seal.demo.record``, a trivial model (eight plain fields, no business logic): the
     worst case, the seal against a bare ORM create (target: <= 10 %);
  2. a real sealed record: partners created under OCA auditlog's change log subscribed to
     eight partner fields (``--logs`` partners, ``--log-batch`` per transaction), each creation
     logged as one sealed ``auditlog.log`` with its lines, against the same business operation
     without the seal.

* verify in Odoo: ``_seal_verify`` on the chain alone (hashes + signatures) and with the
  re-check of every sealed record's row (``verify_chain()``'s default);
* offline: the NDJSON export written to a file, then verified by the standalone verifier's
  code (``lib/export.py``), which streams the file (target: >= 50,000 entries/s).

Peak memory is the ``tracemalloc`` peak of each verification: it stays flat as N grows because
verification streams (chunks in Odoo, one line at a time offline). No assertion is made here;
the figures are printed. Wall times depend on the machine and on its load: run it on an idle
machine, and compare runs of the same machine only.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / "addons"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--entries", type=int, default=20000, help="entries to append")
    parser.add_argument("--batch", type=int, default=200, help="records per transaction")
    parser.add_argument(
        "--logs", type=int, default=2000, help="partners created with the sealed change log"
    )
    parser.add_argument(
        "--log-batch", type=int, default=50, help="partners per transaction (change log)"
    )
    parser.add_argument("--db", default="seal_bench", help="database (dropped unless --keep-db)")
    parser.add_argument("--reuse-db", action="store_true", help="do not recreate the database")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    return parser.parse_args()


def prepare_db(db, reuse):
    if reuse:
        return
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    print(f"installing audit_seal in {db} ...", flush=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            db,
            f"--addons-path={ADDONS}",
            "-i",
            "audit_seal",
            "--stop-after-init",
            "--log-level=warn",
            "--max-cron-threads=0",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def measure(label, func, count):
    """Time ``func`` (plain run), then run it again under tracemalloc for its peak memory."""
    started = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    tracemalloc.reset_peak()
    func()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rate = count / elapsed if elapsed else float("inf")
    print(f"{label:<44} {elapsed:9.2f} s  {rate:12,.0f} entries/s  peak {peak / 2**20:7.2f} MiB")
    return result, elapsed


class Comparison:
    """The same batches created through the ORM with and without the seal, interleaved.

    "Without the seal" patches ``_seal_register_pending`` out (in this process only): the
    records are created exactly the same way, nothing is queued for the ledger.
    """

    def __init__(self, registry, api):
        self.registry = registry
        self.api = api
        self.entry_class = registry["audit.seal.entry"]
        self.original_register = self.entry_class._seal_register_pending
        self.append_seconds = 0.0  # time spent in the append at commit, sealed batches
        original_append = self.entry_class._seal_append

        def timed_append(entry_model, items, **kwargs):
            started = time.perf_counter()
            try:
                return original_append(entry_model, items, **kwargs)
            finally:
                self.append_seconds += time.perf_counter() - started

        self.entry_class._seal_append = timed_append

    def run_batch(self, create, round_no, sealed):
        """One transaction of ``create(env, round_no)``, with or without the seal."""
        if not sealed:
            self.entry_class._seal_register_pending = lambda self, records: None
        try:
            with self.registry.cursor() as cr:
                create(self.api.Environment(cr, self.api.SUPERUSER_ID, {}), round_no)
        finally:
            self.entry_class._seal_register_pending = self.original_register

    def times(self, create, rounds):
        """[(sealed seconds, plain seconds)] of ``rounds`` pairs of batches, alternating which
        goes first, after one untimed warm-up batch of each."""
        for sealed in (True, False):
            self.run_batch(create, -1, sealed)
        self.append_seconds = 0.0
        pairs = []
        progress = max(1, rounds // 10)
        for round_no in range(rounds):
            order = (False, True) if round_no % 2 else (True, False)
            pair = {}
            for sealed in order:
                started = time.perf_counter()
                self.run_batch(create, round_no, sealed)
                pair[sealed] = time.perf_counter() - started
            pairs.append((pair[True], pair[False]))
            if (round_no + 1) % progress == 0:
                print(f"  {round_no + 1:>8,} / {rounds:,} rounds", flush=True)
        return pairs


def report(pairs, batch, labels, unit, append_seconds, target=None):
    """Print both timings, the seal's absolute cost per sealed record and its overhead: over
    the whole run, as the median of the rounds (less sensitive to a busy machine), and the
    time of the pre-commit append alone (timed inside the sealed commits)."""
    total = len(pairs) * batch
    times = {True: sum(pair[0] for pair in pairs), False: sum(pair[1] for pair in pairs)}
    for sealed, label in zip((False, True), labels, strict=True):
        print(
            f"{label:<44} {times[sealed]:9.2f} s  {total / times[sealed]:12,.0f} {unit}/s"
            f"  {times[sealed] / total * 1e6:8.1f} us each"
        )
    cost = (times[True] - times[False]) / total
    overhead = times[True] / times[False] - 1
    median_cost = statistics.median(sealed - plain for sealed, plain in pairs) / batch
    median_overhead = statistics.median(sealed / plain - 1 for sealed, plain in pairs)
    print(
        f"{'seal cost per sealed record':<44} {cost * 1e6:9.1f} us"
        f"  (median of the {len(pairs)} rounds: {median_cost * 1e6:.1f} us)"
    )
    append = append_seconds / total
    print(
        f"{'append alone, timed in the commits':<44} {append * 1e6:9.1f} us"
        f"  ({append / (times[False] / total) * 100:.1f} % of a record without seal)"
    )
    label = "seal overhead"
    if target is not None:
        label = f"seal overhead (target <= {target * 100:.0f} %)"
    print(
        f"{label:<44} {overhead * 100:9.1f} %  (median of the rounds: "
        f"{median_overhead * 100:.1f} %)"
        + ("" if target is None else f"  target {'met' if overhead <= target else 'NOT met'}")
    )


def demo_records(batch):
    """1. the trivial sealed model: the seal against a bare ORM create."""

    def create(env, round_no):
        env["audit.seal.demo.record"].create(
            [
                {
                    "name": f"Lot {round_no}-{i}",
                    "reference": f"(01)0761234567890{i % 10}(10)L{round_no}",
                    "quantity": i + 0.5,
                    "kind": "shipment" if i % 2 else "receipt",
                    "note": "批号 sterile",
                }
                for i in range(batch)
            ]
        )

    return create


PARTNER_FIELDS = ("name", "ref", "email", "phone", "street", "city", "zip", "website")


def logged_partners(batch):
    """2. a real sealed record: partner master data created under the sealed change log (OCA
    auditlog, subscribed to PARTNER_FIELDS): one sealed auditlog.log with its lines each."""

    def create(env, round_no):
        env["res.partner"].create(
            [
                {
                    "name": f"Distributor {round_no}-{i}",
                    "ref": f"D-{round_no}-{i}",
                    "email": f"qa{i}@distributor{round_no}.example.com",
                    "phone": f"+86 21 5555 {i:04d}",
                    "street": f"{i} Zhangjiang Road",
                    "city": "上海",
                    "zip": "201203",
                    "website": f"https://distributor{round_no}.example.com",
                }
                for i in range(batch)
            ]
        )

    return create


def remove_unsealed_twins(cr, first_ids):
    """Delete the records created without the seal (verification would report them)."""
    cr.execute("SET LOCAL session_replication_role = replica")
    cr.execute(
        "DELETE FROM audit_seal_demo_record r WHERE r.id > %s AND NOT EXISTS ("
        "SELECT 1 FROM audit_seal_entry e WHERE e.res_model = 'audit.seal.demo.record' "
        "AND e.res_id = r.id)",
        [first_ids[0]],
    )
    records = cr.rowcount
    cr.execute(
        "DELETE FROM auditlog_log_line l USING auditlog_log g WHERE l.log_id = g.id "
        "AND g.id > %s AND NOT EXISTS (SELECT 1 FROM audit_seal_entry e "
        "WHERE e.res_model = 'auditlog.log' AND e.res_id = g.id)",
        [first_ids[1]],
    )
    cr.execute(
        "DELETE FROM auditlog_log g WHERE g.id > %s AND NOT EXISTS ("
        "SELECT 1 FROM audit_seal_entry e WHERE e.res_model = 'auditlog.log' "
        "AND e.res_id = g.id)",
        [first_ids[1]],
    )
    print(f"\n(removed {records:,} unsealed demo records and {cr.rowcount:,} unsealed logs)")


def main():
    args = parse_args()
    if not args.db.startswith("seal_"):
        sys.exit("use a database name starting with seal_")
    prepare_db(args.db, args.reuse_db)

    import odoo
    import odoo.modules.module
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-d", args.db, f"--addons-path={ADDONS}", "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()

    from odoo.addons.audit_seal.lib.export import verify_export
    from odoo.addons.audit_seal.lib.keys import generate_private_key_pem

    key_dir = tempfile.TemporaryDirectory(prefix="seal_bench_")
    key_path = os.path.join(key_dir.name, "bench.pem")
    with open(key_path, "wb") as handle:
        handle.write(generate_private_key_pem())
    config["audit_seal_private_key_file"] = key_path
    odoo.netsvc.init_logger()
    registry = Registry(args.db)
    comparison = Comparison(registry, api)

    with registry.cursor() as cr:
        cr.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM audit_seal_demo_record), "
            "(SELECT coalesce(max(id), 0) FROM auditlog_log)"
        )
        first_ids = cr.fetchone()

    print(
        f"\nmachine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
        "(other load makes the figures below noisier and the overhead ratios less certain)"
    )
    rounds = max(1, args.entries // args.batch)
    total = rounds * args.batch
    print(
        f"\n1. trivial sealed model: {total:,} audit.seal.demo.record in {rounds:,} transactions"
        f" of {args.batch}\n   (and the same records without the seal, interleaved)"
    )
    pairs = comparison.times(demo_records(args.batch), rounds)
    labels = ("create without seal", "create with seal (append + checkpoint)")
    report(pairs, args.batch, labels, "records", comparison.append_seconds, target=0.10)
    print(f"{'load average after this measurement':<44} {os.getloadavg()[0]:9.1f}")

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        env["auditlog.rule"]._audit_seal_subscribe("res.partner", list(PARTNER_FIELDS))
    log_rounds = max(1, args.logs // args.log_batch)
    log_total = log_rounds * args.log_batch
    print(
        f"\n2. real sealed record: {log_total:,} partners created in {log_rounds:,} transactions"
        f" of {args.log_batch}, each logged\n   by OCA auditlog ({len(PARTNER_FIELDS)} fields):"
        " one sealed auditlog.log with its lines per partner"
    )
    pairs = comparison.times(logged_partners(args.log_batch), log_rounds)
    labels = ("partner create + change log, without seal", "partner create + change log, sealed")
    report(pairs, args.log_batch, labels, "partners", comparison.append_seconds)
    print(f"{'load average after this measurement':<44} {os.getloadavg()[0]:9.1f}")

    with registry.cursor() as cr:
        remove_unsealed_twins(cr, first_ids)

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        cr.execute("SELECT count(*) FROM audit_seal_entry")
        ledger = cr.fetchone()[0]
        print(f"\nverifying the whole ledger ({ledger:,} entries)")
        verification = env["audit.seal.verification"]
        chain, _ = measure(
            "verify in Odoo: chain + signatures",
            lambda: verification._seal_verify(check_records=False),
            ledger,
        )
        full, _ = measure(
            "verify in Odoo: + re-check of every row",
            lambda: verification._seal_verify(check_records=True),
            ledger,
        )
        export_path = os.path.join(key_dir.name, "chain.ndjson")

        def write_export():
            with open(export_path, "wb") as handle:
                for line in env["audit.seal.entry"]._seal_export_lines():
                    handle.write(line)

        measure("export NDJSON", write_export, ledger)
        cr.rollback()

    def offline():
        with open(export_path, "rb") as handle:
            return verify_export(handle)

    offline_result, _ = measure("offline verifier (lib, streaming the file)", offline, ledger)
    size = os.path.getsize(export_path)
    print(
        f"export size {size / 2**20:.1f} MiB; max RSS of this process "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    for name, result in (("chain", chain), ("full", full), ("offline", offline_result)):
        print(
            f"result {name:<8} ok={result['ok']} entries={result['entries']:,} "
            f"first_bad_seq={result['first_bad_seq']} {result['reason']}"
        )

    key_dir.cleanup()
    if not args.keep_db:
        from odoo.sql_db import close_db

        close_db(args.db)
        subprocess.run(["dropdb", "--if-exists", args.db], check=False)
        filestore = config.filestore(args.db)
        subprocess.run(["rm", "-rf", filestore], check=False)


if __name__ == "__main__":
    main()
