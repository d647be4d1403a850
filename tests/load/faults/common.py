"""What every fault script shares: the cluster and Odoo of the load harness (built by
build_db.py when missing), clients of the web client's calls and of JSON-2, the checks made
after every fault, and the PASS/FAIL verdict.

The checks (issue 17):

* the sealed chain verifies (``audit.seal.entry.verify_chain``, every row re-checked);
* the consistency check finds no difference (``trace.event.check_consistency``);
* every request that got a success answer is stored exactly once (the script gives the
  evidence: events by their EPCIS eventID, pickings done), and none that failed is stored twice;
* nothing half-written: no event without its ledger entry, no done move line without its event
  line and no event line without its move line (the consistency check), no recall notice
  mailed twice;
* the server answers again (``/web/health`` and a JSON-2 read) within the stated time.
"""

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import loadlib  # noqa: E402
from loadlib import SUITE_DB, say  # noqa: E402

PACEMAKER_GTIN = "06901234500011"


class Verdict:
    def __init__(self, name):
        self.name = name
        self.checks = []

    def check(self, label, ok, detail=""):
        self.checks.append((label, bool(ok), detail))
        print(
            f"  [{'ok' if ok else 'FAIL'}] {label}{': ' + str(detail) if detail else ''}",
            flush=True,
        )
        return ok

    def finish(self):
        failed = [label for label, ok, _detail in self.checks if not ok]
        print(
            f"\n{'PASS' if not failed else 'FAIL'}: {self.name}"
            + (f" ({len(failed)} check(s) failed: {'; '.join(failed)})" if failed else ""),
            flush=True,
        )
        return 0 if not failed else 1


