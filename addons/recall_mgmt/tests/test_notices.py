from datetime import timedelta
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import RecallCommon


@tagged("post_install", "-at_install")
class TestNotices(RecallCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create({
            "name": "Zhang Min", "parent_id": cls.distributor.id, "type": "contact",
            "email": "zhang.min@huadong.example.com",
        })

    def _sent(self, **vals):
        campaign = self._approved(**vals)
        campaign.action_notify()
        return campaign, self._notice(campaign, self.distributor)

    def _ack(self, notice):
        signature = self.env["recall.signature"].with_user(self.manager)._recall_sign(
            notice, "acknowledge", "qm-password"
        )
        notice._recall_acknowledge(signature)

    def test_one_notice_per_consignee_with_exactly_its_units(self):
        campaign = self._approved()
        self.assertEqual(campaign.notice_ids.partner_id, self.distributor | self.hospital)
        notice = self._notice(campaign, self.distributor)
        self.assertEqual(notice.line_ids.lot_id, self.lot)
        self.assertEqual(notice.qty_shipped, 30)
        self.assertEqual(notice.state, "draft")

    def test_delivery_addresses_of_one_company_share_its_notice(self):
        ward = self.env["res.partner"].create({
            "name": "Ruijin Hospital, Cardiology", "parent_id": self.hospital.id,
            "type": "delivery",
        })
        self._deliver(ward, [(self.catheter_variant, self.lot, 4)])
        campaign = self._approved()
        notice = self._notice(campaign, self.hospital)
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.qty_shipped, 24)
        self.assertEqual(set(notice.line_ids.partner_id.ids), {self.hospital.id, ward.id})

    def test_notice_mail_carries_the_signed_ledger_head(self):
        campaign = self._approved()
        self.env["audit.seal.entry"]._seal_run_pending()  # the approval's commit: a checkpoint
        checkpoint = self.env["audit.seal.checkpoint"].sudo().search([], limit=1)
        self.assertTrue(checkpoint)
        campaign.action_notify()
        notice = self._notice(campaign, self.distributor)
        self.assertEqual(notice.ledger_head_seq, checkpoint.seq_to)
        self.assertEqual(notice.ledger_head_hash, checkpoint.head_hash)
        message = notice.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertIn(checkpoint.head_hash, message.body)
        published = self.env["audit.seal.published.head"].sudo().search(
            [("document", "like", notice.name)]
        )
        self.assertEqual(
            (published.seq, published.head_hash), (checkpoint.seq_to, checkpoint.head_hash)
        )
        # read by the Audit Seal managers of the notice's company only
        self.assertEqual(published.company_id, notice.company_id)

    def test_ledger_head_takes_the_company_of_its_notice(self):
        """Sent while another company is the current one (a user of several companies), the
        head given out belongs to the notice's company all the same."""
        campaign = self._approved()
        self.env["audit.seal.entry"]._seal_run_pending()
        other = self.env["res.company"].create({"name": "Other Maker Ltd."})
        campaign.env.user.sudo().company_ids |= other
        # the user's current company is the other one; the recall's company is allowed too
        allowed = [other.id, campaign.company_id.id]
        campaign.with_context(allowed_company_ids=allowed).action_notify()
        notice = self._notice(campaign, self.distributor)
        published = self.env["audit.seal.published.head"].sudo().search(
            [("document", "like", notice.name)]
        )
        self.assertTrue(published)
        self.assertEqual(published.company_id, notice.company_id)
        self.assertNotEqual(notice.company_id, other)
        for address in notice._recall_recipients().mapped("email"):
            self.assertIn(address, published.document)

    def test_notices_are_numbered_within_their_recall(self):
        campaign = self._approved()
        names = campaign.notice_ids.sorted("id").mapped("name")
        self.assertEqual(names, [f"{campaign.name}/001", f"{campaign.name}/002"])

    def test_sending_mails_the_contacts_with_the_pdf_and_sets_the_deadline(self):
        campaign, notice = self._sent(response_days=3)
        self.assertEqual(notice.state, "sent")
        self.assertEqual(notice.deadline, notice.sent_at + timedelta(days=3))
        message = notice.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertIn(self.contact, message.partner_ids)
        self.assertIn("RC/", message.subject)
        # the notice report (Odoo renders reports as HTML in test mode, PDF otherwise)
        self.assertTrue(message.attachment_ids.filtered(lambda a: "Recall notice" in a.name))
        self.assertEqual(campaign.state, "notified")
        self.assertEqual(notice.delivery_state, "pending")
        self.assertFalse(campaign.first_notified_at, "not notified before the mail is delivered")
        self._deliver_mails()
        self.assertEqual(notice.delivery_state, "delivered")
        self.assertTrue(campaign.first_notified_at)

    def test_many_notices_are_queued_for_the_background_job(self):
        campaign = self._approved()
        with patch.object(type(campaign), "_recall_send_now_limit", 1):
            campaign.action_notify()
        self.assertEqual(set(campaign.notice_ids.mapped("state")), {"draft"})
        self.assertTrue(all(campaign.notice_ids.mapped("send_queued")))
        self.assertEqual(campaign.state, "approved")
        self.assertEqual(self.env["recall.campaign"]._recall_send_queued(1), 1)
        self.assertEqual(self.env["recall.campaign"]._recall_send_queued(10), 1)
        self.assertEqual(set(campaign.notice_ids.mapped("state")), {"sent"})
        self.assertEqual(campaign.state, "notified")
        self._deliver_mails()
        self.assertEqual(
            campaign.deadline_ids.filtered(lambda d: d.milestone == "notification").state, "done"
        )

    def test_class_one_subject_says_urgent(self):
        _campaign, notice = self._sent(recall_class="1")
        message = notice.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertTrue(message.subject.startswith("URGENT"))

    def test_drill_notices_are_not_mailed_unless_asked(self):
        _campaign, notice = self._sent(is_drill=True)
        self.assertEqual(notice.state, "sent")
        self.assertFalse(notice.message_ids.filtered(lambda m: m.message_type == "comment"))

    def test_acknowledgement_is_signed_and_sealed(self):
        campaign, notice = self._sent()
        self._ack(notice)
        self.assertEqual(notice.state, "acknowledged")
        self.assertEqual(notice.acknowledged_by, "Li Wei")
        response = notice.response_ids
        self.assertEqual(response.kind, "acknowledgement")
        self.assertEqual(campaign.acknowledged_count, 1)
        self.env["audit.seal.entry"]._seal_run_pending()  # sealed, as at the commit
        with self.assertRaises(UserError):
            response.sudo().write({"note": "changed afterwards"})  # sealed field

    def test_reports_update_the_figures_and_complete_the_notice(self):
        campaign, notice = self._sent()
        self._ack(notice)
        notice._recall_report([{"lot_id": self.lot.id, "qty_on_hand": 10, "qty_used": 5,
                                "qty_returned": 0, "qty_destroyed": 5}])
        self.assertEqual(notice.qty_located, 20)
        self.assertEqual(notice.state, "acknowledged")
        notice._recall_report([{"lot_id": self.lot.id, "qty_on_hand": 0, "qty_used": 5,
                                "qty_returned": 10, "qty_destroyed": 15}])
        self.assertEqual(notice.qty_located, 30, "the later report restates the lot")
        self.assertEqual(notice.state, "completed")
        self.assertEqual(campaign.units_located, 30)

    def test_bad_reports_are_refused_and_nothing_is_recorded(self):
        _campaign, notice = self._sent()
        self._ack(notice)
        before = len(notice.response_ids)
        cases = [
            ([{"lot_id": self.lot.id, "qty_on_hand": -1}], "cannot be negative"),
            ([{"lot_id": self.lot.id, "qty_on_hand": 31}], "only 30"),
            ([{"lot_id": self.other_lot.id, "qty_on_hand": 1}], "not in this notice"),
            ([{"lot_id": self.lot.id, "qty_used": "ten"}], "must be a number"),
            ([], "no lot/serial reported"),
        ]
        for reports, message in cases:
            with self.subTest(message=message), self.assertRaisesRegex(UserError, message):
                notice._recall_report(reports)
        self.assertEqual(len(notice.response_ids), before)

    def test_report_before_acknowledgement_is_refused(self):
        _campaign, notice = self._sent()
        with self.assertRaisesRegex(UserError, "Acknowledge"):
            notice._recall_report([{"lot_id": self.lot.id, "qty_on_hand": 1}])

    def test_return_receipt_updates_recovered_quantity_and_the_trace(self):
        campaign, notice = self._sent(action_return=True)
        action = notice.action_create_return()
        picking = self.env["stock.picking"].browse(action["res_id"])
        picking.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].create({
            "move_id": picking.move_ids.id, "picking_id": picking.id,
            "product_id": self.catheter_variant.id, "lot_id": self.lot.id, "quantity": 12,
            "location_id": picking.location_id.id, "location_dest_id": picking.location_dest_id.id,
        })
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=picking.ids,
                             skip_expired=True).button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(notice.qty_recovered, 12)
        self.assertAlmostEqual(campaign.recovery_rate, 12 / 50)
        # the line follows the receipt at once (Held 30 -> 18), and a new analysis agrees
        line = campaign.line_ids.filtered(lambda line: line.partner_id == self.distributor)
        self.assertEqual((line.quantity, line.previous_quantity, line.change), (18, 30, "changed"))
        campaign.action_analyze_impact()
        self.assertEqual(line.quantity, 18)

    def test_reanalysis_after_a_late_shipment_adds_a_consignee(self):
        campaign = self._approved()
        self.lot.recall_quarantine_ids._recall_release("Shipped by mistake before the block")
        pacific = self.distributor.copy({"name": "Pacific Medical", "udi_gln": False})
        self._deliver(pacific, [(self.catheter_variant, self.lot, 3)])
        campaign.action_analyze_impact()
        new = campaign.line_ids.filtered(lambda line: line.change == "new")
        self.assertEqual(new.partner_id, pacific)
        campaign.action_notify()
        self.assertEqual(self._notice(campaign, pacific).state, "sent")
        self.assertIn("1 new", campaign.log_ids.sorted("id")[-3:].mapped("note")[0])

    def test_reminder_then_escalation_for_missing_acknowledgement(self):
        _campaign, notice = self._sent(reminder_days=1, escalation_days=3)
        with freeze_time(notice.sent_at + timedelta(days=1, hours=1)):
            self.env["recall.campaign"]._cron_recall_reminders()
        self.assertEqual(notice.reminder_count, 1)
        with freeze_time(notice.sent_at + timedelta(days=3, hours=1)):
            self.env["recall.campaign"]._cron_recall_reminders()
        self.assertTrue(notice.escalated_at)
        self.assertTrue(notice.activity_ids)

    def test_effectiveness_level_a_selects_every_consignee(self):
        campaign, _notice = self._sent(effectiveness_level="A")
        campaign.action_start_effectiveness()
        self.assertTrue(all(campaign.notice_ids.mapped("effectiveness_selected")))
        with self.assertRaisesRegex(UserError, "not verified yet"):
            campaign.action_close()

    def test_effectiveness_level_e_selects_none(self):
        campaign, _notice = self._sent(effectiveness_level="E")
        campaign.action_start_effectiveness()
        self.assertFalse(any(campaign.notice_ids.mapped("effectiveness_selected")))

    def test_complaint_ticket_opens_a_recall_with_its_device(self):
        ticket = self.env["helpdesk.ticket"].create({
            "name": "Catheter hub cracked during infusion",
            "description": "<p>Crack at the hub.</p>",
            "partner_id": self.hospital.id,
        })
        if "trace_lot_id" in ticket._fields:
            ticket.trace_lot_id = self.lot
        action = ticket.action_open_recall()
        self.assertEqual(action["res_model"], "recall.campaign")
        campaign = self.env["recall.campaign"].with_context(**action["context"]).create({})
        self.assertEqual(campaign.ticket_id, ticket)
        self.assertEqual(campaign.source, "complaint")
        if "trace_lot_id" in ticket._fields:
            self.assertEqual(campaign.lot_ids, self.lot)
