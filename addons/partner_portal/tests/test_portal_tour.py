from odoo.tests import tagged

from .common import PortalCommon


@tagged("post_install", "-at_install")
class TestPortalTour(PortalCommon):
    def test_distributor_acknowledges_and_reports_in_the_browser(self):
        self.assertEqual((self.campaign.acknowledged_count, self.campaign.units_located), (0, 0))
        self.start_tour("/my", "partner_portal_tour", login="dist_a")
        self.campaign.invalidate_recordset()
        self.assertEqual(self.campaign.acknowledged_count, 1)
        self.assertEqual(self.campaign.units_located, 30)
        self.assertEqual(self.notice_a.state, "completed")
        signature = self.notice_a.response_ids.signature_id
        self.assertEqual(signature.user_id, self.user_a)

    def test_distributor_adds_a_webhook_endpoint_in_the_browser(self):
        self.start_tour("/my", "partner_portal_webhook_tour", login="dist_a")
        endpoint = self.env["trace.webhook.endpoint"].search(
            [("partner_id", "=", self.distributor.id)]
        )
        self.assertEqual(endpoint.name, "ERP recall notices")
        self.assertEqual(endpoint.webhook_url, "https://93.184.216.34/hooks/recall-notices")
        self.assertEqual(endpoint.webhook_signing, "hmac")
        self.assertTrue(endpoint.push_recall_notices)
        self.assertTrue(endpoint.sudo().webhook_secret)
