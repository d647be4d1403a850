"""Locust users of the load harness (run by run_load.py; see README.md).

Environment (set by run_load.py): ``LOAD_META`` (the build's metadata, var/load/meta.json),
``LOAD_DB`` (the database the users work in).

User classes:

* ``SuiteUser``: the realistic mix on the suite database; every user picks one role per task, by
  weight, and works as that role's own login (``loadlib.ROLES``, created by build_db.py with the
  suite's groups; never the administrator): a clerk receiving and delivering serials through the
  web client's calls (JSON-RPC with a session: ``/web/dataset/call_kw`` to prepare,
  ``/web/dataset/call_button`` on ``stock.picking.button_validate`` to validate), production
  posting a manufacturing order (``action_generate_serial`` and ``button_mark_done`` as buttons),
  an integration capturing a batch of EPCIS 2.0 shipping events over JSON-2 with its API key
  (``trace.event/capture``), a distributor acknowledging and reporting in the portal (HTML forms
  with the CSRF token) and quality staff tracing over JSON-2
  (``trace.event/trace_forward``/``trace_backward``).
* ``StockUser``: only the clerk and production tasks (what plain Odoo has too), for the run
  against both databases that gives the cost of the seal plus event capture.

Request names start with the role (``clerk:``, ``mo:``, ``epcis:``, ``portal:``, ``trace:``).
A failed request is reported with the kind of error: the JSON-RPC error's exception name, or
``HTTP <code>``; a serialisation conflict that Odoo retried and won is not a failure (the
server log counts those, run_load.py reports them).
"""

import json
import os
import random
import re
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from locust import HttpUser, between, task
from locust.clients import HttpSession
from locust.exception import RescheduleTask

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadlib  # noqa: E402

META = json.load(open(os.environ.get("LOAD_META", "var/load/meta.json"), encoding="utf-8"))
DB = os.environ.get("LOAD_DB", "load_suite")
DBMETA = META["dbs"][DB]
UNITS = int(os.environ.get("LOAD_UNITS", "5"))  # serials per receipt/delivery
CAPTURE_BATCH = int(os.environ.get("LOAD_CAPTURE_BATCH", "10"))
PACEMAKER_GTIN = "06901234500011"
TZ = timezone(timedelta(hours=8))


class OdooError(Exception):
    pass


def _fail(response, kind):
    response.failure(kind)
    raise RescheduleTask()


class Odoo:
    """The web client's calls of one login over its own HTTP session (JSON-RPC, cookie)."""

    def __init__(self, user, account):
        self.client = HttpSession(
            user.host, request_event=user.environment.events.request, user=user
        )
        self.account = account
        self.logged = False

    def authenticate(self):
        self.logged = True
        self.rpc("/web/session/authenticate", loadlib.login_params(DB, self.account), "login")

    def rpc(self, path, params, name):
        if not self.logged:
            self.authenticate()
        body = loadlib.jsonrpc_body(params)
        with self.client.post(path, json=body, name=name, catch_response=True) as response:
            if response.status_code != 200:
                _fail(response, f"HTTP {response.status_code}")
            data = response.json()
            if "error" in data:
                error = data["error"].get("data", {})
                kind = error.get("name", "error").rsplit(".", 1)[-1]
                message = (error.get("message") or data["error"].get("message") or "")[:120]
                _fail(response, f"{kind}: {message}")
            response.success()
            return data.get("result")

    def call(self, model, method, args, kwargs=None, name=None):
        path, params = loadlib.call_kw(model, method, args, kwargs)
        return self.rpc(path, params, name or f"{model}.{method}")

    def button(self, model, method, ids, name):
        path, params = loadlib.call_button(model, method, ids)
        return self.rpc(path, params, name)


def json2(client, role, model, method, name, **params):
    """A JSON-2 call with the API key of ``role``'s login (integration, quality staff)."""
    headers = loadlib.json2_headers(loadlib.role_account(DBMETA, role)["api_key"], DB)
    with client.post(
        f"/json/2/{model}/{method}", json=params, headers=headers, name=name, catch_response=True
    ) as response:
        if response.status_code != 200:
            try:
                kind = response.json().get("name", "").rsplit(".", 1)[-1]
            except ValueError:
                kind = ""
            _fail(response, f"HTTP {response.status_code} {kind}".strip())
        response.success()
        return response.json()


