"""Webhook key rotation over HTTP: the key set publishes the current and the previous keys,
a delivery signed before the rotation still verifies with the previous key (by the docs'
receiver sample), and the key registry is append-only."""

import base64
import os
import tempfile
import time
from unittest.mock import patch

import psycopg2

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import config, mute_logger

from odoo.addons.audit_seal.lib.keys import generate_private_key_pem, load_private_key_pem
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.trace_events.lib import webhook
from odoo.addons.trace_events.models.trace_webhook_delivery import CONFIG_KEY_FILE

from .webhook_receiver import Receiver, load_sample, perform_jobs

PARAMS = {
    "trace_events.webhook_allow_loopback": "1",
    "trace_events.webhook_max_attempts": "3",
    "trace_events.webhook_timeout_seconds": "2",
}


@tagged("post_install", "-at_install")
class TestWebhookKeys(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for key, value in PARAMS.items():
            cls.env["ir.config_parameter"].sudo().set_param(key, value)
        cls.Delivery = cls.env["trace.webhook.delivery"]
        cls.Key = cls.env["trace.webhook.key"]
        new_test_user(
            cls.env,
            "key_manager",
            password="key-manager-pw",
            groups="base.group_user,udi_master.group_trace_manager",
        )
        new_test_user(
            cls.env,
            "key_user",
            password="key-user-pw",
            groups="base.group_user,udi_master.group_trace_user",
        )

    def setUp(self):
        super().setUp()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.key_path = os.path.join(folder.name, "webhook.pem")
        self._install_key_file()
        patcher = patch.dict(config.options, {CONFIG_KEY_FILE: self.key_path})
        patcher.start()
        self.addCleanup(patcher.stop)

    def _install_key_file(self):
        """What the administrator does: a new PEM replaces the configured file. Returns the
        new private key."""
        pem = generate_private_key_pem()
        temporary = self.key_path + ".new"
        with open(temporary, "wb") as handle:
            handle.write(pem)
        os.replace(temporary, self.key_path)
        return load_private_key_pem(pem)

    def _key_set(self):
        response = self.url_open("/trace/webhook/keys")
        self.assertEqual(response.status_code, 200, response.text)
        return {key["kid"]: key for key in response.json()["keys"]}

    def _fetch_keys(self):
        with self.allow_requests(all_requests=True):  # the sample sends no test cookie
            return load_sample()["fetch_keys"](self.base_url())

    def _rotate(self):
        return self.make_jsonrpc_request(
            "/web/dataset/call_button/trace.webhook.key/action_rotate",
            {
                "model": "trace.webhook.key",
                "method": "action_rotate",
                "args": [[]],
                "kwargs": {"context": {}},
            },
        )

    def _deliver(self, receiver, endpoint, payload):
        with trap_jobs() as trap:
            delivery = self.Delivery._enqueue(endpoint, "test.ping", payload)
            perform_jobs(trap, self.env)
        self.assertEqual(delivery.state, "delivered", delivery.last_error)
        return delivery, receiver.calls[-1]

    def test_rotation_publishes_both_keys_and_an_earlier_delivery_still_verifies(self):
        with Receiver(keys=self._fetch_keys()) as receiver:
            endpoint = self.env["trace.webhook.endpoint"].create(
                {"name": "Receiver", "webhook_url": receiver.url}
            )
            before, first_call = self._deliver(receiver, endpoint, {"notice": "RC-1"})
            self.assertTrue(first_call["verified"])
            old_kid = before.key_id
            self.assertEqual(list(self._key_set()), [old_kid])
            # the administrator installs a new key file; the manager clicks Rotate Key
            self._install_key_file()
            self.authenticate("key_manager", "key-manager-pw")
            result = self._rotate()
            self.assertEqual(result["tag"], "display_notification")
            published = self._key_set()
            new_kid = next(kid for kid in published if kid != old_kid)
            self.assertEqual(set(published), {old_kid, new_kid})
            self.assertEqual(published[new_kid]["status"], "current")
            self.assertNotIn("not_after", published[new_kid])
            self.assertEqual(published[old_kid]["status"], "previous")
            signed_at = int(first_call["headers"]["X-Trace-Timestamp"])
            self.assertGreaterEqual(published[old_kid]["not_after"], signed_at)
            self.assertLessEqual(published[old_kid]["not_after"], time.time() + 1)
            for jwk in published.values():
                self.assertNotIn("d", jwk, "never the private half")
            # the delivery signed before the rotation verifies with the published old key
            keys = self._fetch_keys()
            verify = load_sample()["verify"]
            self.assertTrue(verify(first_call["headers"], first_call["body"], keys=keys))
            only_new = {new_kid: keys[new_kid]}
            self.assertFalse(verify(first_call["headers"], first_call["body"], keys=only_new))
            # deliveries are now signed by the new key, verified by the sample
            receiver.keys = keys
            after, call = self._deliver(receiver, endpoint, {"notice": "RC-2"})
        self.assertTrue(call["verified"])
        self.assertEqual(after.key_id, new_kid)
        self.assertEqual(after.attempt_ids.key_id, new_kid)
        self.assertEqual(before.key_id, old_kid, "each delivery names the key that signed it")
        self.assertEqual(before.attempt_ids.key_id, old_kid)

    def test_a_retired_key_cannot_authenticate_what_it_signs_later(self):
        old_private = self._install_key_file()
        old_kid = self.Key._key_signer().key_id
        self._install_key_file()
        published = self._key_set()  # the first use after the file changed registers it
        self.assertEqual(published[old_kid]["status"], "previous")
        not_after = published[old_kid]["not_after"]
        body = b'{"notice":"forged"}'
        headers = {"X-Trace-Key-Id": old_kid}
        for timestamp, authentic in ((not_after, True), (not_after + 5, False)):
            headers["X-Trace-Timestamp"] = str(timestamp)
            headers["X-Trace-Signature"] = webhook.sign_ed25519(old_private, timestamp, body)
            self.assertEqual(
                load_sample()["verify"](headers, body, keys=self._fetch_keys()), authentic
            )

    def test_previous_key_leaves_the_set_after_the_overlap(self):
        old_kid = self.Key._key_signer().key_id
        self._install_key_file()
        new_kid = self.Key._key_signer().key_id
        self.assertEqual(set(self._key_set()), {old_kid, new_kid})
        self.env["ir.config_parameter"].sudo().set_param(
            "trace_events.webhook_key_overlap_days", "0"
        )
        self.assertEqual(set(self._key_set()), {new_kid})
        old = self.Key.search([("key_id", "=", old_kid)])
        self.assertEqual(old.state, "retired", "still in the registry: deliveries name it")

    def test_rotate_refuses_an_unchanged_file_and_non_managers(self):
        self.Key._key_signer()
        self.authenticate("key_user", "key-user-pw")
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._rotate()
        self.authenticate("key_manager", "key-manager-pw")
        with (
            self.assertLogs("odoo.http", "WARNING") as logs,
            self.assertRaisesRegex(JsonRpcException, "UserError"),
        ):
            self._rotate()
        self.assertIn("still holds the current key", logs.output[0])
        self.assertEqual(len(self.Key.search([])), 1)

    def test_a_retired_key_file_put_back_signs_nothing(self):
        pem_path = self.key_path + ".old"
        os.link(self.key_path, pem_path)
        self.Key._key_signer()
        self._install_key_file()
        self.Key._key_signer()
        os.replace(pem_path, self.key_path)
        with self.assertRaisesRegex(UserError, "was retired"):
            self.Key._key_signer()
        # the key set still publishes the registered keys for the earlier deliveries
        with self.assertLogs("odoo.addons.trace_events.models.trace_webhook_key", "WARNING"):
            published = self._key_set()
        self.assertEqual(len(published), 2)

    def test_demo_mode_rotation_generates_a_new_demo_key(self):
        with patch.dict(config.options, {CONFIG_KEY_FILE: ""}):
            old_kid = self.Key._key_signer().key_id
            self.authenticate("key_manager", "key-manager-pw")
            self._rotate()
            new_kid = self.Key._key_signer().key_id
            self.assertNotEqual(new_kid, old_kid)
            published = self._key_set()
        self.assertEqual(published[new_kid]["status"], "current")
        self.assertEqual(published[old_kid]["status"], "previous")

    def test_the_key_registry_is_append_only(self):
        kid = self.Key._key_signer().key_id
        key = self.Key.search([("key_id", "=", kid)])
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            key.unlink()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.Error),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                "UPDATE trace_webhook_key SET public_key = %s WHERE id = %s",
                [base64.b64encode(b"\0" * 32).decode(), key.id],
            )
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.Error),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute("DELETE FROM trace_webhook_key WHERE id = %s", [key.id])
