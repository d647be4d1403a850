"""The read paths that may run on a PostgreSQL read replica (Odoo's ``db_replica_host``):
traces, the trace tree, the EPCIS export and the consistency check are read-only methods
(``@api.readonly``: JSON-2 and the web client then serve them on a read-only cursor, which
Odoo opens on the replica when one is configured), and serving them writes nothing (a write
would make Odoo serve the request again on a read/write cursor, with a warning).

tests/load/replica_check.py runs the same paths against a real streaming replica."""

import json
from datetime import datetime, timedelta

from odoo.tests import HttpCase, get_db_name, new_test_user, tagged

from odoo.addons.trace_events.controllers.main import TraceEventsController

from .common import TraceCommon

READONLY_METHODS = (
    "trace_forward",
    "trace_backward",
    "trace_tree",
    "export_epcis",
    "check_consistency",
)


@tagged("post_install", "-at_install")
class TestReadonlyPaths(HttpCase, TraceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._receive([(cls.catheter_variant, "RO01", 10)])
        cls.lot = cls._lot_named(cls.catheter_variant, "RO01")
        cls._deliver(cls.distributor, [(cls.catheter_variant, cls.lot, 4)])
        cls.analyst = new_test_user(
            cls.env,
            "ro_analyst",
            password="ro_analyst-pw1",
            groups="base.group_user,udi_master.group_trace_manager",
        )
        cls.api_key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.analyst)
            ._generate(scope="rpc", name="QMS", expiration_date=datetime.now() + timedelta(days=1))
        )

    def test_read_methods_are_declared_read_only(self):
        model = type(self.env["trace.event"])
        for name in READONLY_METHODS:
            with self.subTest(method=name):
                self.assertTrue(getattr(getattr(model, name), "_readonly", False), name)
        routing = TraceEventsController.epcis_export.original_routing
        self.assertTrue(routing["readonly"])

    def test_json2_reads_stay_on_the_read_only_cursor(self):
        event_ids = self.env["trace.event"].search([]).ids
        calls = {
            "trace_forward": {"lot_ids": [self.lot.id]},
            "trace_backward": {"lot_ids": [self.lot.id]},
            "trace_tree": {"lot_ids": [self.lot.id]},
            "export_epcis": {"event_ids": event_ids},
            "check_consistency": {},
        }
        with self.assertNoLogs("odoo.http", "WARNING"):
            for method, payload in calls.items():
                response = self.url_open(
                    f"/json/2/trace.event/{method}",
                    data=json.dumps(payload),
                    headers={
                        "Content-Type": "application/json",
                        "Authorization": f"bearer {self.api_key}",
                        "X-Odoo-Database": get_db_name(),
                    },
                )
                self.assertEqual(response.status_code, 200, f"{method}: {response.text}")
        self.assertTrue(response.json()["ok"])