class Stock:
    """Clerk and production tasks, identical on both databases."""

    def guard(self, name, func):
        """Run a task; an unexpected client-side error (a page without the expected form, a
        broken connection) counts as a failure of kind ``CLIENT`` instead of vanishing."""
        try:
            func()
        except RescheduleTask:
            raise
        except Exception as exc:  # noqa: BLE001
            self.environment.events.request.fire(
                request_type="CLIENT",
                name=name,
                response_time=0,
                response_length=0,
                exception=OdooError(f"{type(exc).__name__}: {str(exc)[:100]}"),
                context={},
            )

    def setup_stock(self):
        # each role's own login and session (a clerk's cookie is not production's)
        self.clerk_web = Odoo(self, loadlib.role_account(DBMETA, "clerk"))
        self.production_web = Odoo(self, loadlib.role_account(DBMETA, "production"))
        self.types = None

    def picking_types(self):
        if self.types is None:
            self.types = loadlib.picking_types(self.clerk_web.call)
        return self.types

    def receive(self):
        """A receipt of UNITS new serials, lots typed in, validated with the button."""
        t = self.picking_types()
        product = DBMETA["pacemaker"]
        move = {
            "product_id": product,
            "product_uom_qty": UNITS,
            "location_id": t["supplier"],
            "location_dest_id": t["stock"],
        }
        picking = self.clerk_web.call(
            "stock.picking",
            "create",
            [
                {
                    "picking_type_id": t["in"],
                    "partner_id": DBMETA["supplier"],
                    "location_id": t["supplier"],
                    "location_dest_id": t["stock"],
                    "move_ids": [(0, 0, move)],
                }
            ],
            name="clerk: receipt create",
        )
        self.clerk_web.call(
            "stock.picking", "action_confirm", [[picking]], name="clerk: receipt confirm"
        )
        data = self.clerk_web.call(
            "stock.picking",
            "read",
            [[picking], ["move_ids", "move_line_ids"]],
            name="clerk: receipt read",
        )[0]
        stamp = uuid.uuid4().hex[:10].upper()
        commands = [(2, line) for line in data["move_line_ids"]] + [
            (
                0,
                0,
                {
                    "move_id": data["move_ids"][0],
                    "product_id": product,
                    "lot_name": f"LD{stamp}{i:03d}",
                    "quantity": 1,
                    "picked": True,
                    "location_id": t["supplier"],
                    "location_dest_id": t["stock"],
                },
            )
            for i in range(UNITS)
        ]
        self.clerk_web.call(
            "stock.picking",
            "write",
            [[picking], {"move_line_ids": commands}],
            name="clerk: receipt serials",
        )
        self.validate(picking, "clerk: receipt validate")

    def validate(self, picking, name):
        result = self.clerk_web.button("stock.picking", "button_validate", [picking], name)
        if isinstance(result, dict):
            # a wizard (backorder, immediate transfer): not what the scenario expects (the
            # web client's call_button answers False when the button returned True)
            self.logic_failure(name, f"wizard {result.get('res_model')}")

    def logic_failure(self, name, kind):
        self.environment.events.request.fire(
            request_type="LOGIC",
            name=name,
            response_time=0,
            response_length=0,
            exception=OdooError(kind),
            context={},
        )
        raise RescheduleTask()

    def deliver(self):
        """A delivery of UNITS serials to a distributor: reserve, pick, validate."""
        t = self.picking_types()
        move = {
            "product_id": DBMETA["pacemaker"],
            "product_uom_qty": UNITS,
            "location_id": t["stock"],
            "location_dest_id": t["customer"],
        }
        picking = self.clerk_web.call(
            "stock.picking",
            "create",
            [
                {
                    "picking_type_id": t["out"],
                    "partner_id": random.choice(DBMETA["distributors"]),
                    "location_id": t["stock"],
                    "location_dest_id": t["customer"],
                    "move_ids": [(0, 0, move)],
                }
            ],
            name="clerk: delivery create",
        )
        self.clerk_web.call(
            "stock.picking", "action_confirm", [[picking]], name="clerk: delivery confirm"
        )
        self.clerk_web.call(
            "stock.picking", "action_assign", [[picking]], name="clerk: delivery reserve"
        )
        moves = self.clerk_web.call(
            "stock.move",
            "search_read",
            [[("picking_id", "=", picking)]],
            {"fields": ["quantity", "product_uom_qty"]},
            name="clerk: delivery read",
        )
        if not moves or moves[0]["quantity"] < moves[0]["product_uom_qty"]:
            self.clerk_web.call(
                "stock.picking",
                "action_cancel",
                [[picking]],
                name="clerk: delivery cancel (not enough stock)",
            )
            return
        self.clerk_web.call(
            "stock.move",
            "write",
            [[m["id"] for m in moves], {"picked": True}],
            name="clerk: delivery pick",
        )
        self.validate(picking, "clerk: delivery validate")

    def receive_and_deliver(self):
        """A receipt of UNITS new serials, then a delivery of UNITS serials."""
        self.receive()
        self.deliver()

    def manufacture(self):
        """A manufacturing order of one serial: confirm, generate the serial, produce."""
        production = self.production_web.call(
            "mrp.production",
            "create",
            [
                {
                    "product_id": DBMETA["pacemaker"],
                    "product_qty": 1,
                }
            ],
            name="mo: create",
        )
        self.production_web.button("mrp.production", "action_confirm", [production], "mo: confirm")
        self.production_web.button(
            "mrp.production", "action_generate_serial", [production], "mo: generate serial"
        )
        result = self.production_web.button(
            "mrp.production", "button_mark_done", [production], "mo: produce (button_mark_done)"
        )
        if isinstance(result, dict):
            self.logic_failure(
                "mo: produce (button_mark_done)", f"wizard {result.get('res_model')}"
            )


