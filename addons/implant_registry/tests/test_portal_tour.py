from odoo.tests import tagged

from .portal_common import ImplantPortalCommon


@tagged("post_install", "-at_install")
class TestImplantPortalTour(ImplantPortalCommon):
    def test_hospital_records_an_implant_and_reports_per_patient_in_the_browser(self):
        campaign = self._recall()
        notice = campaign.notice_ids.filtered(lambda n: n.partner_id == self.hospital_a)
        self.start_tour("/my", "implant_registry_portal_tour", login="hosp_a")
        record = self.env["implant.record"].search([("lot_id.name", "=", "PM-003")])
        self.assertEqual(
            (record.facility_id, record.source, record.reporter_id, record.physician),
            (self.hospital_a, "portal", self.user_a, "Dr. Liu Yang"),
        )
        self.assertEqual(notice.state, "acknowledged")
        self.assertEqual(notice.response_ids.signature_id.user_id, self.user_a)
        line = notice.implant_line_ids.filtered(lambda li: li.lot_id.name == "PM-001")
        self.assertEqual(line.status, "notified")
        self.assertEqual(line.report_ids.create_uid, self.user_a)
        self.assertEqual(campaign.implant_notified_count, 1)
