"""Recall notices issued to a partner, and their changes, pushed to that partner's webhook
endpoint (a real local receiver checking the signature with the docs' sample), never to
another partner's."""

import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.trace_events.tests.webhook_receiver import Receiver, load_sample, perform_jobs

from .common import PortalCommon


@tagged("post_install", "-at_install")
class TestPortalWebhooks(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("trace_events.webhook_allow_loopback", "1")
        cls.key = cls._api_key(cls.user_a)

    def _endpoints(self, receiver_a, receiver_b):
        Endpoint = self.env["trace.webhook.endpoint"].with_user(self.manager)
        endpoint_a = Endpoint.create(
            {
                "name": "Huadong WMS",
                "partner_id": self.distributor.id,
                "webhook_url": receiver_a.url,
            }
        )
        endpoint_b = Endpoint.create(
            {
                "name": "Pacific ERP",
                "partner_id": self.distributor_b.id,
                "webhook_url": receiver_b.url,
                "webhook_signing": "hmac",
            }
        )
        receiver_b.secret = endpoint_b.sudo().webhook_secret
        return endpoint_a, endpoint_b

    def _keys(self):
        with self.allow_requests(all_requests=True):  # the sample sends no test cookie
            return load_sample()["fetch_keys"](self.base_url())

    def _pushed(self, receiver):
        """[(kind, payload)] the receiver got, each signature checked by the sample."""
        for call in receiver.calls:
            self.assertTrue(call["verified"], call["headers"])
        return [
            (call["headers"]["X-Trace-Event"], json.loads(call["body"])) for call in receiver.calls
        ]

    def test_issued_notice_reaches_its_partner_and_no_other(self):
        with (
            Receiver(keys=self._keys()) as receiver_a,
            Receiver() as receiver_b,
            trap_jobs() as trap,
        ):
            self._endpoints(receiver_a, receiver_b)
            campaign = self._portal_campaign(title="Balloon may leak")
            trap.assert_jobs_count(2)
            perform_jobs(trap, self.env)
        notice_a = campaign.notice_ids.filtered(lambda n: n.partner_id == self.distributor)
        [(kind, payload)] = self._pushed(receiver_a)
        self.assertEqual(kind, "recall.notice.issued")
        self.assertEqual(payload["notice"]["name"], notice_a.name)
        self.assertEqual(payload["campaign"]["name"], campaign.name)
        self.assertEqual(payload["consignee"]["id"], self.distributor.id)
        self.assertEqual([u["lot"] for u in payload["notice"]["units"]], ["RC-L1"])
        self.assertTrue(payload["links"]["portal"].endswith(notice_a.access_url))
        self.assertNotIn("PCF7731X", receiver_a.calls[0]["body"].decode())
        [(kind_b, payload_b)] = self._pushed(receiver_b)
        self.assertEqual(kind_b, "recall.notice.issued")
        self.assertEqual([u["lot"] for u in payload_b["notice"]["units"]], ["PCF7731X"])
        self.assertNotIn("RC-L1", receiver_b.calls[0]["body"].decode())
        self.assertTrue(receiver_b.calls[0]["headers"]["X-Trace-Signature"].startswith("sha256="))

    def test_acknowledgement_quantities_and_completion_are_pushed(self):
        with (
            Receiver(keys=self._keys()) as receiver_a,
            Receiver() as receiver_b,
            trap_jobs() as trap,
        ):
            self._endpoints(receiver_a, receiver_b)
            # the distributor's own system acknowledges and reports over JSON-2
            response = self._json2(
                self.key,
                "recall.notice",
                "portal_acknowledge",
                ids=self.notice_a.ids,
                password="dist-a-password",
            )
            self.assertEqual(response.status_code, 200, response.text)
            response = self._json2(
                self.key,
                "recall.notice",
                "portal_report",
                ids=self.notice_a.ids,
                reports=[{"lot": "RC-L1", "qty_on_hand": 12, "qty_returned": 18}],
            )
            self.assertEqual(response.status_code, 200, response.text)
            perform_jobs(trap, self.env)
        kinds = [kind for kind, _payload in self._pushed(receiver_a)]
        self.assertEqual(
            sorted(kinds),
            sorted(
                [
                    "recall.notice.acknowledged",
                    "recall.notice.completed",
                    "recall.notice.quantities_reported",
                ]
            ),
        )
        reported = dict(self._pushed(receiver_a))["recall.notice.quantities_reported"]
        self.assertEqual(reported["notice"]["state"], "completed")
        self.assertEqual(reported["notice"]["units"][0]["reported"]["qty_returned"], 18)
        self.assertFalse(receiver_b.calls, "the other distributor hears nothing of it")

    def test_reminder_is_pushed(self):
        campaign = self.notice_a.campaign_id
        days = campaign.reminder_days or 1
        self.assertGreater(campaign.escalation_days, days)
        self.env.cr.execute(
            "UPDATE recall_notice SET sent_at = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=days, hours=1), self.notice_a.id),
        )
        self.notice_a.invalidate_recordset()
        with (
            Receiver(keys=self._keys()) as receiver_a,
            Receiver() as receiver_b,
            trap_jobs() as trap,
        ):
            self._endpoints(receiver_a, receiver_b)
            self.notice_a._recall_remind()
            perform_jobs(trap, self.env)
        [(kind, payload)] = self._pushed(receiver_a)
        self.assertEqual(kind, "recall.notice.reminder")
        self.assertEqual(payload["reminder_count"], 1)

    def test_drill_without_mail_is_not_pushed(self):
        with Receiver() as receiver_a, Receiver() as receiver_b, trap_jobs() as trap:
            self._endpoints(receiver_a, receiver_b)
            self._portal_campaign(title="Drill", is_drill=True, drill_send_mail=False)
            trap.assert_jobs_count(0)

    def test_endpoints_are_changed_only_through_the_portal_forms(self):
        with Receiver() as receiver_a, Receiver() as receiver_b:
            endpoint_a, endpoint_b = self._endpoints(receiver_a, receiver_b)
        # the distributor reads its own endpoint (the portal's /my/webhooks), not another's
        self.assertEqual(endpoint_a.with_user(self.user_a).read(["name"])[0]["name"], "Huadong WMS")
        with self.assertRaises(AccessError):
            endpoint_b.with_user(self.user_a).read(["webhook_url"])
        with self.assertRaises(AccessError):
            endpoint_a.with_user(self.user_a).write({"webhook_url": "https://93.184.216.34/"})
        with self.assertRaises(AccessError):
            self.env["trace.webhook.endpoint"].with_user(self.user_a).create(
                {
                    "name": "Mine",
                    "partner_id": self.distributor.id,
                    "webhook_url": "https://93.184.216.34/",
                }
            )
        with self.assertRaises(AccessError):
            self.env["trace.webhook.delivery"].with_user(self.user_a).search([])
        # the recall manager configures it on the partner
        self.assertEqual(self.distributor.with_user(self.manager).webhook_endpoint_ids, endpoint_a)
