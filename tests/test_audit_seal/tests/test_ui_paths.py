"""The sealed ledger as an Audit Seal manager reaches it in the web client."""

import tempfile
from unittest.mock import patch

from lxml import etree

from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import config, mute_logger

from odoo.addons.audit_seal.models.audit_seal_key import CONFIG_KEY_FILE

from .common import write_key_file

NO_ACCESS = "You don't have access to this record"


def view_spec(env, model, view_type):
    """The ``specification`` the web client sends to read the fields of ``model``'s default
    ``view_type`` view: relational fields with their display name, except under widgets that
    show the id alone."""
    view = env[model].get_views([(False, view_type)])
    fields = view["models"][model]["fields"]
    spec = {}
    for node in etree.fromstring(view["views"][view_type]["arch"]).iter("field"):
        name = node.get("name")
        field_type = fields[name]["type"]
        id_only = node.get("widget") == "many2one_reference_integer"
        if field_type == "many2one" or (field_type == "many2one_reference" and not id_only):
            spec[name] = {"fields": {"display_name": {}}}
        else:
            spec.setdefault(name, {})
    return spec


@tagged("post_install", "-at_install")
class TestLedgerUiPaths(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        key_dir = tempfile.TemporaryDirectory(prefix="audit_seal_ui_")
        cls.addClassCleanup(key_dir.cleanup)
        cls.startClassPatcher(
            patch.dict(config.options, {CONFIG_KEY_FILE: write_key_file(key_dir.name)})
        )
        cls.manager = new_test_user(
            cls.env,
            login="seal_ui_manager",
            password="seal_ui_manager",
            groups="base.group_user,audit_seal.group_seal_manager",
        )
        new_test_user(
            cls.env, login="seal_ui_clerk", password="seal_ui_clerk", groups="base.group_user"
        )
        cls.Entry = cls.env["audit.seal.entry"]
        cls.record = cls.env["audit.seal.test.record"].create({"name": "Sterile pack 灭菌包"})
        cls.Entry._seal_run_pending()
        cls.entries = cls.Entry.search([], order="seq desc", limit=3)

    def call_button(self, model, method, ids):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_button/{model}/{method}",
            {
                "model": model,
                "method": method,
                "args": [ids],
                "kwargs": {"context": {"lang": "en_US"}},
            },
            timeout=60,
        )

    # ------------------------------------------------------------------ header buttons

    def test_verify_chain_header_buttons_open_a_manual_run(self):
        self.authenticate("seal_ui_manager", "seal_ui_manager")
        runs = self.env["audit.seal.verification"]
        for model, ids in (
            ("audit.seal.entry", self.entries.ids),  # entries selected
            ("audit.seal.entry", []),  # display="always": nothing selected
            ("audit.seal.verification", []),
            ("audit.seal.verification", runs.search([], limit=1).ids),
        ):
            with self.subTest(model=model, ids=ids):
                action = self.call_button(model, "action_verify_chain", ids)
                self.assertEqual(action["res_model"], "audit.seal.verification")
                run = runs.browse(action["res_id"])
                self.assertEqual(run.trigger, "manual")
                self.assertEqual(run.state, "ok", run.reason)
                self.assertEqual(run.user_id, self.manager)

    def test_export_header_button_opens_the_export(self):
        self.authenticate("seal_ui_manager", "seal_ui_manager")
        for ids in (self.entries.ids, []):
            with self.subTest(ids=ids):
                action = self.call_button("audit.seal.entry", "action_export_chain", ids)
                self.assertEqual(action["type"], "ir.actions.act_url")
                self.assertEqual(action["url"], "/audit_seal/export")

    def test_header_buttons_refuse_other_users(self):
        self.authenticate("seal_ui_clerk", "seal_ui_clerk")
        for model, method in (
            ("audit.seal.entry", "action_verify_chain"),
            ("audit.seal.entry", "action_export_chain"),
            ("audit.seal.verification", "action_verify_chain"),
        ):
            with (
                self.subTest(method=method),
                mute_logger("odoo.http"),
                self.assertRaisesRegex(JsonRpcException, "AccessError"),
            ):
                self.call_button(model, method, [])

    # ------------------------------------------------------------------ document names

    def _sealed_unreadable_log(self):
        """A sealed change-log entry (auditlog.log), which an Audit Seal manager may not read."""
        rule = self.env["auditlog.rule"]._audit_seal_subscribe("res.partner", ["ref"])
        self.addCleanup(rule._revert_methods)
        partner = self.env["res.partner"].create({"name": "Distributor UI", "ref": "D-UI"})
        partner.ref = "D-UI-2"
        self.Entry._seal_run_pending()
        log = self.env["auditlog.log"].search([("res_id", "=", partner.id)], limit=1)
        self.assertTrue(log)
        self.assertFalse(log.with_user(self.manager).has_access("read"))
        return self.Entry.search([("res_model", "=", "auditlog.log"), ("res_id", "=", log.id)])

    def test_ledger_list_names_documents_without_access_errors(self):
        log_entry = self._sealed_unreadable_log()
        record_entry = self.Entry.search(
            [("res_model", "=", "audit.seal.test.record"), ("res_id", "=", self.record.id)]
        )
        self.authenticate("seal_ui_manager", "seal_ui_manager")
        spec = view_spec(self.env(user=self.manager), "audit.seal.entry", "list")
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw/audit.seal.entry/web_search_read",
            {
                "model": "audit.seal.entry",
                "method": "web_search_read",
                "args": [],
                "kwargs": {
                    "specification": spec,
                    "domain": [("id", "in", (log_entry | record_entry).ids)],
                    "context": {"lang": "en_US"},
                },
            },
        )
        rows = {row["id"]: row for row in result["records"]}
        self.assertEqual(len(rows), 2)
        self.assertNotIn(NO_ACCESS, repr(result))
        self.assertEqual(rows[record_entry.id]["record_name"], "Sterile pack 灭菌包")
        log_model = self.env["ir.model"]._get("auditlog.log").name
        self.assertEqual(rows[log_entry.id]["record_name"], f"{log_model} #{log_entry.res_id}")

    def test_ledger_form_of_an_unreadable_document_opens(self):
        log_entry = self._sealed_unreadable_log()
        self.authenticate("seal_ui_manager", "seal_ui_manager")
        spec = view_spec(self.env(user=self.manager), "audit.seal.entry", "form")
        [values] = self.make_jsonrpc_request(
            "/web/dataset/call_kw/audit.seal.entry/web_read",
            {
                "model": "audit.seal.entry",
                "method": "web_read",
                "args": [log_entry.ids],
                "kwargs": {"specification": spec, "context": {"lang": "en_US"}},
            },
        )
        self.assertNotIn(NO_ACCESS, repr(values))
        self.assertEqual(values["res_id"], log_entry.res_id)
        self.assertTrue(values["record_name"].endswith(f" #{log_entry.res_id}"))
