"""The pieces every load and fault script shares: an own PostgreSQL 15 cluster, an Odoo server
in prefork mode against it, and small helpers (never the main cluster on port 5432).

Everything the scripts start is stopped by them; state lives under ``var/load/`` of the
repository (the Odoo config, log, signing key, the build's metadata).
"""

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
ADDONS = ROOT / "addons"
VAR = ROOT / "var" / "load"
PG_VERSION = "15"
SOCKET_DIR = "/var/run/postgresql"
SUITE_DB = "load_suite"
PLAIN_DB = "load_plain"
META = VAR / "meta.json"
LOCK_LOGGER = "odoo.addons.audit_seal.chain_lock"


def say(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


# ------------------------------------------------------------------------------ PostgreSQL


class Cluster:
    """A PostgreSQL 15 cluster of our own (``pg_createcluster``), on its own port."""

    def __init__(self, name="load", port=5499):
        if int(port) == 5432:
            sys.exit("refusing to use port 5432: that is the main cluster")
        self.name = name
        self.port = int(port)

    @property
    def env(self):
        """Environment for libpq clients (Odoo reads PGHOST/PGPORT too)."""
        return dict(os.environ, PGHOST=SOCKET_DIR, PGPORT=str(self.port))

    def use(self):
        """Point this process (and its children) at the cluster."""
        os.environ.update(PGHOST=SOCKET_DIR, PGPORT=str(self.port))

    def exists(self):
        out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
        return any(line.split()[:2] == [PG_VERSION, self.name] for line in out.splitlines())

    def online(self):
        out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            cols = line.split()
            if cols[:2] == [PG_VERSION, self.name]:
                return cols[3].startswith("online")  # "online,recovery" for a standby
        return False

    def ctl(self, action, *extra):
        subprocess.run(["pg_ctlcluster", PG_VERSION, self.name, action, *extra], check=True)

    def start(self, **settings):
        """Create the cluster on the first run, start it; a superuser role for root."""
        if not self.exists():
            say(f"creating PostgreSQL {PG_VERSION} cluster {self.name} on port {self.port}")
            options = []
            for key, value in {
                "max_connections": 200,
                "shared_buffers": "256MB",
                "fsync": "on",
                "wal_level": "replica",
                "max_wal_senders": 4,
                "hot_standby": "on",
                **settings,
            }.items():
                options += ["-o", f"{key}={value}"]
            subprocess.run(
                ["pg_createcluster", PG_VERSION, self.name, "-p", str(self.port), *options],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        if not self.online():
            self.ctl("start")
        self.wait()
        self.psql_as_postgres(
            "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_setting("
            "'load.root')) THEN CREATE ROLE root SUPERUSER LOGIN; END IF; END$$",
            options="-c load.root=root",
        )
        return self

    def psql_as_postgres(self, sql, options=""):
        env = dict(self.env, PGOPTIONS=options)
        subprocess.run(
            ["runuser", "-u", "postgres", "--", "psql", "-qAt", "-d", "postgres", "-c", sql],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )

    def wait(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            done = subprocess.run(
                ["pg_isready", "-q", "-h", SOCKET_DIR, "-p", str(self.port)], check=False
            )
            if done.returncode == 0:
                return True
            time.sleep(0.3)
        raise RuntimeError(f"cluster {self.name} not ready after {timeout} s")

    def stop(self):
        if self.online():
            self.ctl("stop", "-m", "fast")

    def drop(self):
        if self.exists():
            subprocess.run(["pg_dropcluster", "--stop", PG_VERSION, self.name], check=False)

    def query(self, db, sql, params=None):
        """Rows of ``sql`` on ``db`` (a short-lived connection)."""
        import psycopg2

        with psycopg2.connect(dbname=db, host=SOCKET_DIR, port=self.port) as cnx:
            with cnx.cursor() as cr:
                cr.execute(sql, params)
                rows = cr.fetchall() if cr.description else []
        cnx.close()
        return rows

    def value(self, db, sql, params=None):
        return self.query(db, sql, params)[0][0]


# ------------------------------------------------------------------------------ Odoo


class OdooServer:
    """``odoo`` in prefork mode on our cluster (nice 10), logging to ``var/load/<name>.log``."""

    def __init__(
        self, cluster, port=18769, workers=4, name="odoo", dbs=(SUITE_DB, PLAIN_DB), extra=()
    ):
        self.cluster = cluster
        self.port = port
        self.workers = workers
        self.name = name
        self.dbs = dbs
        self.extra = list(extra)
        self.process = None
        VAR.mkdir(parents=True, exist_ok=True)
        self.log = VAR / f"{name}.log"
        self.config = VAR / f"{name}.conf"

    def write_config(self, **options):
        options = {
            "addons_path": str(ADDONS),
            "audit_seal_private_key_file": str(signing_key()),
            "db_host": SOCKET_DIR,
            "db_port": self.cluster.port,
            "db_maxconn": 32,
            "list_db": False,
            **options,
        }
        lines = ["[options]"] + [f"{key} = {value}" for key, value in options.items()]
        self.config.write_text("\n".join(lines) + "\n")

    def start(self, wait=True, **options):
        self.write_config(**options)
        self.log.write_text("")
        command = [
            "nice",
            "-n",
            "10",
            sys.executable,
            "-m",
            "odoo",
            "-c",
            str(self.config),
            f"--http-port={self.port}",
            f"--gevent-port={self.port + 1}",
            "--http-interface=127.0.0.1",
            f"--workers={self.workers}",
            "--max-cron-threads=1",
            "--limit-time-real=600",
            "--limit-time-cpu=300",
            "--limit-memory-soft=2147483648",
            "--limit-memory-hard=2684354560",
            f"--db-filter=^({'|'.join(self.dbs)})$",
            f"--logfile={self.log}",
            "--log-level=info",
            f"--log-handler={LOCK_LOGGER}:DEBUG",
            *self.extra,
        ]
        self.process = subprocess.Popen(
            command,
            cwd="/opt/odoo-src",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env=self.cluster.env,
        )
        if wait:
            self.wait_up()
        return self

    def url(self, path=""):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_up(self, timeout=180):
        """Seconds until /web/health answers (raises after ``timeout``)."""
        started = time.time()
        while time.time() - started < timeout:
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"odoo exited with {self.process.returncode}; see {self.log}")
            try:
                if requests.get(self.url("/web/health"), timeout=2).ok:
                    return time.time() - started
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"odoo did not answer within {timeout} s; see {self.log}")

    def children(self):
        """PIDs of the prefork children of our master (HTTP workers, cron, gevent)."""
        out = subprocess.run(
            ["ps", "-o", "pid=,args=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
        ).stdout
        found = {"http": [], "cron": [], "gevent": []}
        for line in out.splitlines():
            pid, _sep, args = line.strip().partition(" ")
            # every child has --gevent-port in its arguments; the gevent one runs "gevent"
            kind = "gevent" if "gevent" in args.split() else "http"
            found[kind].append(int(pid))
        # the cron worker is not told apart by its command line: Odoo logs "WorkerCron (pid)"
        crons = set(map(int, re.findall(r"WorkerCron \((\d+)\) alive", self.log.read_text())))
        found["cron"] = [pid for pid in found["http"] if pid in crons]
        found["http"] = [pid for pid in found["http"] if pid not in crons]
        return found

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_text(self):
        return self.log.read_text(errors="replace")


def signing_key():
    """The Ed25519 key file the load databases sign with (created once)."""
    path = VAR / "signing_key.pem"
    if not path.exists():
        sys.path.insert(0, "/opt/odoo-src")
        sys.path.insert(0, str(ADDONS.parent))
        import odoo.addons  # noqa: F401

        odoo_addons = sys.modules["odoo.addons"]
        if str(ADDONS) not in odoo_addons.__path__:
            odoo_addons.__path__.append(str(ADDONS))
        from odoo.addons.audit_seal.lib.keys import generate_private_key_pem

        VAR.mkdir(parents=True, exist_ok=True)
        path.write_bytes(generate_private_key_pem())
        path.chmod(0o600)
    return path


def meta():
    return json.loads(META.read_text())


# ------------------------------------------------------------------------------ roles, clients

#: the internal roles of the load mix, each with a login of its own (created by build_db.py with
#: the suite's groups; in plain Odoo, with those of them that exist there): role -> (login,
#: groups). The distributors log in to the portal as their own portal users.
ROLES = {
    "clerk": (
        "load_clerk",
        (
            "base.group_user",
            "stock.group_stock_user",
            "stock.group_production_lot",
            "udi_master.group_trace_user",
        ),
    ),
    "production": (
        "load_production",
        (
            "base.group_user",
            "mrp.group_mrp_user",
            "stock.group_production_lot",
            "udi_master.group_trace_user",
        ),
    ),
    # the quality manager: traces over JSON-2 (a Traceability Manager, as the demo's qm)
    "quality": ("load_quality", ("base.group_user", "udi_master.group_trace_manager")),
    # the API user of an integration (a WMS capturing EPCIS events): Traceability User only
    "integration": ("load_integration", ("base.group_user", "udi_master.group_trace_user")),
}
#: roles that call JSON-2 with an API key of their own
API_ROLES = ("quality", "integration")


def role_account(dbmeta, role):
    """``{login, password[, api_key]}`` of ``role`` in one database's metadata."""
    try:
        return dbmeta["roles"][role]
    except KeyError:
        sys.exit(
            f"no {role!r} login in {META}: rebuild the load databases, or add the role logins "
            "to the existing build with: python3 tests/load/build_db.py --roles-only"
        )


def login_params(db, account):
    """The ``/web/session/authenticate`` parameters of ``account`` (``{login, password}``)."""
    return {"db": db, "login": account["login"], "password": account["password"]}


def jsonrpc_body(params):
    return {"jsonrpc": "2.0", "method": "call", "id": random.randrange(1 << 30), "params": params}


def call_kw(model, method, args, kwargs=None):
    """``(path, params)`` of the web client's ``call_kw`` of ``model.method``."""
    params = {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
    return f"/web/dataset/call_kw/{model}/{method}", params


def call_button(model, method, ids):
    """``(path, params)`` of the web client's click on a button of ``ids``."""
    params = {"model": model, "method": method, "args": [ids], "kwargs": {"context": {}}}
    return f"/web/dataset/call_button/{model}/{method}", params


def json2_headers(api_key, db):
    return {"Authorization": f"bearer {api_key}", "X-Odoo-Database": db}


def picking_types(call):
    """{in, out, stock, supplier, customer}: the ids a clerk's pickings need, read with
    ``call(model, method, args, kwargs, name)`` (the web client's ``call_kw``)."""
    warehouse = call(
        "stock.warehouse",
        "search_read",
        [[]],
        {"fields": ["in_type_id", "out_type_id", "lot_stock_id"], "limit": 1},
        "clerk: load warehouse",
    )[0]
    locations = call(
        "stock.location",
        "search_read",
        [[("usage", "in", ("supplier", "customer"))]],
        {"fields": ["usage"], "order": "id"},
        "clerk: load locations",
    )
    return {
        "in": warehouse["in_type_id"][0],
        "out": warehouse["out_type_id"][0],
        "stock": warehouse["lot_stock_id"][0],
        **{loc["usage"]: loc["id"] for loc in reversed(locations)},
    }


def shipping_event(gtin, serial, source_gln, dest_gln, now):
    """An EPCIS 2.0 ObjectEvent: ``serial`` shipped from one GLN to another at ``now``."""

    def pgln(gln):
        return f"urn:epc:id:pgln:{gln[:6]}.{gln[6:12]}"

    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:{uuid.uuid4()}",
        "eventTime": now.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": now.strftime("%z")[:3] + ":" + now.strftime("%z")[3:],
        "epcList": [f"https://id.gs1.org/01/{gtin}/21/{serial}"],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": f"urn:epc:id:sgln:{source_gln[:6]}.{source_gln[6:12]}.0"},
        "sourceList": [{"type": "owning_party", "source": pgln(source_gln)}],
        "destinationList": [{"type": "owning_party", "destination": pgln(dest_gln)}],
    }


# ------------------------------------------------------------------------------ log figures


LOCK_RE = re.compile(r"chain lock waited ([0-9.]+) ms for (\d+) entries")
RETRY_RE = re.compile(r"odoo\.service\.model: ([A-Z_]+), (\d+) tries left")
GAVE_UP_RE = re.compile(r"odoo\.service\.model: ([A-Z_]+), maximum number of tries reached")
#: an append whose bounded wait for the chain lock ran out (audit_seal, WARNING)
BUSY_RE = re.compile(r"chain lock not free after ([0-9.]+) ms \(bound (\d+) ms\)")


def busy_waits(text):
    """``[(waited ms, bound ms)]`` of the appends that gave up waiting for the chain lock."""
    return [(float(m.group(1)), int(m.group(2))) for m in BUSY_RE.finditer(text)]


def log_figures(text):
    """Lock waits (ms), serialisation retries and exhausted retries found in an Odoo log."""
    waits = [float(m.group(1)) for m in LOCK_RE.finditer(text)]
    retries = {}
    for m in RETRY_RE.finditer(text):
        retries[m.group(1)] = retries.get(m.group(1), 0) + 1
    gave_up = {}
    for m in GAVE_UP_RE.finditer(text):
        gave_up[m.group(1)] = gave_up.get(m.group(1), 0) + 1
    return waits, retries, gave_up


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]
