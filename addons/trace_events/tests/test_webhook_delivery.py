"""Signed deliveries to a real local receiver: Ed25519 and HMAC verified by the docs' sample,
a retry after a 500, dead letters and the manager's Retry button, timeouts, isolation."""

import json

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from .webhook_receiver import Receiver, load_sample, perform_jobs, sample_code

PARAMS = {
    "trace_events.webhook_allow_loopback": "1",
    "trace_events.webhook_max_attempts": "3",
    "trace_events.webhook_timeout_seconds": "2",
}


@tagged("post_install", "-at_install")
class TestWebhookDelivery(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for key, value in PARAMS.items():
            cls.env["ir.config_parameter"].sudo().set_param(key, value)
        cls.Delivery = cls.env["trace.webhook.delivery"]
        cls.manager = new_test_user(
            cls.env,
            "hook_manager",
            password="hook-manager-pw",
            groups="base.group_user,udi_master.group_trace_manager",
        )
        cls.trace_user = new_test_user(
            cls.env,
            "hook_user",
            password="hook-user-pw",
            groups="base.group_user,udi_master.group_trace_user",
        )

    def _endpoint(self, receiver, **vals):
        return self.env["trace.webhook.endpoint"].create(
            {"name": "Receiver", "webhook_url": receiver.url, **vals}
        )

    def _keys(self):
        """The published keys, fetched by the sample's own code from the running server."""
        with self.allow_requests(all_requests=True):  # the sample sends no test cookie
            return load_sample()["fetch_keys"](self.base_url())

    def _run(self, trap, rounds=1):
        for _round in range(rounds):
            perform_jobs(trap, self.env)

    def test_ed25519_delivery_retried_after_500_then_delivered(self):
        payload = {"notice": "RC-1/001", "units": ["SN-1", "SN-2"], "text": "召回"}
        with Receiver(answers=[500, 200], keys=self._keys()) as receiver, trap_jobs() as trap:
            endpoint = self._endpoint(receiver)
            delivery = self.Delivery._enqueue(endpoint, "test.ping", payload)
            self._run(trap)
            self.assertEqual(delivery.state, "retrying")
            self.assertEqual(delivery.last_status_code, 500)
            trap.assert_jobs_count(1, only=delivery._deliver_attempt)
            self.assertTrue(trap.enqueued_jobs[0].eta, "the retry waits for its backoff")
            self._run(trap)
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(delivery.attempt_ids.sorted("number").mapped("status_code"), [500, 200])
        self.assertEqual(
            delivery.attempt_ids.sorted("number").mapped("error")[0],
            "HTTP 500 Internal Server Error",
        )
        self.assertEqual(len(receiver.calls), 2)
        for call in receiver.calls:
            self.assertTrue(call["verified"], "the sample verifies the Ed25519 signature")
            self.assertEqual(json.loads(call["body"]), payload)
            self.assertEqual(call["headers"]["X-Trace-Delivery"], delivery.delivery_uuid)
            self.assertEqual(call["headers"]["X-Trace-Event"], "test.ping")
            self.assertIn(call["headers"]["X-Trace-Key-Id"], self._keys())
        # a tampered body does not verify
        call = receiver.calls[-1]
        self.assertFalse(receiver.verify(call["headers"], call["body"] + b" ", keys=self._keys()))

    def test_hmac_delivery_verified_with_the_secret_never_logged(self):
        with Receiver() as receiver, trap_jobs() as trap:
            endpoint = self._endpoint(receiver, webhook_signing="hmac")
            receiver.secret = endpoint.webhook_secret
            delivery = self.Delivery._enqueue(endpoint, "test.ping", {"a": 1})
            self._run(trap)
        self.assertEqual(delivery.state, "delivered")
        call = receiver.calls[0]
        self.assertTrue(call["verified"])
        self.assertTrue(call["headers"]["X-Trace-Signature"].startswith("sha256="))
        self.assertFalse(receiver.verify(call["headers"], call["body"], secret="wrong"))
        secret = endpoint.webhook_secret
        logged = json.dumps(delivery.read()[0], default=str) + json.dumps(
            delivery.attempt_ids.read(), default=str
        )
        self.assertNotIn(secret, logged)
        self.assertNotIn(secret, json.dumps(dict(call["headers"])))

    def test_dead_letter_after_n_failures_and_the_managers_retry(self):
        with Receiver(answers=[500, 502, 503, 200]) as receiver, trap_jobs() as trap:
            endpoint = self._endpoint(receiver, webhook_signing="hmac")
            delivery = self.Delivery._enqueue(endpoint, "test.ping", {"a": 1})
            self._run(trap, rounds=3)
            self.assertEqual(delivery.state, "dead")
            self.assertEqual(delivery.attempt_count, 3)
            trap.assert_jobs_count(0)
            dead = self.Delivery.with_user(self.manager).search([("state", "=", "dead")])
            self.assertIn(delivery, dead)
            # a traceability user cannot read, nor retry, the deliveries
            self.authenticate("hook_user", "hook-user-pw")
            with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                self._retry(delivery)
            self.assertEqual(delivery.state, "dead")
            # the manager clicks Retry in the dead letter's form
            self.authenticate("hook_manager", "hook-manager-pw")
            self._retry(delivery)
            delivery.invalidate_recordset()
            self.assertEqual(delivery.state, "retrying")
            trap.assert_jobs_count(1)
            self._run(trap)
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(
            delivery.attempt_ids.sorted("number").mapped("status_code"), [500, 502, 503, 200]
        )
        self.assertEqual(len(receiver.calls), 4)

    def _retry(self, delivery):
        return self.make_jsonrpc_request(
            "/web/dataset/call_button/trace.webhook.delivery/action_retry",
            {
                "model": "trace.webhook.delivery",
                "method": "action_retry",
                "args": [delivery.ids],
                "kwargs": {"context": {}},
            },
        )

    def test_hanging_receiver_times_out_and_is_retried(self):
        with Receiver(answers=["hang"]) as receiver, trap_jobs() as trap:
            delivery = self.Delivery._enqueue(self._endpoint(receiver), "test.ping", {"a": 1})
            self._run(trap)
        self.assertEqual(delivery.state, "retrying")
        self.assertIn("timeout", delivery.last_error)
        self.assertEqual(delivery.attempt_ids.status_code, 0)
        self.assertGreaterEqual(delivery.attempt_ids.duration_ms, 1900)

    def test_redirect_is_not_followed(self):
        with Receiver(answers=[302]) as receiver, trap_jobs() as trap:
            delivery = self.Delivery._enqueue(self._endpoint(receiver), "test.ping", {"a": 1})
            self._run(trap)
        self.assertEqual(delivery.state, "retrying")
        self.assertEqual(delivery.last_status_code, 302)
        self.assertEqual(len(receiver.calls), 1)

    def test_a_failing_receiver_does_not_block_the_others(self):
        with (
            Receiver(answers=[500]) as failing,
            Receiver() as working,
            trap_jobs() as trap,
        ):
            bad = self.Delivery._enqueue(self._endpoint(failing), "test.ping", {"a": 1})
            good = self.Delivery._enqueue(self._endpoint(working), "test.ping", {"a": 1})
            trap.assert_jobs_count(2)
            self._run(trap)
        self.assertEqual(bad.state, "retrying")
        self.assertEqual(good.state, "delivered")

    def test_destination_moved_to_forbidden_address_is_not_called(self):
        with Receiver() as receiver, trap_jobs() as trap:
            endpoint = self._endpoint(receiver)
            delivery = self.Delivery._enqueue(endpoint, "test.ping", {"a": 1})
            self.env["ir.config_parameter"].sudo().set_param(
                "trace_events.webhook_allow_loopback", ""
            )
            self._run(trap)
        self.assertEqual(delivery.state, "dead")
        self.assertIn("loopback", delivery.last_error)
        self.assertFalse(receiver.calls)

    def test_unresolvable_host_is_a_network_error_retried(self):
        endpoint = self.env["trace.webhook.endpoint"].create(
            {"name": "Gone", "webhook_url": "https://receiver.invalid/hook"}
        )
        with trap_jobs() as trap:
            delivery = self.Delivery._enqueue(endpoint, "test.ping", {"a": 1})
            self._run(trap)
            trap.assert_jobs_count(1)
        self.assertEqual(delivery.state, "retrying")
        self.assertIn("does not resolve", delivery.last_error)

    def test_keys_route_publishes_the_signing_key_as_a_jwk_set(self):
        response = self.url_open("/trace/webhook/keys")
        self.assertEqual(response.status_code, 200)
        keys = response.json()["keys"]
        signer = self.Delivery._webhook_signer()
        self.assertEqual([k["kid"] for k in keys], [signer.key_id])
        self.assertEqual(keys[0]["crv"], "Ed25519")
        self.assertNotIn("d", keys[0], "never the private half")

    def test_the_readme_prints_the_same_sample(self):
        self.assertEqual(sample_code("trace_events/README.md"), sample_code())

    def test_jobs_are_stored_for_the_runner(self):
        """Without the test trap the attempt is a stored queue job (it survives a restart)."""
        with Receiver() as receiver:
            delivery = self.Delivery._enqueue(self._endpoint(receiver), "test.ping", {"a": 1})
            stored = self.env["queue.job"].search([("uuid", "=", delivery.job_uuid)])
            self.assertEqual(stored.channel, "root.trace_webhook")
            self.assertEqual(stored.state, "pending")
            Job.load(self.env, delivery.job_uuid).perform()
        self.assertEqual(delivery.state, "delivered")
