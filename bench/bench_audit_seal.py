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

  1. ``audit.seal.test.record`` (test-only module ``test_audit_seal``), the test model (eight
     plain fields, no business logic): the seal against the cheapest create Odoo has. Then the
     floor of any ledger that stores each sealed payload, measured on the same rows (see
     :func:`measure_floor`): when the floor alone is above 10 % of the bare create, no append
     can meet the 10 % target on this model here, and the bench says so;
  2. a sealed business record: partners created under OCA auditlog's change log subscribed to
     eight partner fields (``--logs`` partners, ``--log-batch`` per transaction), each creation
     logged as one sealed ``auditlog.log`` with its lines, against the same business operation
     without the seal (target: <= 10 %). The other sealed business record, the trace event, is
     measured by ``bench_trace_events.py`` (1b, same target).

* verify in Odoo: ``_seal_verify`` on the chain alone (hashes + signatures) and with the
  re-check of every sealed record's row (``verify_chain()``'s default);
* offline: the NDJSON export written to a file, then verified by the standalone verifier's
  code (``lib/export.py``), which streams the file (target: >= 50,000 entries/s).

``--verify-db DB`` measures verification alone on the real payloads of an existing database
(e.g. the kept 1M-line ``epcis_rest_bench_suite``, mostly trace events with their lines),
read-only (``default_transaction_read_only``: nothing can be written): the chain (hashes,
envelope columns, signatures; MB/s of payload, target >= 50 MB/s), then the chain with the
re-check of every sealed record (records/s, target >= 10,000), each ``--repeat`` times (the
best is kept), with the process's CPU time and its RSS after the first and the last chunk
(flat memory).