class Harness:
    """Cluster + prefork Odoo on the suite database, for one fault scenario."""

    def __init__(self, workers=4, http_port=18779, name="fault"):
        # a SIGTERM (timeout, kill) still stops the server and the cluster (__exit__)
        signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
        cluster = loadlib.Cluster()
        self.started_cluster = not cluster.online()  # stopped at the end only then
        self.cluster = cluster.start()
        self.cluster.use()
        dbs = {row[0] for row in self.cluster.query("postgres", "SELECT datname FROM pg_database")}
        if SUITE_DB not in dbs or not loadlib.META.exists():
            subprocess.run(
                [sys.executable, str(loadlib.ROOT / "tests/load/build_db.py"), "--scale", "small"],
                check=True,
            )
        self.meta = loadlib.meta()["dbs"][SUITE_DB]
        self.server = loadlib.OdooServer(
            self.cluster, port=http_port, workers=workers, name=name, dbs=(SUITE_DB,)
        )

    def __enter__(self):
        self.server.start()
        return self

    def __exit__(self, *exc):
        self.server.stop()
        if self.started_cluster:
            self.cluster.stop()

    # -- clients

    def json2(self, model, method, timeout=120, role=None, **params):
        """A JSON-2 call with the API key of ``role``'s login (``loadlib.API_ROLES``), or of
        the administrator (the checks, the recall manager's steps)."""
        key = loadlib.role_account(self.meta, role)["api_key"] if role else self.meta["api_key"]
        response = requests.post(
            self.server.url(f"/json/2/{model}/{method}"),
            json=params,
            timeout=timeout,
            headers=loadlib.json2_headers(key, SUITE_DB),
        )
        if response.status_code >= 400:
            raise requests.HTTPError(
                f"{response.status_code} {model}.{method}: {response.text[:300]}",
                response=response,
            )
        return response.json()

    def web(self, role="clerk"):
        """The web client's session of ``role``'s own login."""
        return WebClient(self.server.url(), loadlib.role_account(self.meta, role))

    def sql(self, query, params=None):
        return self.cluster.query(SUITE_DB, query, params)

    # -- scenario pieces

    def shipping_events(self, count):
        glns, hospitals = self.meta["distributor_glns"], self.meta["hospital_glns"]
        serials = self.meta["serial_names"]
        now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
        return [
            loadlib.shipping_event(
                PACEMAKER_GTIN,
                serials[i % len(serials)],
                glns[i % len(glns)],
                hospitals[i % len(hospitals)],
                now,
            )
            for i in range(count)
        ]

    def prepare_delivery(self, web, units):
        """A receipt of ``units`` new serials validated, then a delivery of them reserved and
        picked; returns the delivery's id (its validation is the scenario's)."""
        types = web.picking_types()
        lots = self._receive_new_serials(web, types, units)
        distributor = self.meta["distributors"][0]
        delivery = self._picking(
            web, types["out"], distributor, types["stock"], types["customer"], units
        )
        web.call("stock.picking", "action_confirm", [[delivery]])
        self._reserve_serials(web, types, delivery, lots)
        return delivery

    def _picking(self, web, picking_type, partner, source, dest, units):
        """A draft picking of ``units`` pacemakers from ``source`` to ``dest``."""
        move = {
            "product_id": self.meta["pacemaker"],
            "product_uom_qty": units,
            "location_id": source,
            "location_dest_id": dest,
        }
        return web.call(
            "stock.picking",
            "create",
            [
                {
                    "picking_type_id": picking_type,
                    "partner_id": partner,
                    "location_id": source,
                    "location_dest_id": dest,
                    "move_ids": [(0, 0, move)],
                }
            ],
        )

    def _receive_new_serials(self, web, types, units):
        """Receive ``units`` new serials (validated as the clerk's button does); their lot ids."""
        product = self.meta["pacemaker"]
        stamp = uuid.uuid4().hex[:8].upper()
        receipt = self._picking(
            web, types["in"], self.meta["supplier"], types["supplier"], types["stock"], units
        )
        web.call("stock.picking", "action_confirm", [[receipt]])
        data = web.call("stock.picking", "read", [[receipt], ["move_ids", "move_line_ids"]])[0]
        new_lines = [
            (
                0,
                0,
                {
                    "move_id": data["move_ids"][0],
                    "product_id": product,
                    "lot_name": f"FT{stamp}{i:04d}",
                    "quantity": 1,
                    "picked": True,
                    "location_id": types["supplier"],
                    "location_dest_id": types["stock"],
                },
            )
            for i in range(units)
        ]
        old_lines = [(2, line) for line in data["move_line_ids"]]
        web.call("stock.picking", "write", [[receipt], {"move_line_ids": old_lines + new_lines}])
        if isinstance(web.button("stock.picking", "button_validate", [receipt]), dict):
            raise RuntimeError("the receipt opened a wizard")
        return web.call("stock.lot", "search", [[("name", "=like", f"FT{stamp}%")]])

    def _reserve_serials(self, web, types, delivery, lots):
        """Reserve and pick exactly ``lots`` on ``delivery`` (not other serials in stock)."""
        moves = web.call("stock.move", "search", [[("picking_id", "=", delivery)]])
        lines = web.call("stock.move.line", "search", [[("move_id", "in", moves)]])
        web.call("stock.move.line", "unlink", [lines])
        new_lines = [
            (
                0,
                0,
                {
                    "product_id": self.meta["pacemaker"],
                    "lot_id": lot,
                    "quantity": 1,
                    "picked": True,
                    "location_id": types["stock"],
                    "location_dest_id": types["customer"],
                    "picking_id": delivery,
                },
            )
            for lot in lots
        ]
        web.call("stock.move", "write", [moves, {"move_line_ids": new_lines}])
        web.call("stock.move", "write", [moves, {"picked": True}])

    # -- checks

    def wait_serving(self, since, limit):
        """Seconds from ``since`` until /web/health and a JSON-2 read answer (or None)."""
        deadline = since + limit
        while time.time() < deadline:
            try:
                if requests.get(self.server.url("/web/health"), timeout=2).ok:
                    self.json2("res.partner", "search_count", domain=[], timeout=10)
                    return time.time() - since
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.5)
        return None

    def check_serving(self, verdict, since, limit, after="the fault"):
        """Check that the server answers again within ``limit`` seconds of ``since``."""
        served = self.wait_serving(since, limit)
        verdict.check(
            f"the server answers again within {limit:.0f} s",
            served,
            f"{served:.1f} s after {after}" if served else "no answer",
        )

    def kill_during_validation(self, verdict, delivery, find_workers, within=120):
        """The clerk validates ``delivery`` (the web client's call) in a thread, while
        ``find_workers()`` is asked every 50 ms for the pids of the HTTP workers to kill (empty
        until the moment comes; a cron worker is never killed). The first one is killed with
        SIGKILL, and the clerk must get no success answer. Returns the time of the kill, or
        None (a failed check) when the validation ended first."""
        clerk = self.web()
        outcome = {}

        def validate():
            try:
                outcome["result"] = clerk.button("stock.picking", "button_validate", [delivery])
            except Exception as exc:  # noqa: BLE001 - any error is the expected outcome here
                outcome["error"] = f"{type(exc).__name__}: {str(exc)[:100]}"

        crons = set(self.server.children()["cron"])
        thread = threading.Thread(target=validate)
        thread.start()
        victim = None
        deadline = time.time() + within
        while time.time() < deadline and thread.is_alive() and victim is None:
            victim = next((pid for pid in find_workers() if pid not in crons), None)
            time.sleep(0.05)
        if victim is None:
            thread.join()
            verdict.check(
                "the fault was injected (the validation was still running)",
                False,
                f"validation ended first: {outcome}",
            )
            return None
        os.kill(victim, signal.SIGKILL)
        killed_at = time.time()
        log(f"killed worker {victim}")
        thread.join()
        verdict.check(
            "the clerk got no success answer",
            "result" not in outcome,
            outcome.get("error") or outcome.get("result"),
        )
        return killed_at

    def odoo_pids(self, condition, params=None):
        """Pids of the Odoo processes with a database session matching ``condition``."""
        rows = self.sql(
            "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND application_name LIKE 'odoo-%%' AND " + condition,
            params,
        )
        return [int(app.split("-")[1]) for (app,) in rows]

    def delivery_lines(self, web, delivery):
        """``(state, event lines, move lines with an event line)`` of ``delivery``."""
        state = web.call("stock.picking", "read", [[delivery], ["state"]])[0]["state"]
        lines, move_lines = self.sql(
            "SELECT count(*), count(DISTINCT el.move_line_id) FROM trace_event_line el "
            "JOIN stock_move_line ml ON ml.id = el.move_line_id WHERE ml.picking_id = %s",
            [delivery],
        )[0]
        return state, lines, move_lines

    def common_checks(self, verdict):
        """Chain, consistency, half-written records, notices mailed twice."""
        chain = self.json2("audit.seal.entry", "verify_chain", timeout=600, check_records=True)
        verdict.check(
            "the sealed chain verifies (every row re-checked)",
            chain.get("ok"),
            f"{chain.get('entries')} entries" if chain.get("ok") else chain.get("reason"),
        )
        result = self.json2("trace.event", "check_consistency", timeout=600)
        differences = {
            key: len(result[key]) if isinstance(result[key], list) else result[key]
            for key in ("missing", "duplicated", "mismatched", "orphans", "holdings_mismatched")
        }
        verdict.check("the consistency check finds 0 differences", result["ok"], differences)
        # lots queued for a holdings refresh (another transaction was rewriting them) are
        # refreshed after their commit, or by the cron every 5 minutes if the process died
        oldest = self.sql(
            "SELECT extract(epoch FROM now() AT TIME ZONE 'UTC' - min(queued_at)) "
            "FROM trace_holding_pending"
        )[0][0]
        verdict.check(
            "no lot waits more than 6 minutes for its holdings refresh",
            oldest is None or oldest < 360,
            f"{result.get('holdings_queued', 0)} queued"
            + (f", the oldest for {float(oldest):.0f} s" if oldest is not None else ""),
        )
        unsealed = self.sql(
            "SELECT count(*) FROM trace_event e WHERE NOT EXISTS (SELECT 1 FROM "
            "audit_seal_entry s WHERE s.res_model = 'trace.event' AND s.res_id = e.id)"
        )[0][0]
        verdict.check("no event without its ledger entry", unsealed == 0, f"{unsealed} unsealed")
        twice = self.sql(
            "SELECT count(*) FROM (SELECT mm.res_id FROM mail_message mm "
            "WHERE mm.model = 'recall.notice' AND EXISTS (SELECT 1 FROM mail_notification n "
            "WHERE n.mail_message_id = mm.id AND n.notification_type = 'email') "
            "GROUP BY mm.res_id HAVING count(*) > 1) t"
        )[0][0]
        verdict.check("no recall notice mailed twice", twice == 0, f"{twice} notices")

    def events_stored(self, event_ids):
        """{eventID: number of stored events} for ``event_ids``."""
        if not event_ids:
            return {}
        rows = self.sql(
            "SELECT event_uid, count(*) FROM trace_event WHERE event_uid = ANY(%s) "
            "GROUP BY event_uid",
            [list(event_ids)],
        )
        found = dict(rows)
        return {uid: found.get(uid, 0) for uid in event_ids}


