import tempfile
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config, mute_logger

from odoo.addons.audit_seal.lib.export import verify_export
from odoo.addons.audit_seal.lib.keys import parse_public_key
from odoo.addons.audit_seal.models.audit_seal_key import CONFIG_KEY_FILE

from .common import SealCase, write_key_file


class TestVerification(SealCase):
    def test_verify_chain_returns_plain_values(self):
        self.seal(3)
        result = self.Entry.with_user(self.manager).verify_chain()
        self.assertEqual(result["ok"], True)
        self.assertIs(result["first_bad_seq"], False)  # XML-RPC cannot marshal None
        self.assertEqual(result["entries"], self.head_seq())
        self.assertEqual(result["reason"], "")
        self.assertGreaterEqual(result["records_checked"], 3)

    def test_verify_chain_is_for_managers_only(self):
        with self.assertRaises(AccessError):
            self.Entry.with_user(self.clerk).verify_chain()

    def test_verify_chain_is_public_and_readonly(self):
        method = type(self.Entry).verify_chain
        self.assertTrue(getattr(method, "_readonly", False))
        self.assertFalse(method.__name__.startswith("_"))

    def test_button_stores_an_ok_run(self):
        self.seal(2)
        action = self.Entry.with_user(self.manager).action_verify_chain()
        run = self.env["audit.seal.verification"].browse(action["res_id"])
        self.assertEqual((run.state, run.trigger, run.first_bad_seq), ("ok", "manual", 0))
        self.assertEqual(run.entries, self.head_seq())

    def test_cron_stores_the_first_bad_entry(self):
        records = self.seal(2)
        entry = self.entry_of(records[1])
        with self.triggers_disabled():
            self.env.cr.execute(
                "UPDATE audit_seal_entry SET payload = payload || ' ' WHERE id = %s", [entry.id]
            )
        cron = self.env.ref("audit_seal.ir_cron_audit_seal_verify")
        self.assertEqual(cron.code.strip(), "model._cron_verify()")
        self.assertTrue(cron.active)
        with mute_logger("odoo.addons.audit_seal.models.audit_seal_verification"):
            self.env[cron.model_id.model]._cron_verify()
        run = self.env["audit.seal.verification"].search([], limit=1)
        self.assertEqual((run.state, run.trigger, run.first_bad_seq), ("failed", "cron", entry.seq))
        self.assertIn("hash mismatch", run.reason)

    def test_export_verifies_offline_with_the_public_key_only(self):
        self.seal(3)
        self.seal(1)
        lines = list(self.Entry.with_user(self.manager)._seal_export_lines(chunk=2))
        keys = self.env["audit.seal.key"].search([])
        trusted = [parse_public_key(key.public_key) for key in keys]
        result = verify_export(lines, trusted_keys=trusted)
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["entries"], self.head_seq())
        # one byte changed in the export is found at its entry
        seq = self.head_seq()
        index = next(i for i, line in enumerate(lines) if b'"seq":%d,' % seq in line)
        lines[index] = lines[index].replace(b"Record", b"Recorc", 1)
        result = verify_export(lines, trusted_keys=trusted)
        self.assertEqual(result["first_bad_seq"], seq)

    def test_export_is_for_managers_only(self):
        with self.assertRaises(AccessError):
            next(self.Entry.with_user(self.clerk)._seal_export_lines())


@tagged("post_install", "-at_install")
class TestExportRoute(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        key_dir = tempfile.TemporaryDirectory(prefix="audit_seal_http_")
        cls.addClassCleanup(key_dir.cleanup)
        key_file = write_key_file(key_dir.name)
        cls.startClassPatcher(patch.dict(config.options, {CONFIG_KEY_FILE: key_file}))

    def test_export_route_streams_a_verifiable_chain_to_managers_only(self):
        new_test_user(
            self.env,
            login="seal_http_manager",
            password="seal_http_manager",
            groups="base.group_user,audit_seal.group_seal_manager",
        )
        new_test_user(
            self.env, login="seal_http_clerk", password="seal_http_clerk", groups="base.group_user"
        )
        self.env["audit.seal.test.record"].create([{"name": "Exported"}])
        self.env["audit.seal.entry"]._seal_run_pending()
        self.authenticate("seal_http_manager", "seal_http_manager")
        response = self.url_open("/audit_seal/export")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/x-ndjson")
        lines = response.content.splitlines(keepends=True)
        self.assertTrue(verify_export(lines)["ok"])
        self.authenticate("seal_http_clerk", "seal_http_clerk")
        with mute_logger("odoo.http"):
            response = self.url_open("/audit_seal/export")
        self.assertNotEqual(response.status_code, 200)
