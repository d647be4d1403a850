"""A distributor's own webhook endpoints in the portal (``/my/webhooks``), over HTTP as its
portal user: the pages, the forms with their CSRF token, bad input, the HMAC secret shown once,
test deliveries to a real local HTTPS receiver (signature checked with the docs' sample) and
their rate limit, the partner's retry of a dead letter, and another partner's user, who gets a
404 for every page and every form."""

import json
import re

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.trace_events.tests.webhook_receiver import load_sample, perform_jobs

from .common import PortalCommon
from .https_receiver import HttpsReceiver

PUBLIC_URL = "https://93.184.216.34/hooks/recall-notices"


@tagged("post_install", "-at_install")
class TestPortalWebhookPages(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("trace_events.webhook_allow_loopback", "1")
        Endpoint = cls.env["trace.webhook.endpoint"].with_user(cls.manager)
        cls.endpoint_b = Endpoint.create(
            {
                "name": "Pacific ERP",
                "partner_id": cls.distributor_b.id,
                "webhook_url": "https://93.184.216.35/pacific-hook",
                "webhook_signing": "hmac",
            }
        )
        cls.Endpoint = cls.env["trace.webhook.endpoint"].with_context(active_test=False)

    def _login_a(self):
        self.authenticate("dist_a", "dist-a-password")

    def _form(self, **values):
        data = {"name": "Huadong WMS", "url": PUBLIC_URL, "kinds": "recall_notices"}
        data.update(values)
        return {key: value for key, value in data.items() if value is not None}

    def _create(self, **values):
        response = self._post("/my/webhooks/new", self._form(**values))
        endpoint = self.Endpoint.search(
            [("partner_id", "=", self.distributor.id)], order="id desc", limit=1
        )
        return response, endpoint

    def _own_endpoints(self):
        return self.Endpoint.search([("partner_id", "=", self.distributor.id)])

    def _secret_on_page(self, text):
        match = re.search(
            r'class="form-control font-monospace o_webhook_secret" value="([^"]+)"', text
        )
        return match.group(1) if match else None

    # ------------------------------------------------------------------ pages

    def test_home_card_and_list_show_only_the_partners_endpoints(self):
        own = self.Endpoint.with_user(self.manager).create(
            {"name": "Huadong ERP", "partner_id": self.distributor.id, "webhook_url": PUBLIC_URL}
        )
        self._login_a()
        home = self.url_open("/my")
        self.assertEqual(home.status_code, 200)
        self.assertIn('href="/my/webhooks"', home.text)
        self.assertRegex(home.text, r"1\s*(<span[^>]*></span>\s*)?<span>Webhooks</span>")
        page = self.url_open("/my/webhooks")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f'href="/my/webhooks/{own.id}"', page.text)
        self.assertIn("Huadong ERP", page.text)
        self.assertNotIn("Pacific ERP", page.text)
        self.assertNotIn("pacific-hook", page.text)

    def test_add_ed25519_endpoint_shows_the_published_key(self):
        self._login_a()
        response, endpoint = self._create(signing="ed25519")
        self.assertEqual(response.status_code, 303, response.text[:2000])
        self.assertTrue(
            response.headers["Location"].endswith(f"/my/webhooks/{endpoint.id}?message=created")
        )
        self.assertEqual(endpoint.partner_id, self.distributor)
        self.assertEqual(endpoint.webhook_url, PUBLIC_URL)
        self.assertEqual(endpoint.webhook_signing, "ed25519")
        self.assertTrue(endpoint.push_recall_notices)
        self.assertEqual(endpoint.company_id, self.user_a.company_id)
        page = self.url_open(f"/my/webhooks/{endpoint.id}?message=created")
        self.assertEqual(page.status_code, 200)
        key_id = self.env["trace.webhook.delivery"]._webhook_signer().key_id
        self.assertIn(key_id, page.text)
        self.assertIn("/trace/webhook/keys", page.text)
        self.assertIn("ed25519={base64}", page.text, "how to verify, placeholders shown")
        self.assertIn("/epcis/queries/{name}/subscriptions", page.text)
        new_form = self.url_open("/my/webhooks/new").text
        self.assertIn('name="note"', new_form, "the notes field shows on an empty form")
        self.assertNotIn("o_webhook_secret_once", page.text)

    def test_hmac_secret_is_shown_once_after_creation_and_rotation(self):
        self._login_a()
        response, endpoint = self._create(signing="hmac")
        self.assertEqual(response.status_code, 200, response.text[:2000])
        secret = endpoint.sudo().webhook_secret
        self.assertTrue(secret)
        self.assertEqual(self._secret_on_page(response.text), secret)
        self.assertEqual(response.headers.get("Cache-Control"), "no-store")
        page = self.url_open(f"/my/webhooks/{endpoint.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(secret, page.text, "the secret is never shown again")
        self.assertIn("sha256={hex}", page.text)
        self.assertNotIn(secret, self.url_open("/my/webhooks").text)
        rotated = self._post(f"/my/webhooks/{endpoint.id}/rotate", {})
        self.assertEqual(rotated.status_code, 200)
        new_secret = endpoint.sudo().webhook_secret
        self.assertNotEqual(new_secret, secret)
        self.assertEqual(self._secret_on_page(rotated.text), new_secret)
        self.assertNotIn(new_secret, self.url_open(f"/my/webhooks/{endpoint.id}").text)

    def test_bad_input_is_refused_on_the_form_and_creates_nothing(self):
        self._login_a()
        cases = {
            "http://93.184.216.34/hook": "not an https:// address",
            "https://10.1.2.3/hook": "a private address",
            "https://169.254.169.254/latest/meta-data": "a link-local address",
            "ftp://93.184.216.34/hook": "not an http:// or https:// URL",
            "https://user:pw@93.184.216.34/hook": "carries a user name or password",
            "": "Enter the https:// address of your receiver.",
        }
        for url, message in cases.items():
            with self.subTest(url=url):
                response, _endpoint = self._create(url=url)
                self.assertEqual(response.status_code, 400)
                self.assertIn("o_webhook_error", response.text)
                self.assertIn(message, response.text)
                self.assertFalse(self._own_endpoints())
        response, _endpoint = self._create(kinds="all_events_of_everyone")
        self.assertEqual(response.status_code, 400)
        self.assertIn("is not something an endpoint can receive", response.text)
        response, _endpoint = self._create(kinds=None)
        self.assertEqual(response.status_code, 400)
        self.assertIn("Choose what the endpoint receives.", response.text)
        response, _endpoint = self._create(signing="none")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._own_endpoints())
        # without the CSRF token nothing is created either
        response = self._post("/my/webhooks/new", self._form(), csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._own_endpoints())

    def test_edit_disable_enable_and_delete(self):
        self._login_a()
        _response, endpoint = self._create(signing="ed25519")
        response = self._post(
            f"/my/webhooks/{endpoint.id}/edit",
            self._form(name="Huadong ERP v2", url="https://93.184.216.34/v2", signing="hmac"),
        )
        self.assertEqual(response.status_code, 200, "switching to HMAC shows the new secret")
        self.assertEqual(endpoint.name, "Huadong ERP v2")
        self.assertEqual(endpoint.webhook_url, "https://93.184.216.34/v2")
        self.assertEqual(self._secret_on_page(response.text), endpoint.sudo().webhook_secret)
        response = self._post(
            f"/my/webhooks/{endpoint.id}/edit", self._form(url="http://x.example/")
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(endpoint.webhook_url, "https://93.184.216.34/v2", "nothing changed")
        response = self._post(f"/my/webhooks/{endpoint.id}/toggle", {"active": "0"})
        self.assertEqual(response.status_code, 303)
        self.assertFalse(endpoint.active)
        with trap_jobs() as trap:
            response = self._post(f"/my/webhooks/{endpoint.id}/test", {})
            self.assertEqual(response.status_code, 400)
            self.assertIn("is disabled", response.text)
            trap.assert_jobs_count(0)
        self._post(f"/my/webhooks/{endpoint.id}/toggle", {"active": "1"})
        self.assertTrue(endpoint.active)
        response = self._post(f"/my/webhooks/{endpoint.id}/delete", {})
        self.assertEqual(response.status_code, 303)
        self.assertIn("/my/webhooks?message=deleted", response.headers["Location"])
        self.assertFalse(endpoint.exists())

    # ------------------------------------------------------------------ access

    def test_another_partners_user_gets_404_for_every_page_and_form(self):
        endpoint = self.endpoint_b
        secret = endpoint.sudo().webhook_secret
        delivery = self.env["trace.webhook.delivery"]._enqueue(endpoint, "test.ping", {"p": 1})
        delivery.write({"state": "dead", "attempt_count": 6})
        self._login_a()
        for url in (f"/my/webhooks/{endpoint.id}", f"/my/webhooks/{endpoint.id}/page/2"):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url).status_code, 404)
        with trap_jobs() as trap:
            for action, data in (
                ("edit", self._form(url="https://93.184.216.34/stolen")),
                ("toggle", {"active": "0"}),
                ("rotate", {}),
                ("test", {}),
                (f"deliveries/{delivery.id}/retry", {}),
                ("delete", {}),
            ):
                with self.subTest(action=action):
                    response = self._post(f"/my/webhooks/{endpoint.id}/{action}", data)
                    self.assertEqual(response.status_code, 404)
            trap.assert_jobs_count(0)
        endpoint.invalidate_recordset()
        self.assertTrue(endpoint.exists())
        self.assertTrue(endpoint.active)
        self.assertEqual(endpoint.webhook_url, "https://93.184.216.35/pacific-hook")
        self.assertEqual(endpoint.sudo().webhook_secret, secret)
        self.assertEqual(delivery.state, "dead")
        self.assertNotIn("Pacific ERP", self.url_open("/my/webhooks").text)

    def test_portal_users_only_read_their_own_endpoints_in_the_orm(self):
        own = self.Endpoint.with_user(self.manager).create(
            {"name": "Huadong ERP", "partner_id": self.distributor.id, "webhook_url": PUBLIC_URL}
        )
        Endpoint = self.env["trace.webhook.endpoint"].with_user(self.user_a)
        self.assertEqual(Endpoint.search([]), own)
        self.assertEqual(own.with_user(self.user_a).read(["name"])[0]["name"], "Huadong ERP")
        with self.assertRaises(AccessError):
            self.endpoint_b.with_user(self.user_a).read(["webhook_url"])
        with self.assertRaises(AccessError):
            own.with_user(self.user_a).write({"webhook_url": "https://93.184.216.34/x"})
        with self.assertRaises(AccessError):
            Endpoint.create({"name": "Mine", "partner_id": self.distributor.id})
        with self.assertRaises(AccessError):
            own.with_user(self.user_a).webhook_secret  # noqa: B018
        # internal users are unaffected: the manager still sees every partner's endpoints
        managed = self.env["trace.webhook.endpoint"].with_user(self.manager).search([])
        self.assertIn(own, managed)
        self.assertIn(self.endpoint_b, managed)

    def test_internal_users_manage_endpoints_in_the_backend_not_here(self):
        self.authenticate(self.manager.login, "qm-password")
        self.assertNotIn('href="/my/webhooks"', self.url_open("/my").text)
        self.assertEqual(self.url_open("/my/webhooks").status_code, 404)
        self.assertEqual(self.url_open(f"/my/webhooks/{self.endpoint_b.id}").status_code, 404)
        response = self._post(f"/my/webhooks/{self.endpoint_b.id}/toggle", {"active": "0"})
        self.assertEqual(response.status_code, 404)
        self.assertTrue(self.endpoint_b.active)

    # ------------------------------------------------------------------ deliveries

    def test_test_delivery_reaches_a_real_receiver_signed_with_the_shown_secret(self):
        self._login_a()
        with HttpsReceiver() as receiver, trap_jobs() as trap:
            response, endpoint = self._create(url=receiver.url, signing="hmac")
            self.assertEqual(response.status_code, 200, response.text[:2000])
            receiver.secret = self._secret_on_page(response.text)
            response = self._post(f"/my/webhooks/{endpoint.id}/test", {})
            self.assertEqual(response.status_code, 303)
            page = self.url_open(f"/my/webhooks/{endpoint.id}")
            self.assertIn('data-state="queued"', page.text)
            trap.assert_jobs_count(1)
            perform_jobs(trap, self.env)
        [call] = receiver.calls
        self.assertTrue(call["verified"], "the docs' sample verifies it with the shown secret")
        self.assertEqual(call["headers"]["X-Trace-Event"], "webhook.test")
        payload = json.loads(call["body"])
        self.assertEqual(payload["consignee"]["id"], self.distributor.id)
        page = self.url_open(f"/my/webhooks/{endpoint.id}")
        self.assertIn('data-state="delivered"', page.text)
        self.assertIn("HTTP 200", page.text)
        listing = self.url_open("/my/webhooks")
        self.assertIn('data-state="delivered"', listing.text)

    def test_partner_sends_a_dead_letter_again(self):
        self.env["ir.config_parameter"].sudo().set_param("trace_events.webhook_max_attempts", "1")
        with self.allow_requests(all_requests=True):
            keys = load_sample()["fetch_keys"](self.base_url())
        self._login_a()
        with HttpsReceiver(answers=[503, 200], keys=keys) as receiver, trap_jobs() as trap:
            _response, endpoint = self._create(url=receiver.url, signing="ed25519")
            self._post(f"/my/webhooks/{endpoint.id}/test", {})
            perform_jobs(trap, self.env)
            [delivery] = self.env["trace.webhook.delivery"].search(
                [("target_model", "=", endpoint._name), ("target_id", "=", endpoint.id)]
            )
            self.assertEqual(delivery.state, "dead")
            page = self.url_open(f"/my/webhooks/{endpoint.id}")
            self.assertIn("HTTP 503", page.text)
            self.assertIn(f"/deliveries/{delivery.id}/retry", page.text)
            response = self._post(f"/my/webhooks/{endpoint.id}/deliveries/{delivery.id}/retry", {})
            self.assertEqual(response.status_code, 303)
            self.assertEqual(delivery.state, "retrying")
            perform_jobs(trap, self.env)
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual([call["verified"] for call in receiver.calls], [True, True])
        # a delivered one cannot be sent again
        response = self._post(f"/my/webhooks/{endpoint.id}/deliveries/{delivery.id}/retry", {})
        self.assertEqual(response.status_code, 400)
        self.assertIn("is not a dead letter", response.text)

    def test_test_deliveries_are_rate_limited(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_portal.webhook_tests_per_hour", "2"
        )
        self._login_a()
        _response, endpoint = self._create()
        _response, other = self._create(name="Second", url="https://93.184.216.36/hook")
        with trap_jobs() as trap:
            for target in (endpoint, other):
                response = self._post(f"/my/webhooks/{target.id}/test", {})
                self.assertEqual(response.status_code, 303)
            response = self._post(f"/my/webhooks/{endpoint.id}/test", {})
            self.assertEqual(response.status_code, 400)
            self.assertIn("Too many test deliveries in the last hour", response.text)
            trap.assert_jobs_count(2)
        # deleting and re-creating endpoints does not reset the limit of a receiving host
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_portal.webhook_tests_per_hour", "100"
        )
        self.env["ir.config_parameter"].sudo().set_param(
            "partner_portal.webhook_tests_per_host_per_hour", "1"
        )
        self._post(f"/my/webhooks/{endpoint.id}/delete", {})
        _response, again = self._create()
        with trap_jobs() as trap:
            response = self._post(f"/my/webhooks/{again.id}/test", {})
            self.assertEqual(response.status_code, 400)
            trap.assert_jobs_count(0)

    def test_log_hides_the_internal_address_a_host_resolved_to(self):
        self._login_a()
        _response, endpoint = self._create()
        with trap_jobs():
            delivery = self.env["trace.webhook.delivery"]._enqueue(endpoint, "webhook.test", {})
        delivery.write(
            {
                "state": "dead",
                "attempt_count": 6,
                "last_error": "https://wms.in.corp/x (Webhook Endpoint: X) resolves to "
                "10.20.30.40, a private address",
            }
        )
        page = self.url_open(f"/my/webhooks/{endpoint.id}")
        self.assertIn("resolves to [hidden], a private address", page.text)
        self.assertNotIn("10.20.30.40", page.text)