class WebClient:
    """The web client's JSON-RPC calls of one login, with its session."""

    def __init__(self, base, account, db=SUITE_DB):
        self.base = base
        self.session = requests.Session()
        self.types = None
        self.rpc("/web/session/authenticate", loadlib.login_params(db, account))

    def rpc(self, path, params, timeout=300):
        response = self.session.post(
            self.base + path, json=loadlib.jsonrpc_body(params), timeout=timeout
        )
        response.raise_for_status()
        data = response.json()
        if "error" in data:
            raise RuntimeError(
                data["error"].get("data", {}).get("message") or data["error"].get("message")
            )
        return data["result"]

    def call(self, model, method, args, kwargs=None, _name=None):
        return self.rpc(*loadlib.call_kw(model, method, args, kwargs))

    def button(self, model, method, ids, timeout=300):
        return self.rpc(*loadlib.call_button(model, method, ids), timeout=timeout)

    def picking_types(self):
        if self.types is None:
            self.types = loadlib.picking_types(self.call)
        return self.types


class Capturer(threading.Thread):
    """Captures batches of events over JSON-2 until stopped; remembers which eventIDs got a
    success answer and which did not."""

    def __init__(self, harness, batch=5, pause=0.2):
        super().__init__(daemon=True)
        self.harness = harness
        self.batch = batch
        self.pause = pause
        self.stop_flag = threading.Event()
        self.ok_ids, self.failed_ids, self.errors = [], [], []
        self.ok_times = []
        self.first_ok_after = {}

    def run(self):
        while not self.stop_flag.is_set():
            events = self.harness.shipping_events(self.batch)
            ids = [event["eventID"] for event in events]
            try:
                self.harness.json2(
                    "trace.event", "capture", timeout=120, role="integration", events=events
                )
                self.ok_ids += ids
                self.ok_times.append(time.time())
                self.first_ok_after.setdefault(len(self.errors), time.time())
            except (requests.RequestException, ValueError) as exc:
                self.failed_ids += ids
                self.errors.append((time.time(), type(exc).__name__, str(exc)[:100]))
            time.sleep(self.pause)

    def stop(self):
        self.stop_flag.set()
        self.join(timeout=180)


def stored_once_checks(harness, verdict, capturer):
    stored = harness.events_stored(capturer.ok_ids)
    not_once = [uid for uid, count in stored.items() if count != 1]
    verdict.check(
        "every capture answered with success is stored exactly once",
        capturer.ok_ids and not not_once,
        f"{len(capturer.ok_ids)} events answered ok, {len(not_once)} not stored once",
    )
    failed = harness.events_stored(capturer.failed_ids)
    twice = [uid for uid, count in failed.items() if count > 1]
    verdict.check(
        "no capture that failed is stored twice",
        not twice,
        f"{len(capturer.failed_ids)} events answered with an error, "
        f"{sum(1 for c in failed.values() if c == 1)} of them stored anyway (the answer was "
        "lost, the commit was not)",
    )


def log(msg):
    say(msg)