class SuiteMix(Stock):
    def setup_suite(self):
        self.portal = None

    def capture(self):
        glns = DBMETA["distributor_glns"]
        hospitals = DBMETA["hospital_glns"]
        now = datetime.now(TZ)
        events = [
            loadlib.shipping_event(
                PACEMAKER_GTIN,
                random.choice(DBMETA["serial_names"]),
                random.choice(glns),
                random.choice(hospitals),
                now,
            )
            for _i in range(CAPTURE_BATCH)
        ]
        json2(
            self.client,
            "integration",
            "trace.event",
            "capture",
            f"epcis: capture {CAPTURE_BATCH} events",
            events=events,
        )

    def trace(self):
        lot = random.choice(DBMETA["trace_lots"])
        direction = random.choice(("trace_forward", "trace_forward", "trace_backward"))
        json2(
            self.client, "quality", "trace.event", direction, f"trace: {direction}", lot_ids=[lot]
        )

    def portal_session(self):
        if self.portal is None:
            account = random.choice(DBMETA["portal_users"])
            client = HttpSession(
                self.host, request_event=self.environment.events.request, user=self
            )
            page = client.get(f"/web/login?db={DB}", name="portal: login page")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            with client.post(
                "/web/login",
                data={
                    **loadlib.login_params(DB, account),
                    "csrf_token": csrf,
                    "redirect": "/my/recalls",
                },
                name="portal: login",
                catch_response=True,
                allow_redirects=False,
            ) as response:
                if response.status_code not in (302, 303):
                    _fail(response, f"login HTTP {response.status_code}")
                response.success()
            self.portal = (client, account)
        return self.portal

    def distributor(self):
        """Open the recalls, acknowledge one that waits (signing with the password), report
        quantities on one."""
        client, account = self.portal_session()
        listing = client.get("/my/recalls", name="portal: my recalls")
        ids = sorted(set(map(int, re.findall(r"/my/recalls/(\d+)", listing.text))))
        if not ids:
            return
        notice = random.choice(ids)
        page = client.get(f"/my/recalls/{notice}", name="portal: notice page")
        csrf_match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        if not csrf_match:
            return
        csrf = csrf_match.group(1)
        if f"/my/recalls/{notice}/acknowledge" in page.text:
            self.portal_post(
                client,
                f"/my/recalls/{notice}/acknowledge",
                {
                    "csrf_token": csrf,
                    "password": account["password"],
                    "confirm": "on",
                },
                "portal: acknowledge",
                ok_errors=("acknowledged already", "cannot be acknowledged"),
            )
        fields = re.findall(r'name="(qty_on_hand-\d+)"[^>]*value="([^"]*)"', page.text)
        if fields:
            name, value = random.choice(fields)
            try:
                current = float(value or 0)
            except ValueError:
                current = 0.0
            self.portal_post(
                client,
                f"/my/recalls/{notice}/report",
                {
                    "csrf_token": csrf,
                    name: "0" if current else "1",
                    "note": "load test count",
                },
                "portal: report quantities",
                ok_errors=("Nothing to record",),
            )

    def portal_post(self, client, url, data, name, ok_errors=()):
        with client.post(
            url, data=data, name=name, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code in (302, 303):
                if "/my/recalls" in response.headers.get("Location", ""):
                    response.success()
                    return
                _fail(response, f"redirected to {response.headers.get('Location')}")
            if response.status_code == 400 and any(e in response.text for e in ok_errors):
                response.success()  # another user of the same distributor was first
                return
            match = re.search(
                r'class="alert alert-danger[^"]*"[^>]*>\s*([^<]{0,120})', response.text
            )
            _fail(
                response, f"HTTP {response.status_code} {match.group(1).strip() if match else ''}"
            )


class SuiteUser(HttpUser, SuiteMix):
    """The realistic mix (weights: clerks 4, production 2, integrations 2, portal 2,
    quality 2)."""

    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.setup_stock()
        self.setup_suite()

    @task(4)
    def clerk(self):
        self.guard("clerk", self.receive_and_deliver)

    @task(2)
    def production(self):
        self.guard("production", self.manufacture)

    @task(2)
    def integration(self):
        self.guard("integration", self.capture)

    @task(2)
    def portal(self):
        self.guard("portal", self.distributor)

    @task(2)
    def quality(self):
        self.guard("quality", self.trace)


class StockUser(HttpUser, Stock):
    """Clerks and production only, on either database (the seal and capture ratio)."""

    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.setup_stock()

    @task(4)
    def clerk(self):
        self.guard("clerk", self.receive_and_deliver)

    @task(2)
    def production(self):
        self.guard("production", self.manufacture)
