"""Every API call logged: JSON-2, XML-RPC, failures, sealed changes, retention, append-only."""

import json
import logging
import time
import xmlrpc.client
from datetime import datetime, timedelta
from unittest.mock import patch

from psycopg2 import errors

from odoo.exceptions import UserError
from odoo.tests import get_db_name, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.udi_master.tests.json2 import api_key, post_json2

from .test_capture import INTEGRATOR_PASSWORD, CaptureApiCase, shipping_event

_logger = logging.getLogger(__name__)

MUTE = ("odoo.http", "odoo.addons.rpc.controllers.xmlrpc", "odoo.addons.rpc.controllers.jsonrpc")


class ApiCallLogCase(CaptureApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Log = cls.env["trace.api.call.log"].sudo()
        cls.key_record = (
            cls.env["res.users.apikeys"]
            .sudo()
            .search([("user_id", "=", cls.integrator.id), ("name", "=", "WMS")])
        )

    def _rows(self, **domain):
        self.env.invalidate_all()
        return self.Log.search([(name, "=", value) for name, value in domain.items()], order="id")

    def _new_rows(self, before):
        self.env.invalidate_all()
        return self.Log.search([("id", ">", before)], order="id")

    def _last_id(self):
        return self.Log.search([], limit=1, order="id desc").id or 0

    def _assert_no_secret(self, row, *secrets):
        text = json.dumps(row.read()[0], default=str)
        for secret in secrets:
            self.assertNotIn(secret, text)
        seal_text = json.dumps(row.seal_ids.read(), default=str) if row.seal_ids else ""
        for secret in secrets:
            self.assertNotIn(secret, seal_text)

    def _xmlrpc(self, secret, model, method, args, kwargs=None, uid=None):
        return self.xmlrpc_object.execute_kw(
            get_db_name(), uid or self.integrator.id, secret, model, method, args, kwargs or {}
        )


@tagged("post_install", "-at_install")
class TestApiCallLog(ApiCallLogCase):
    def test_json2_call_leaves_one_row_with_caller_key_and_result(self):
        before = self._last_id()
        partner = self.integrator.partner_id
        response = post_json2(
            self,
            "/json/2/res.partner/search_read",
            {"domain": [["id", "=", partner.id]], "fields": ["name"]},
            self.api_key,
        )
        self.assertEqual(response.status_code, 200, response.text)
        row = self._new_rows(before)
        self.assertEqual(len(row), 1)
        self.assertRecordValues(
            row,
            [
                {
                    "protocol": "json2",
                    "endpoint": "/json/2/res.partner/search_read",
                    "http_method": "POST",
                    "model_name": "res.partner",
                    "method_name": "search_read",
                    "user_id": self.integrator.id,
                    "company_id": self.integrator.company_id.id,
                    "api_key_id": self.key_record.id,
                    "api_key_name": "WMS",
                    "remote_addr": "127.0.0.1",
                    "http_status": 200,
                    "kind": "success",
                    "exception_class": False,
                    "record_count": 1,
                    "arguments": "domain:list[1], fields:list[1]",
                    "sealed": False,
                }
            ],
        )
        self.assertGreater(row.duration_ms, 0)
        self.assertGreater(row.request_size, 0)
        self._assert_no_secret(row, self.api_key, INTEGRATOR_PASSWORD)

    @mute_logger(*MUTE)
    def test_xmlrpc_call_with_api_key_leaves_one_row_naming_the_key(self):
        before = self._last_id()
        partner = self.integrator.partner_id
        result = self._xmlrpc(
            self.api_key,
            "res.partner",
            "search_read",
            [[["id", "=", partner.id]]],
            {"fields": ["name"]},
        )
        self.assertEqual(len(result), 1)
        row = self._new_rows(before)
        self.assertEqual(len(row), 1)
        self.assertRecordValues(
            row,
            [
                {
                    "protocol": "xmlrpc",
                    "endpoint": "/xmlrpc/2/object",
                    "model_name": "res.partner",
                    "method_name": "search_read",
                    "user_id": self.integrator.id,
                    "api_key_id": self.key_record.id,
                    "api_key_name": "WMS",
                    "remote_addr": "127.0.0.1",
                    "kind": "success",
                    "record_count": 1,
                    "arguments": "domain:list[1], fields:list[1]",
                }
            ],
        )
        self._assert_no_secret(row, self.api_key, INTEGRATOR_PASSWORD)

    @mute_logger(*MUTE)
    def test_legacy_jsonrpc_call_is_logged_too(self):
        before = self._last_id()
        args = [get_db_name(), self.integrator.id, self.api_key, "res.partner", "search_count"]
        response = self.url_open(
            "/jsonrpc",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {"service": "object", "method": "execute", "args": [*args, []]},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertIsInstance(response.json()["result"], int, response.text)
        row = self._new_rows(before)
        self.assertEqual(len(row), 1)
        self.assertRecordValues(
            row,
            [
                {
                    "protocol": "jsonrpc",
                    "endpoint": "/jsonrpc",
                    "model_name": "res.partner",
                    "method_name": "search_count",
                    "api_key_name": "WMS",
                    "arguments": "domain:list[0]",
                    "kind": "success",
                }
            ],
        )
        self._assert_no_secret(row, self.api_key)

    @mute_logger(*MUTE)
    def test_xmlrpc_call_with_password_names_no_key_and_keeps_no_password(self):
        before = self._last_id()
        self._xmlrpc(INTEGRATOR_PASSWORD, "res.partner", "search_count", [[]])
        row = self._new_rows(before)
        self.assertEqual(len(row), 1)
        self.assertRecordValues(
            row, [{"user_id": self.integrator.id, "api_key_id": 0, "api_key_name": False}]
        )
        self.assertEqual(row.arguments, "domain:list[0]")
        self._assert_no_secret(row, INTEGRATOR_PASSWORD)

    @mute_logger(*MUTE)
    def test_password_sent_as_argument_is_named_only_never_its_value_or_length(self):
        before = self._last_id()
        response = post_json2(
            self,
            "/json/2/res.users/change_password",
            {"old_passwd": INTEGRATOR_PASSWORD, "new_passwd": "n3w-Secret-pw-2026"},
            self.api_key,
        )
        row = self._new_rows(before)
        self.assertEqual(len(row), 1, response.text)
        self.assertEqual(row.arguments, "new_passwd, old_passwd")
        self._assert_no_secret(row, self.api_key, INTEGRATOR_PASSWORD, "n3w-Secret-pw-2026")

    @mute_logger(*MUTE)
    def test_failed_json2_call_is_logged_although_its_transaction_is_rolled_back(self):
        before = self._last_id()
        events = self.env["trace.event"].search_count([])
        response = post_json2(
            self,
            "/json/2/trace.event/capture",
            {"events": [shipping_event("urn:uuid:log-bad", bizStep="flying")]},
            self.api_key,
        )
        self.assertEqual(response.status_code, 422, response.text)
        self.assertEqual(self.env["trace.event"].search_count([]), events)
        row = self._new_rows(before)
        self.assertEqual(len(row), 1)
        self.assertRecordValues(
            row,
            [
                {
                    "protocol": "json2",
                    "model_name": "trace.event",
                    "method_name": "capture",
                    "user_id": self.integrator.id,
                    "api_key_id": self.key_record.id,
                    "http_status": 422,
                    "kind": "error",
                    "sealed": False,
                    "arguments": "events:list[1]",
                }
            ],
        )
        self.assertIn("Error", row.exception_class)
        self._assert_no_secret(row, self.api_key, INTEGRATOR_PASSWORD)

    @mute_logger(*MUTE)
    def test_failed_xmlrpc_call_is_logged_as_refused(self):
        before = self._last_id()
        # not assertRaises: its savepoint, rolled back on the error, would take the row with it
        try:
            self._xmlrpc("wrong-password-123", "res.partner", "search_count", [[]])
        except xmlrpc.client.Fault as fault:
            self.assertEqual(fault.faultCode, 3)  # access denied
        else:
            self.fail("a wrong password was accepted")
        row = self._new_rows(before)
        self.assertEqual(len(row), 1)
        self.assertRecordValues(
            row,
            [
                {
                    "protocol": "xmlrpc",
                    "kind": "denied",
                    "exception_class": "odoo.exceptions.AccessDenied",
                    "api_key_id": 0,
                }
            ],
        )
        self._assert_no_secret(row, "wrong-password-123")

    @mute_logger(*MUTE)
    def test_json2_wrong_key_is_logged_as_refused_without_the_key(self):
        before = self._last_id()
        response = post_json2(self, "/json/2/res.partner/search_count", {"domain": []}, "bad-k3y")
        self.assertEqual(response.status_code, 401, response.text)
        row = self._new_rows(before)
        self.assertEqual(len(row), 1)
        self.assertRecordValues(
            row, [{"kind": "denied", "http_status": 401, "user_id": False, "api_key_id": 0}]
        )
        self._assert_no_secret(row, "bad-k3y")

    def test_json2_change_of_sealed_data_leaves_a_sealed_row_naming_its_ledger_entry(self):
        before = self._last_id()
        response = post_json2(
            self,
            "/json/2/trace.event/capture",
            {"events": [shipping_event("urn:uuid:log-sealed")]},
            self.api_key,
        )
        self.assertEqual(response.status_code, 200, response.text)
        event = self.env["trace.event"].browse(response.json()["event_ids"])
        row = self._new_rows(before)
        self.assertEqual(len(row), 1)
        self.assertTrue(row.sealed)
        entry = (
            self.env["audit.seal.entry"]
            .sudo()
            .search([("res_model", "=", "trace.event"), ("res_id", "=", event.id)])
        )
        self.assertTrue(entry)
        self.assertIn(entry, row.seal_entry_ids)
        seal = row.seal_ids
        self.assertEqual(len(seal), 1)
        self.assertEqual(seal.api_key_name, "WMS")
        # the auditor's way back: from the change's ledger entry to the call that made it
        self.assertEqual(entry.api_call_id, row)
        self.assertIn(
            entry, self.env["audit.seal.entry"].sudo().search([("api_call_id", "in", row.ids)])
        )
        self.assertEqual(
            self.env["trace.api.call.seal"].sudo().search([("entry_ids", "in", entry.ids)]).call_id,
            row,
        )
        # the link itself is sealed in the ledger
        self.assertTrue(seal.seal_entry_seq)

    @mute_logger(*MUTE)
    def test_xmlrpc_change_of_sealed_data_is_sealed_too(self):
        before = self._last_id()
        result = self._xmlrpc(
            self.api_key, "trace.event", "capture", [[shipping_event("urn:uuid:log-x1")]]
        )
        row = self._new_rows(before)
        self.assertEqual(len(row), 1)
        self.assertTrue(row.sealed)
        self.assertEqual(
            sorted(
                row.seal_entry_ids.filtered(lambda e: e.res_model == "trace.event").mapped("res_id")
            ),
            result["event_ids"],
        )

    def test_read_only_call_is_not_sealed(self):
        before = self._last_id()
        post_json2(self, "/json/2/res.partner/search_count", {"domain": []}, self.api_key)
        row = self._new_rows(before)
        self.assertEqual(len(row), 1)
        self.assertFalse(row.sealed)
        self.assertFalse(row.seal_ids)

    def test_web_client_calls_are_not_api_calls(self):
        before = self._last_id()
        self.authenticate("epcis_integrator", INTEGRATOR_PASSWORD)
        self.make_jsonrpc_request(
            "/web/dataset/call_kw/res.partner/search_count",
            {"model": "res.partner", "method": "search_count", "args": [[]], "kwargs": {}},
        )
        self.assertFalse(self._new_rows(before))

    def test_row_belongs_to_the_company_the_user_works_in(self):
        other = self.env["res.company"].create({"name": "API Log Second Company"})
        self.integrator.write({"company_ids": [(4, other.id)]})
        before = self._last_id()
        post_json2(
            self,
            "/json/2/res.partner/search_count",
            {"domain": [], "context": {"allowed_company_ids": [other.id]}},
            self.api_key,
        )
        row = self._new_rows(before)
        self.assertEqual(row.company_id, other)
        auditor = new_test_user(
            self.env, "api_log_auditor", groups="base.group_user,audit_seal.group_seal_manager"
        )
        self.assertFalse(
            self.env["trace.api.call.log"].with_user(auditor).search([("id", "=", row.id)])
        )

    @mute_logger("odoo.addons.trace_events.models.api_call_log")
    def test_a_logging_failure_never_fails_the_call(self):
        before = self._last_id()
        with patch.object(
            type(self.env["trace.api.call.log"]), "_api_log_values", side_effect=RuntimeError
        ):
            response = post_json2(
                self,
                "/json/2/trace.event/capture",
                {"events": [shipping_event("urn:uuid:log-failing-log")]},
                self.api_key,
            )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(
            self.env["trace.event"].search([("event_uid", "=", "urn:uuid:log-failing-log")])
        )
        self.assertFalse(self._new_rows(before))


@tagged("post_install", "-at_install")
class TestApiCallLogGuards(ApiCallLogCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.row = cls.Log.create(
            {"call_date": datetime.now(), "protocol": "json2", "endpoint": "/x", "kind": "success"}
        )
        cls.env.flush_all()
        cls.admin_key = api_key(cls.env, cls.env.ref("base.user_admin"), "Admin")

    @mute_logger(*MUTE)
    def test_nobody_edits_or_deletes_a_row_over_json2_admin_included(self):
        for method, body in (
            ("write", {"ids": [self.row.id], "vals": {"endpoint": "/forged"}}),
            ("unlink", {"ids": [self.row.id]}),
        ):
            path = f"/json/2/trace.api.call.log/{method}"
            response = post_json2(self, path, body, self.admin_key)
            self.assertIn(response.status_code, (403, 422), response.text)
        self.env.invalidate_all()
        self.assertEqual(self.row.endpoint, "/x")

    @mute_logger(*MUTE)
    def test_nobody_edits_or_deletes_a_row_over_xmlrpc_admin_included(self):
        admin = self.env.ref("base.user_admin")
        calls = (("write", [[self.row.id], {"endpoint": "/forged"}]), ("unlink", [[self.row.id]]))
        for method, args in calls:
            with self.assertRaises(xmlrpc.client.Fault):
                self._xmlrpc(self.admin_key, "trace.api.call.log", method, args, uid=admin.id)
        self.env.invalidate_all()
        self.assertTrue(self.row.exists())
        self.assertEqual(self.row.endpoint, "/x")

    def test_superuser_cannot_edit_or_delete_a_row(self):
        with self.assertRaises(UserError):
            self.row.sudo().write({"endpoint": "/forged"})
        with self.assertRaises(UserError):
            self.row.sudo().unlink()

    @mute_logger("odoo.sql_db")
    def test_sql_cannot_edit_or_delete_a_row(self):
        # a row of an earlier transaction (this test's own rows may still be completed)
        self.env.cr.execute(
            """
            INSERT INTO trace_api_call_log (call_date, protocol, endpoint, kind, create_date)
            VALUES (now() - interval '1 hour', 'json2', '/x', 'success',
                    (now() AT TIME ZONE 'UTC') - interval '1 hour')
            RETURNING id
            """
        )
        [row_id] = self.env.cr.fetchone()
        for query in (
            "UPDATE trace_api_call_log SET endpoint = '/forged' WHERE id = %s",
            "DELETE FROM trace_api_call_log WHERE id = %s",
        ):
            with self.assertRaises(errors.InsufficientPrivilege), self.env.cr.savepoint():
                self.env.cr.execute(query, [row_id])

    def test_retention_purges_only_what_the_policy_says(self):
        now = datetime.now()

        def row(kind, days, sealed=False):
            return self.Log.create(
                {
                    "call_date": now - timedelta(days=days),
                    "protocol": "json2",
                    "endpoint": f"/retention/{kind}/{days}",
                    "kind": kind,
                    "sealed": sealed,
                }
            )

        old_success, recent_success = row("success", 200), row("success", 10)
        old_error, older_error = row("error", 200), row("error", 400)
        old_sealed = row("success", 900, sealed=True)
        self.env.flush_all()
        self.Log._cron_purge_expired(batch_size=1)
        self.env.invalidate_all()
        self.assertFalse(old_success.exists())
        self.assertFalse(older_error.exists())
        self.assertEqual(recent_success.exists(), recent_success)
        self.assertEqual(old_error.exists(), old_error)
        self.assertEqual(old_sealed.exists(), old_sealed)


@tagged("post_install", "-at_install", "-standard", "api_call_log_cost")
class TestApiCallLogCost(ApiCallLogCase):
    """The cost of the log per call (run on demand: ``--tags api_call_log_cost``)."""

    def _time_calls(self, count):
        start = time.perf_counter()
        for _i in range(count):
            post_json2(self, "/json/2/res.partner/search_count", {"domain": []}, self.api_key)
        return (time.perf_counter() - start) / count * 1000.0

    def test_cost_per_call(self):
        count = 60
        model = type(self.env["trace.api.call.log"])
        self._time_calls(5)  # warm up
        logged = self._time_calls(count)
        with patch.object(type(self.env["ir.http"]), "_trace_api_log_counts", return_value=False):
            unlogged = self._time_calls(count)
        spent = []
        original = model._api_log_separately

        def timed(log_model, *args, **kwargs):
            start = time.perf_counter()
            try:
                return original(log_model, *args, **kwargs)
            finally:
                spent.append(time.perf_counter() - start)

        with patch.object(model, "_api_log_separately", timed):
            self._time_calls(count)
        queries = self.env.cr.sql_log_count
        in_transaction = self._time_in_transaction(200)
        queries = (self.env.cr.sql_log_count - queries) / 200
        _logger.info(
            "API call log cost: %.2f ms per JSON-2 call logged, %.2f ms unlogged (read-only "
            "call, %d calls each); the row of a read-only call through its own cursor %.2f ms "
            "(median); the row of a read/write call in its transaction %.2f ms, %.1f queries "
            "(mean of 200)",
            logged,
            unlogged,
            count,
            sorted(spent)[len(spent) // 2] * 1000.0,
            in_transaction,
            queries,
        )

    def _time_in_transaction(self, count):
        """What a read/write call pays: find its key, write its row in its transaction."""
        log_model = self.env["trace.api.call.log"]
        start = time.perf_counter()
        for _i in range(count):
            info = {
                "protocol": "json2",
                "endpoint": "/json/2/trace.event/capture",
                "model_name": "trace.event",
                "method_name": "capture",
                "arguments": "events:list[1]",
                "uid": self.integrator.id,
                "call_date": datetime.now(),
                "start": time.perf_counter(),
            }
            info["api_key_id"], info["api_key_name"] = log_model.sudo()._api_log_key(
                self.integrator.id, self.api_key
            )
            log_model._api_log_in_transaction(info, status=200, result=[1])
        return (time.perf_counter() - start) / count * 1000.0