Peak memory is the ``tracemalloc`` peak of each verification: it stays flat as N grows because
verification streams (chunks in Odoo, one line at a time offline). No assertion is made here;
the figures are printed. Wall times depend on the machine and on its load: run it on an idle
machine, and compare runs of the same machine only.
"""

import argparse
import io
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
#: the addons and the test-only module test_audit_seal, whose sealed test model is measured
ADDONS = f"{ROOT / 'addons'},{ROOT / 'tests'}"


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
    parser.add_argument(
        "--verify-db",
        metavar="DB",
        help="only measure verification on the real payloads of DB (read-only)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of --verify-db (best kept)")
    return parser.parse_args()


def prepare_db(db, reuse):
    if reuse:
        return
    subprocess.run(["dropdb", "--if-exists", db], check=True)
    print(f"installing audit_seal and its test model in {db} ...", flush=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            db,
            f"--addons-path={ADDONS}",
            "-i",
            "audit_seal,test_audit_seal",
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
        self.payload_seconds = 0.0  # of which building the canonical payloads
        self.commit_seconds = {True: 0.0, False: 0.0}  # the commits, the append included
        self._time("_seal_append", "append_seconds")
        self._time("_seal_build_payloads", "payload_seconds")

    def _time(self, method, attribute):
        """Add the time spent in the ledger model's ``method`` to ``self.<attribute>``."""
        original = getattr(self.entry_class, method)

        def timed(entry_model, items, **kwargs):
            started = time.perf_counter()
            try:
                return original(entry_model, items, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                setattr(self, attribute, getattr(self, attribute) + elapsed)

        setattr(self.entry_class, method, timed)

    def run_batch(self, create, round_no, sealed):
        """One transaction of ``create(env, round_no)``, with or without the seal."""
        if not sealed:
            self.entry_class._seal_register_pending = lambda self, records: None
        try:
            with self.registry.cursor() as cr:
                commit = cr.commit

                def timed_commit():
                    started = time.perf_counter()
                    try:
                        return commit()
                    finally:
                        self.commit_seconds[sealed] += time.perf_counter() - started

                cr.commit = timed_commit  # what leaving the block calls
                create(self.api.Environment(cr, self.api.SUPERUSER_ID, {}), round_no)
        finally:
            self.entry_class._seal_register_pending = self.original_register

    def times(self, create, rounds):
        """[(sealed seconds, plain seconds)] of ``rounds`` pairs of batches, alternating which
        goes first, after one untimed warm-up batch of each."""
        for sealed in (True, False):
            self.run_batch(create, -1, sealed)
        self.append_seconds = self.payload_seconds = 0.0
        self.commit_seconds = {True: 0.0, False: 0.0}
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


def report(pairs, batch, labels, unit, comparison, target=None):
    """Print both timings, the seal's absolute cost per sealed record and its overhead: over
    the whole run, as the median of the rounds (less sensitive to a busy machine), the time
    of the append alone (timed inside the sealed commits) and that of the rest of the commit
    call in both arms (Odoo's last flush and the COMMIT, whose WAL flush the ledger rows make
    longer). Returns the time of a record without the seal and the overhead."""
    append_seconds = comparison.append_seconds
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
    commits = comparison.commit_seconds
    print(
        f"{'the commit call itself, sealed / plain':<44} "
        f"{(commits[True] - append_seconds) / total * 1e6:9.1f} us"
        f" / {commits[False] / total * 1e6:.1f} us per record (Odoo's last flush and the"
        " COMMIT, the append excluded)"
    )
    label = "seal overhead"
    if target is not None:
        label = f"seal overhead (target <= {target * 100:.0f} %)"
    print(
        f"{label:<44} {overhead * 100:9.1f} %  (median of the rounds: "
        f"{median_overhead * 100:.1f} %)"
        + ("" if target is None else f"  target {'met' if overhead <= target else 'NOT met'}")
    )
    return times[False] / total, overhead


def sealed_test_records(batch):
    """1. the trivial sealed model: the seal against a bare ORM create."""

    def create(env, round_no):
        env["audit.seal.test.record"].create(
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


FLOOR_TABLES = ("audit_seal_floor_indexed", "audit_seal_floor_bare")


def measure_floor(registry, first_seq, batch, payload_seconds, sealed, sample=20000):
    """The floor of a ledger that stores each sealed payload, on the rows that 1. appended.

    * the canonical payloads: their build time, timed inside the appends of 1. (``sealed``
      records);
    * the SHA-256 chain over them (``lib.chain.chain_hashes``), on the first ``sample`` rows;
    * PostgreSQL's cost of the rows themselves, on the same sample: the very COPY data the
      append sends, into a copy of the ledger table with its indexes and into a bare table
      without any index (both made for this and dropped after), ``batch`` rows per
      transaction, alternately. The COPY statements are timed, not the commits (a sealed
      transaction shares its commit with the records).

    The append's own work on top (the chain lock and head, the signature, the checkpoint row,
    formatting the COPY data) is left out: this is the least that storing and chaining these
    payloads costs here, whatever the design. Returns (seconds per record: bare, indexed).
    """
    from odoo.addons.audit_seal.lib.chain import chain_hashes
    from odoo.addons.audit_seal.models.audit_seal_entry import COPY_COLUMNS, _copy_rows

    with registry.cursor() as cr:
        cr.execute(
            "SELECT seq, res_model, res_id, op, user_id, sealed_at, payload, prev_hash, company_id "
            "FROM audit_seal_entry WHERE seq > %s AND res_model = 'audit.seal.test.record' "
            "ORDER BY seq LIMIT %s",
            [first_seq, sample],
        )
        rows = cr.fetchall()
        indexed, bare = FLOOR_TABLES
        cr.execute(
            f"CREATE TABLE {indexed} (LIKE audit_seal_entry INCLUDING INDEXES);"
            f"CREATE SEQUENCE {indexed}_id_seq OWNED BY {indexed}.id;"
            f"ALTER TABLE {indexed} ALTER id SET DEFAULT nextval('{indexed}_id_seq');"
            f"CREATE TABLE {bare} AS TABLE audit_seal_entry WITH NO DATA"
        )
    hash_seconds = 0.0
    copy_seconds = dict.fromkeys(FLOOR_TABLES, 0.0)
    try:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            seq, sealed_at, prev_hash = chunk[0][0], chunk[0][5], chunk[0][7]
            payloads = [row[6].encode() for row in chunk]
            started = time.perf_counter()
            chain_hashes(prev_hash, seq, payloads)
            hash_seconds += time.perf_counter() - started
            entries = [
                (model, res_id, op, uid, company, payload)
                for (_s, model, res_id, op, uid, _t, _text, _p, company), payload in zip(
                    chunk, payloads, strict=True
                )
            ]
            data = b"".join(_copy_rows(seq, sealed_at, entries, prev_hash, [], len(chunk)))
            order = FLOOR_TABLES if start // batch % 2 else FLOOR_TABLES[::-1]
            for table in order:
                with registry.cursor() as cr:
                    started = time.perf_counter()
                    cr.copy_expert(
                        f"COPY {table} ({COPY_COLUMNS}) FROM STDIN WITH (FORMAT binary)",
                        io.BytesIO(data),
                    )
                    copy_seconds[table] += time.perf_counter() - started
    finally:
        with registry.cursor() as cr:
            cr.execute(f"DROP TABLE IF EXISTS {', '.join(FLOOR_TABLES)}")
    count = len(rows)
    payload, chain = payload_seconds / sealed, hash_seconds / count
    floors = [payload + chain + copy_seconds[table] / count for table in (bare, indexed)]
    print(
        f"\n   the floor of a ledger that stores each payload, on the rows above ({count:,} "
        "for the chain and COPY):"
    )
    for label, seconds in (
        ("canonical payloads (built in the appends above)", payload),
        ("SHA-256 chain over them", chain),
        ("COPY of the rows into a bare table", copy_seconds[bare] / count),
        ("COPY into a table with the ledger's indexes", copy_seconds[indexed] / count),
    ):
        print(f"   {label:<52} {seconds * 1e6:6.1f} us")
    return floors


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
        "DELETE FROM audit_seal_test_record r WHERE r.id > %s AND NOT EXISTS ("
        "SELECT 1 FROM audit_seal_entry e WHERE e.res_model = 'audit.seal.test.record' "
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
    print(f"\n(removed {records:,} unsealed test records and {cr.rowcount:,} unsealed logs)")


def _rss_mib():
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def verify_existing(db, repeat):
    """``--verify-db``: verification's throughput on the real payloads of ``db``, read-only."""
    os.environ["PGOPTIONS"] = "-c default_transaction_read_only=on"
    import odoo
    import odoo.modules.module
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-d", db, f"--addons-path={ADDONS},{ROOT / 'demo'}", "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()
    from odoo import api

    registry = Registry(db)
    with registry.cursor() as cr:
        cr.execute("SELECT count(*), coalesce(sum(octet_length(payload)), 0) FROM audit_seal_entry")
        entries, payload = cr.fetchone()
        cr.execute(
            "SELECT res_model, count(*), avg(octet_length(payload))::int FROM audit_seal_entry "
            "GROUP BY 1 ORDER BY 2 DESC"
        )
        models = cr.fetchall()
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        verification = type(env["audit.seal.verification"])
        rss = []
        check_rows = verification._seal_check_rows

        def sampled(self, rows, purged):
            result = check_rows(self, rows, purged)
            rss.append(_rss_mib())
            return result

        print(
            f"\nverification of {db} (read-only): {entries:,} entries, "
            f"{payload / 1e6:,.1f} MB of payload; "
            + ", ".join(f"{model} {count:,} (avg {size:,} B)" for model, count, size in models)
        )
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        for label, check in (("chain + signatures", False), ("+ re-check of every record", True)):
            best = None
            for _run in range(repeat):
                del rss[:]
                verification._seal_check_rows = sampled
                try:
                    wall, cpu = time.perf_counter(), time.process_time()
                    result = env["audit.seal.verification"]._seal_verify(check_records=check)
                    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                finally:
                    verification._seal_check_rows = check_rows
                env.invalidate_all()
                if best is None or wall < best[0]:
                    best = (wall, cpu, result, list(rss))
            wall, cpu, result, chunks_rss = best
            checked = result["records_checked"]
            figure = (
                f"{checked / wall:10,.0f} records/s"
                if check
                else f"{payload / 1e6 / wall:10,.1f} MB/s    "
            )
            print(
                f"{label:<28} {wall:7.2f} s (CPU {cpu:6.2f} s) {entries / wall:9,.0f} entries/s "
                f"{figure}  load {os.getloadavg()[0]:.1f}"
                + (
                    f"  RSS {chunks_rss[0]:.0f} MiB after the first chunk, "
                    f"{chunks_rss[-1]:.0f} MiB after the last"
                    if chunks_rss
                    else ""
                )
            )
            print(
                f"{'':<28} ok={result['ok']} records checked {checked:,} "
                f"first_bad_seq={result['first_bad_seq']} {result['reason'][:100]}"
            )
        cr.rollback()


def main():
    args = parse_args()
    if args.verify_db:
        verify_existing(args.verify_db, args.repeat)
        return
    if not args.db.startswith("seal_"):
        sys.exit("use a database name starting with seal_")
    prepare_db(args.db, args.reuse_db)
    registry, key_dir = open_registry(args.db)
    from odoo import api

    comparison = Comparison(registry, api)
    with registry.cursor() as cr:
        cr.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM audit_seal_test_record), "
            "(SELECT coalesce(max(id), 0) FROM auditlog_log)"
        )
        first_ids = cr.fetchone()

    print(
        f"\nmachine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
        "(other load makes the figures below noisier and the overhead ratios less certain)"
    )
    measure_demo_records(registry, comparison, args)
    measure_change_log(registry, comparison, args)
    with registry.cursor() as cr:
        remove_unsealed_twins(cr, first_ids)
    verify_ledger(registry, key_dir.name)
    key_dir.cleanup()
    if not args.keep_db:
        drop_db(args.db)


