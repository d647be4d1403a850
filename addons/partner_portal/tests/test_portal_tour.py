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
