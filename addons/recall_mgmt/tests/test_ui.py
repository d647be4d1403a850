from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.trace_events.tests.common import TraceCommon

#: the tour types the login as the password in the signature dialog
TOUR_LOGIN = "tour_recall_qm"


@tagged("post_install", "-at_install")
class TestRecallUi(TraceCommon, HttpCase):
    """A catheter lot received (40) and partly shipped to the distributor (15); a hospital
    complains about it. The quality manager runs the recall from the complaint in the
    browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.quality_manager = new_test_user(
            cls.env,
            TOUR_LOGIN,
            password=TOUR_LOGIN,
            name="Tour Quality Manager",
            groups="base.group_user,udi_master.group_trace_manager,"
            "stock.group_stock_manager,helpdesk_mgmt.group_helpdesk_user",
        )
        cls.distributor.email = "quality@huadong.example.com"
        cls._receive([(cls.catheter_variant, "TOURRC1", 40)])
        cls.tour_lot = cls._lot_named(cls.catheter_variant, "TOURRC1")
        cls._deliver(cls.distributor, [(cls.catheter_variant, cls.tour_lot, 15)])
        cls.ticket = cls.env["helpdesk.ticket"].create({
            "name": "Tour: catheter hub cracked",
            "description": "<p>The hub cracked during a pressure injection.</p>",
            "partner_id": cls.hospital.id,
            "trace_service_type": "complaint",
            "trace_lot_id": cls.tour_lot.id,
        })

    def test_quality_manager_runs_a_recall_from_a_complaint_in_browser(self):
        self.start_tour(
            f"/odoo/helpdesk-tickets/{self.ticket.id}",
            "recall_mgmt_open_recall_from_complaint",
            login=TOUR_LOGIN,
        )
        campaign = self.env["recall.campaign"].search([("ticket_id", "=", self.ticket.id)])
        self.assertEqual(len(campaign), 1)
        self.assertEqual(campaign.state, "notified")
        self.assertEqual(campaign.title, "Tour: catheter hub may crack")
        self.assertEqual(campaign.approval_signature_id.user_id, self.quality_manager)
        self.assertEqual(campaign.notice_ids.partner_id, self.distributor)
        for mail in self.env["mail.mail"].sudo().search([("state", "=", "outgoing")]):
            mail.state = "sent"  # the mail server accepts the notice
            mail._postprocess_sent_message(success_pids=mail.recipient_ids, success_emails=[])
        self.assertEqual((campaign.consignee_count, campaign.notified_count), (1, 1))
        self.assertTrue(self.tour_lot.recall_blocked, "our 25 units are quarantined")
