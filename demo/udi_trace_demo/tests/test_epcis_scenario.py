"""The demo's packing, EPCIS repository and webhooks, as bin/demo builds them: the pallet
and cases of the delivery to Huadong (SSCCs), Huadong's WMS capture job and the inbox entry
of the hospital it names, Pacific's named query and subscription, Huadong's endpoint for
recall notices and the one Pacific added in the portal, with their queued deliveries (none
performed while the demo installs)."""

from odoo.tests import HttpCase, tagged

from ..models.udi_demo_epcis import (
    HUADONG_ENDPOINT_URL,
    NEW_HOSPITAL_GLN,
    PACIFIC_DEST,
    PACIFIC_ENDPOINT_URL,
    PACIFIC_QUERY,
)
from .test_demo import load_demo

PALLET, CASE_1, CASE_2 = "069012340002511039", "069012340002511015", "069012340002511022"


@tagged("post_install", "-at_install")
class TestEpcisScenario(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        load_demo(cls.env)
        cls.ref = cls.env.ref
        cls.Event = cls.env["trace.event"]
        cls.huadong = cls.ref("udi_master.partner_distributor_huadong")

    def _serials(self, *names):
        pacemaker = self.ref("udi_master.product_pacemaker").product_variant_id
        return self.env["stock.lot"].search(
            [("product_id", "=", pacemaker.id), ("name", "in", names)]
        )

    def test_delivery_to_huadong_is_packed_in_cases_on_a_pallet(self):
        delivery = self.ref("udi_trace_demo.demo_delivery_huadong")
        self.assertEqual(delivery.state, "done")
        packed = self.Event.search(
            [("picking_id", "=", delivery.id), ("event_type", "=", "aggregation")]
        )
        by_parent = {
            event.line_ids.filtered(lambda line: line.role == "parent").lot_name: event
            for event in packed
        }
        self.assertEqual(set(by_parent), {PALLET, CASE_1, CASE_2})
        self.assertEqual({(e.action, e.biz_step) for e in packed}, {("add", "packing")})
        case_1 = by_parent[CASE_1].line_ids.filtered(lambda line: line.role == "child")
        self.assertEqual(case_1.lot_id, self._serials("PM200-251001", "PM200-251002"))
        self.assertEqual(
            set(
                by_parent[PALLET]
                .line_ids.filtered(lambda line: line.role == "child")
                .mapped("lot_name")
            ),
            {CASE_1, CASE_2},
        )
        # the timeline of a serial shows its packing; the pallet's trace reaches every serial
        serial = self._serials("PM200-251003")
        self.assertIn(by_parent[CASE_2], self.Event.search([("line_ids.lot_id", "=", serial.id)]))
        result = self.Event.trace_package(f"(00){PALLET}")
        self.assertEqual(
            set(result["package"]["lot_ids"]),
            set(self._serials("PM200-251001", "PM200-251002", "PM200-251003").ids),
        )
        self.assertEqual(set(result["package"]["package_refs"]), {CASE_1, CASE_2})

    def test_huadong_wms_capture_job_succeeded_and_a_new_hospital_waits_in_the_inbox(self):
        job = self.ref("udi_trace_demo.demo_capture_huadong_wms")
        self.assertEqual(job.state, "success", job.error_text)
        self.assertEqual(job.user_id.login, "huadong_wms")
        self.assertEqual((job.event_count, job.created_count), (3, 2))
        self.assertTrue(job.finished_at)
        self.assertEqual(self.env["queue.job"].search([("uuid", "=", job.job_uuid)]).state, "done")
        stored = self.Event.search(
            [("origin", "=", "capture"), ("biz_transaction", "ilike", "HD-DN-2025110")]
        )
        self.assertEqual(
            stored.line_ids.lot_id, self._serials("PM200-251001", "PM200-251002", "PM200-251003")
        )
        waiting = self.env["trace.event.inbox"].search(
            [("state", "=", "waiting"), ("sender_id", "=", job.user_id.id)]
        )
        self.assertEqual(len(waiting), 1)
        self.assertEqual(
            waiting.missing_ids.mapped(lambda m: (m.kind, m.value)), [("gln", NEW_HOSPITAL_GLN)]
        )

    def test_pacific_subscription_delivery_is_queued_to_its_wms(self):
        query = self.ref("udi_trace_demo.demo_query_pacific")
        subscription = self.ref("udi_trace_demo.demo_subscription_pacific")
        self.assertEqual(query.name, PACIFIC_QUERY)
        self.assertEqual(query.user_id, self.ref("partner_portal.user_pacific"))
        self.assertEqual(subscription.query_id, query)
        self.assertEqual(subscription.webhook_url, PACIFIC_DEST)
        deliveries = self.env["trace.webhook.delivery"].search(
            [("target_model", "=", subscription._name), ("target_id", "=", subscription.id)]
        )
        self.assertEqual(len(deliveries), 1)
        self.assertEqual((deliveries.kind, deliveries.state), ("epcis.events", "queued"))
        self.assertIn(PACIFIC_QUERY, deliveries.body)
        self.assertIn("PM200-251004", deliveries.body)
        self.assertEqual(
            self.env["queue.job"].search([("uuid", "=", deliveries.job_uuid)]).state, "pending"
        )

    def test_live_recall_notice_to_huadong_is_queued_to_its_endpoint(self):
        endpoint = self.ref("udi_trace_demo.demo_webhook_huadong")
        self.assertEqual(
            (endpoint.partner_id, endpoint.webhook_url, endpoint.webhook_signing),
            (self.huadong, HUADONG_ENDPOINT_URL, "ed25519"),
        )
        deliveries = self.env["trace.webhook.delivery"].search(
            [("target_model", "=", endpoint._name), ("target_id", "=", endpoint.id)]
        )
        self.assertEqual(deliveries.mapped("kind"), ["recall.notice.issued"])
        self.assertEqual(deliveries.state, "queued")
        notice = self.ref("udi_trace_demo.demo_recall_cells").notice_ids.filtered(
            lambda n: n.partner_id == self.huadong
        )
        self.assertIn(notice.name, deliveries.body)

    def test_pacific_added_its_own_endpoint_in_the_portal(self):
        endpoint = self.ref("udi_trace_demo.demo_webhook_pacific")
        pacific = self.ref("partner_portal.user_pacific")
        self.assertEqual(endpoint.partner_id, pacific.commercial_partner_id)
        self.assertEqual(endpoint.webhook_url, PACIFIC_ENDPOINT_URL)
        self.assertEqual(endpoint.create_uid, pacific, "made by its portal user")
        self.assertEqual(endpoint.with_user(pacific)._portal_endpoints(), endpoint)
        deliveries = self.env["trace.webhook.delivery"].search(
            [("target_model", "=", endpoint._name), ("target_id", "=", endpoint.id)]
        )
        self.assertEqual(deliveries.mapped("kind"), ["recall.notice.issued"])
        notice = self.ref("udi_trace_demo.demo_recall_cells").notice_ids.filtered(
            lambda n: n.partner_id == pacific.commercial_partner_id
        )
        self.assertIn(notice.name, deliveries.body)
