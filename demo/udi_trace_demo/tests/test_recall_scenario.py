from odoo.tests import tagged

from odoo.addons.recall_mgmt.tests.common import RecallCommon

PASSWORD = "qm-password"


@tagged("post_install", "-at_install")
class TestRecallSteps(RecallCommon):
    """The steps of the demo's recalls on data built here (CI installs without demo data): a
    catheter lot shipped to the distributor (30) and the hospital (20), 50 in our stock."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Demo = cls.env["udi.demo.recall"]
        cls.vals = {
            "title": "Demo: catheter hub may crack",
            "reason": "Hub cracks under pressure (demo).",
            "recall_class": "2",
            "jurisdiction_ids": [(6, 0, cls.env.ref("recall_mgmt.jurisdiction_nmpa").ids)],
            "lot_ids": [(6, 0, cls.lot.ids)],
            "action_return": True,
        }

    def _open(self, password=PASSWORD, **vals):
        return self.Demo._demo_open({**self.vals, **vals}, self.manager, password)

    def _notified(self, **vals):
        campaign = self._open(**vals)
        self.Demo._demo_notify(campaign, self.manager)
        return campaign

    def _answer(self, campaign, partner, quantities):
        notice = self.Demo._demo_notice(campaign, partner)
        self.Demo._demo_respond(notice, self.manager, PASSWORD, quantities, "by phone")
        return notice

    def test_complaint_names_the_device_and_is_ready_for_open_recall(self):
        ticket = self.Demo._demo_complaint(
            self.hospital, self.lot, "Hub cracked", "<p>During injection.</p>"
        )
        self.assertEqual(
            (ticket.trace_lot_id, ticket.trace_product_id, ticket.trace_service_type),
            (self.lot, self.catheter_variant, "complaint"),
        )
        context = ticket.with_user(self.manager).action_open_recall()["context"]
        self.assertEqual(context["default_lot_ids"], [(6, 0, self.lot.ids)])
        self.assertEqual(context["default_ticket_id"], ticket.id)

    def test_recall_is_approved_by_the_signer_with_the_password_checked(self):
        campaign = self._open()
        signature = campaign.approval_signature_id
        self.assertEqual(campaign.state, "approved")
        self.assertEqual(signature.user_id, self.manager)
        self.assertNotIn("demo data", signature.meaning_text)
        self.assertEqual(campaign.create_uid, self.manager)

    def test_signature_without_a_valid_password_is_marked_as_demo_data(self):
        campaign = self._open(password="changed-since")
        self.assertEqual(campaign.state, "approved")
        self.assertEqual(campaign.approval_signature_id.user_id, self.manager)
        self.assertIn("demo data", campaign.approval_signature_id.meaning_text)

    def test_notify_sends_one_notice_per_consignee(self):
        campaign = self._notified()
        self.assertEqual(campaign.state, "notified")
        self.assertEqual(
            {notice.partner_id: notice.state for notice in campaign.notice_ids},
            {self.distributor: "sent", self.hospital: "sent"},
        )

    def test_answer_is_acknowledged_and_reported_through_the_response_dialog(self):
        campaign = self._notified()
        notice = self._answer(campaign, self.distributor, {self.lot: {"qty_used": 30}})
        self.assertEqual(notice.state, "completed")
        acknowledgement = notice.response_ids.filtered(lambda r: r.kind == "acknowledgement")
        self.assertEqual(acknowledgement.signature_id.user_id, self.manager)
        self.assertEqual(acknowledgement.channel, "backend")
        report = notice.response_ids.filtered(lambda r: r.kind == "quantities")
        self.assertEqual((report.lot_id, report.qty_used, report.note), (self.lot, 30, "by phone"))

    def test_return_receives_the_units_back_and_counts_them_recovered(self):
        campaign = self._notified()
        notice = self._answer(
            campaign, self.distributor, {self.lot: {"qty_used": 10, "qty_returned": 20}}
        )
        picking = self.Demo._demo_return(notice, self.manager, {self.lot: 20})
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.recall_notice_id, notice)
        self.assertEqual(notice.qty_recovered, 20)
        self.assertEqual(campaign.units_recovered, 20)

    def test_close_verifies_every_consignee_and_signs_the_closure(self):
        campaign = self._notified()
        self._answer(campaign, self.distributor, {self.lot: {"qty_used": 30}})
        self._answer(campaign, self.hospital, {self.lot: {"qty_destroyed": 20}})
        self.Demo._demo_close(campaign, self.manager, PASSWORD)
        self.assertEqual(campaign.state, "closed")
        self.assertTrue(all(campaign.notice_ids.mapped("effectiveness_verified_at")))
        closing = campaign.log_ids.filtered(lambda log: log.to_state == "closed")
        self.assertEqual(closing.signature_id.meaning, "close")
        self.assertEqual(closing.signature_id.user_id, self.manager)

    def test_drill_mails_no_consignee_and_keeps_its_timings(self):
        campaign = self._notified(is_drill=True, title="Demo drill")
        self.assertTrue(campaign.name.startswith("DRILL/"))
        self.assertFalse(
            self.env["mail.mail"].search(
                [
                    ("model", "=", "recall.notice"),
                    ("res_id", "in", campaign.notice_ids.ids),
                ]
            )
        )
        self.assertFalse(self.lot.recall_blocked, "a drill blocks no stock unless asked")
        self.assertTrue(campaign.analysed_at and campaign.first_notified_at)
        self.assertGreater(campaign.analysis_seconds, 0)
        self.assertTrue(campaign.analysis_duration_display)
        self.assertTrue(campaign.notify_duration_display)

    def test_scenario_needs_the_demo_it_builds_on_and_creates_nothing_without_it(self):
        if self.env.ref("udi_trace_demo.demo_production_pacemaker_1", raise_if_not_found=False):
            self.skipTest("database with demo data: the scenario ran at install")
        before = self.Campaign.search_count([])
        self.assertFalse(self.Demo._demo_scenario())
        self.assertEqual(self.Campaign.search_count([]), before)

    def test_scenario_runs_once(self):
        campaign = self._open()
        if not self.env.ref("udi_trace_demo.demo_recall_cells", raise_if_not_found=False):
            self.env["ir.model.data"]._update_xmlids(
                [{"xml_id": "udi_trace_demo.demo_recall_cells", "record": campaign}]
            )
        before = self.Campaign.search_count([])
        self.assertFalse(self.Demo._demo_scenario())
        self.assertEqual(self.Campaign.search_count([]), before)