def open_registry(db):
    """Odoo's registry of ``db``, signing with a key file made for this run (in the returned
    temporary directory, where the export is written too)."""
    import odoo
    import odoo.modules.module
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-d", db, f"--addons-path={ADDONS}", "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()

    from odoo.addons.audit_seal.lib.keys import generate_private_key_pem

    key_dir = tempfile.TemporaryDirectory(prefix="seal_bench_")
    key_path = os.path.join(key_dir.name, "bench.pem")
    with open(key_path, "wb") as handle:
        handle.write(generate_private_key_pem())
    config["audit_seal_private_key_file"] = key_path
    odoo.netsvc.init_logger()
    return Registry(db), key_dir


def measure_demo_records(registry, comparison, args):
    """1. the test model: the seal against a bare create, then the floor of any ledger."""
    rounds = max(1, args.entries // args.batch)
    total = rounds * args.batch
    print(
        f"\n1. the test model, without business logic: {total:,} audit.seal.test.record in "
        f"{rounds:,} transactions of {args.batch}\n   (and the same records without the seal, "
        "interleaved)"
    )
    with registry.cursor() as cr:
        cr.execute("SELECT coalesce(max(seq), 0) FROM audit_seal_entry")
        first_seq = cr.fetchone()[0]
    pairs = comparison.times(sealed_test_records(args.batch), rounds)
    labels = ("create without seal", "create with seal (append + checkpoint)")
    bare, _overhead = report(pairs, args.batch, labels, "records", comparison)
    print(f"{'load average after this measurement':<44} {os.getloadavg()[0]:9.1f}")
    floors = measure_floor(registry, first_seq, args.batch, comparison.payload_seconds, total)
    print(
        f"   {'floor: payloads + chain + COPY (bare / indexed)':<52} "
        f"{floors[0] * 1e6:6.1f} / {floors[1] * 1e6:.1f} us = {floors[0] / bare * 100:.1f} / "
        f"{floors[1] / bare * 100:.1f} % of a record without seal"
    )
    if floors[1] / bare > 0.10:
        print(
            f"   Creating one of these records costs Odoo {bare * 1e6:.0f} us; storing and "
            "chaining its payload in the\n   ledger table costs more than 10 % of that by "
            "itself, before any lock or signature. The\n   <= 10 % target is measured on "
            "sealed business records: 2. below, and the trace events\n   of "
            "bench_trace_events.py (1b)."
        )
    else:
        print(
            f"   within 10 %, the floor leaves {(0.10 * bare - floors[1]) * 1e6:.1f} us per "
            "record for the lock, signature and checkpoint"
        )


def measure_change_log(registry, comparison, args):
    """2. a sealed business record: partners created under the sealed change log."""
    from odoo import api

    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        env["auditlog.rule"]._audit_seal_subscribe("res.partner", list(PARTNER_FIELDS))
    log_rounds = max(1, args.logs // args.log_batch)
    log_total = log_rounds * args.log_batch
    print(
        f"\n2. a sealed business record: {log_total:,} partners created in {log_rounds:,} "
        f"transactions of {args.log_batch}, each logged\n   by OCA auditlog "
        f"({len(PARTNER_FIELDS)} fields): one sealed auditlog.log with its lines per partner"
    )
    pairs = comparison.times(logged_partners(args.log_batch), log_rounds)
    labels = ("partner create + change log, without seal", "partner create + change log, sealed")
    report(pairs, args.log_batch, labels, "partners", comparison, target=0.10)
    print(f"{'load average after this measurement':<44} {os.getloadavg()[0]:9.1f}")


def verify_ledger(registry, export_dir):
    """Verify the whole ledger in Odoo (chain alone, then with every row), export it as
    NDJSON into ``export_dir`` and verify the file offline; print the results."""
    from odoo import api

    from odoo.addons.audit_seal.lib.export import verify_export

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
        export_path = os.path.join(export_dir, "chain.ndjson")

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


def drop_db(db):
    from odoo.sql_db import close_db
    from odoo.tools import config

    close_db(db)
    subprocess.run(["dropdb", "--if-exists", db], check=False)
    filestore = config.filestore(db)
    subprocess.run(["rm", "-rf", filestore], check=False)


if __name__ == "__main__":
    main()
