"""The webhook destination: refused URLs (SSRF), the payload limit, the queued job."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

LOOPBACK = "trace_events.webhook_allow_loopback"


@tagged("post_install", "-at_install")
class TestWebhookTarget(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Endpoint = cls.env["trace.webhook.endpoint"]
        cls.endpoint = cls.Endpoint.create(
            {"name": "Distributor WMS", "webhook_url": "https://93.184.216.34/hook"}
        )

    def test_non_http_destination_is_refused(self):
        for url in ("ftp://93.184.216.34/x", "file:///etc/passwd", "gopher://x/", "javascript:1"):
            with self.subTest(url=url), self.assertRaisesRegex(UserError, "not an http"):
                self.Endpoint.create({"name": "Bad", "webhook_url": url})

    def test_forbidden_addresses_are_refused(self):
        cases = {
            "http://127.0.0.1:8069/": "loopback",
            "http://localhost/": "loopback",
            "http://[::1]/": "loopback",
            "http://[::ffff:127.0.0.1]/": "loopback",
            "http://10.1.2.3/": "private",
            "http://192.168.0.10/": "private",
            "http://169.254.169.254/latest/meta-data/": "link-local",
            "http://0.0.0.0/": "unspecified",
            "http://224.0.0.1/": "multicast",
        }
        for url, reason in cases.items():
            with self.subTest(url=url), self.assertRaisesRegex(UserError, f"a {reason} address"):
                self.endpoint.write({"webhook_url": url})
        self.assertEqual(self.endpoint.webhook_url, "https://93.184.216.34/hook")

    def test_credentials_in_url_are_refused(self):
        with self.assertRaisesRegex(UserError, "user name or password"):
            self.endpoint.write({"webhook_url": "https://user:pw@93.184.216.34/"})

    def test_loopback_only_with_the_system_parameter(self):
        with self.assertRaisesRegex(UserError, "loopback"):
            self.endpoint.write({"webhook_url": "http://127.0.0.1:9/"})
        self.env["ir.config_parameter"].sudo().set_param(LOOPBACK, "1")
        self.endpoint.write({"webhook_url": "http://127.0.0.1:9/"})
        self.assertEqual(self.endpoint.webhook_url, "http://127.0.0.1:9/")

    def test_enqueue_queues_one_job_in_the_webhook_channel(self):
        Delivery = self.env["trace.webhook.delivery"]
        with trap_jobs() as trap:
            delivery = Delivery._enqueue(self.endpoint, "test.ping", {"hello": "世界"})
            trap.assert_jobs_count(1, only=delivery._deliver_attempt)
            trap.assert_enqueued_job(
                delivery._deliver_attempt, properties={"channel": "root.trace_webhook"}
            )
        self.assertEqual(delivery.state, "queued")
        self.assertEqual(delivery.body, '{"hello":"世界"}')
        self.assertEqual(delivery.target_id, self.endpoint.id)
        self.assertEqual(self.endpoint.webhook_delivery_count, 1)

    def test_oversized_payload_is_refused(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "trace_events.webhook_max_payload_bytes", "1000"
        )
        with self.assertRaisesRegex(UserError, "more than the limit of 1000 bytes"):
            self.env["trace.webhook.delivery"]._enqueue(
                self.endpoint, "test.ping", {"blob": "x" * 2000}
            )
        self.assertFalse(self.env["trace.webhook.delivery"].search([]))

    def test_hmac_secret_generated_and_hidden_from_non_managers(self):
        endpoint = self.Endpoint.create(
            {"name": "HMAC", "webhook_url": "https://93.184.216.34/", "webhook_signing": "hmac"}
        )
        self.assertGreaterEqual(len(endpoint.webhook_secret), 40)
        by_default = self.Endpoint.with_context(default_webhook_signing="hmac").create(
            {"name": "HMAC by default", "webhook_url": "https://93.184.216.34/"}
        )
        self.assertGreaterEqual(len(by_default.webhook_secret), 40)
        self.assertNotEqual(by_default.webhook_secret, endpoint.webhook_secret)
        user = new_test_user(
            self.env, "hook_trace_user", groups="base.group_user,udi_master.group_trace_user"
        )
        with self.assertRaises(AccessError):  # no read on endpoints, nor on the secret
            endpoint.with_user(user).read(["webhook_secret"])

    def test_other_companys_endpoints_and_deliveries_are_hidden(self):
        other = self.env["res.company"].create({"name": "Other Medical GmbH"})
        theirs = self.Endpoint.create(
            {"name": "Theirs", "webhook_url": "https://93.184.216.34/", "company_id": other.id}
        )
        Delivery = self.env["trace.webhook.delivery"]
        with trap_jobs():
            their_delivery = Delivery._enqueue(theirs, "test.ping", {"a": 1})
            our_delivery = Delivery._enqueue(self.endpoint, "test.ping", {"a": 1})
        self.assertEqual(their_delivery.company_id, other)
        manager = new_test_user(
            self.env,
            "hook_manager_main",
            groups="base.group_user,udi_master.group_trace_manager",
            company_id=self.env.company.id,
            company_ids=[(6, 0, self.env.company.ids)],
        )
        self.assertFalse(self.Endpoint.with_user(manager).search([("id", "=", theirs.id)]))
        seen = Delivery.with_user(manager).search(
            [("id", "in", (their_delivery | our_delivery).ids)]
        )
        self.assertEqual(seen, our_delivery)
        self.assertEqual(self.endpoint.with_user(manager).webhook_delivery_count, 1)
