#!/usr/bin/env python3
"""Benchmark of audit_seal: append N entries, verify them, print throughput and peak memory.

    python3 bench/bench_audit_seal.py                 # N = 20,000, 200 records per transaction
    python3 bench/bench_audit_seal.py -n 1000000      # up to a million entries
    python3 bench/bench_audit_seal.py -n 50000 --batch 20 --db seal_bench --keep-db

What it measures, in one run on one database (created fresh unless --reuse-db):

* append: the same ``audit.seal.demo.record`` batches created and committed through the ORM,
  alternately without the seal (the pre-commit registration patched out, in this process only)
  and with it; the seal's overhead is the ratio of the two wall times (target: <= 10 %);
* verify in Odoo: ``_seal_verify`` on the chain alone (hashes + signatures) and with the
  re-check of every sealed record's row (``verify_chain()``'s default);
* offline: the NDJSON export written to a file, then verified by the standalone verifier's
  code (``lib/export.py``), which streams the file (target: >= 50,000 entries/s).

Peak memory is the ``tracemalloc`` peak of each verification: it stays flat as N grows because
verification streams (chunks in Odoo, one line at a time offline). No assertion is made here;
the figures are printed.
"""

import argparse
import os
import resource
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

    entry_class = registry["audit.seal.entry"]
    original_register = entry_class._seal_register_pending

    def create_batch(round_no, sealed):
        entry_class._seal_register_pending = (
            original_register if sealed else (lambda self, records: None)
        )
        with registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {})
            env["audit.seal.demo.record"].create(
                [
                    {
                        "name": f"Lot {round_no}-{i}",
                        "reference": f"(01)0761234567890{i % 10}(10)L{round_no}",
                        "quantity": i + 0.5,
                        "kind": "shipment" if i % 2 else "receipt",
                        "note": "批号 sterile",
                    }
                    for i in range(args.batch)
                ]
            )
        entry_class._seal_register_pending = original_register

    with registry.cursor() as cr:
        cr.execute("SELECT coalesce(max(id), 0) FROM audit_seal_demo_record")
        first_id = cr.fetchone()[0]
    rounds = max(1, args.entries // args.batch)
    total = rounds * args.batch
    print(
        f"\nappending {total:,} entries in {rounds:,} transactions of {args.batch} records "
        f"(and the same records without the seal, interleaved)"
    )
    times = {True: 0.0, False: 0.0}
    progress = max(1, rounds // 10)
    for round_no in range(rounds):
        order = (False, True) if round_no % 2 else (True, False)
        for sealed in order:
            started = time.perf_counter()
            create_batch(round_no, sealed)
            times[sealed] += time.perf_counter() - started
        if (round_no + 1) % progress == 0:
            print(f"  {round_no + 1:>8,} / {rounds:,} rounds", flush=True)
    overhead = times[True] / times[False] - 1
    print(
        f"{'create without seal':<44} {times[False]:9.2f} s  "
        f"{total / times[False]:12,.0f} records/s"
    )
    print(
        f"{'create with seal (append + checkpoint)':<44} {times[True]:9.2f} s  "
        f"{total / times[True]:12,.0f} entries/s"
    )
    print(f"{'seal overhead (target <= 10 %)':<44} {overhead * 100:8.1f} %")

    # the unsealed twins would be reported as records without entry: remove them
    with registry.cursor() as cr:
        cr.execute("SET LOCAL session_replication_role = replica")
        cr.execute(
            "DELETE FROM audit_seal_demo_record r WHERE r.id > %s AND NOT EXISTS ("
            "SELECT 1 FROM audit_seal_entry e WHERE e.res_model = 'audit.seal.demo.record' "
            "AND e.res_id = r.id)",
            [first_id],
        )
        plain_ids = cr.rowcount
    print(f"(removed {plain_ids:,} unsealed baseline records)")

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
