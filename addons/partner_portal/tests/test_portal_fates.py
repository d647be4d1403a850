"""Units a distributor reports destroyed or used over the portal leave its holdings."""

from odoo.tests import tagged

from .common import PortalCommon


@tagged("post_install", "-at_install")
class TestPortalFates(PortalCommon):
    """Distributor A holds 30 units of lot RC-L1 (see PortalCommon)."""

    def setUp(self):
        super().setUp()
        self.authenticate("dist_a", "dist-a-password")
        self.url = f"/my/recalls/{self.notice_a.id}"
        response = self._post(
            f"{self.url}/acknowledge", {"password": "dist-a-password", "confirm": "on"}
        )
        self.assertEqual(response.status_code, 303)

    def _report(self, **quantities):
        data = {f"{key}-{self.lot.id}": value for key, value in quantities.items()}
        response = self._post(f"{self.url}/report", data)
        self.assertEqual(response.status_code, 303, response.text[:2000])
        return response

    def _held(self, partner=None):
        self.env.invalidate_all()
        holding = self.env["trace.holding"].search(
            [("lot_id", "=", self.lot.id), ("partner_id", "=", (partner or self.distributor).id)]
        )
        return holding.quantity

    def _fate_events(self, step):
        """The effective events of ``step`` recording this notice's reports of the lot."""
        events = self.env["trace.event"].search(
            [
                ("biz_transaction", "=", self.notice_a.name),
                ("biz_step", "=", step),
                ("line_ids.lot_id", "=", self.lot.id),
            ]
        )
        return events.filtered(lambda event: not event.correction_ids)

    def _assert_consistent(self):
        result = self.env["trace.event"].check_consistency()
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["holdings_mismatched"], 0)

    def test_destroyed_and_used_units_leave_the_holdings_as_sealed_events(self):
        self.assertEqual(self._held(), 30)
        self._report(qty_on_hand="10", qty_used="5", qty_destroyed="15")
        self.assertEqual(self._held(), 10)
        for step, disposition, quantity in (
            ("destroying", "destroyed", 15),
            ("dispensing", "dispensed", 5),
        ):
            event = self._fate_events(step)
            self.assertEqual(len(event), 1, step)
            self.assertEqual(event.disposition, disposition)
            self.assertEqual(event.origin, "recall")
            self.assertEqual(event.source_partner_id, self.distributor)
            self.assertFalse(event.dest_partner_id)
            self.assertEqual(event.line_ids.quantity, quantity)
            self.assertEqual(event.line_ids.partner_id, self.distributor)
            self.assertFalse(event.line_ids.partner_dest_id)
        self.env["audit.seal.entry"]._seal_run_pending()
        events = self._fate_events("destroying") | self._fate_events("dispensing")
        sealed = self.env["audit.seal.entry"].search(
            [("res_model", "=", "trace.event"), ("res_id", "in", events.ids)]
        )
        self.assertEqual(len(sealed), 2)
        self._assert_consistent()

    def test_the_same_report_sent_again_over_json2_adds_nothing(self):
        self._report(qty_on_hand="10", qty_used="5", qty_destroyed="15")
        events = self.env["trace.event"].search_count([])
        key = self._api_key(self.user_a)
        row = {"lot": "RC-L1", "qty_on_hand": 10, "qty_used": 5, "qty_destroyed": 15}
        response = self._json2(
            key, "recall.notice", "portal_report", ids=self.notice_a.ids, reports=[row]
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(len(self.notice_a.response_ids.filtered("qty_destroyed")), 2)
        self.assertEqual(self.env["trace.event"].search_count([]), events)
        self.assertEqual(self._held(), 10)

    def test_a_higher_report_records_only_the_difference(self):
        self._report(qty_on_hand="20", qty_destroyed="10")
        self._report(qty_on_hand="12", qty_destroyed="18")
        events = self._fate_events("destroying")
        self.assertEqual(sorted(events.line_ids.mapped("quantity")), [8, 10])
        self.assertEqual(self._held(), 12)
        self._assert_consistent()

    def test_a_lower_report_corrects_the_earlier_events_and_restores_units(self):
        self._report(qty_on_hand="10", qty_used="5", qty_destroyed="15")
        first = self._fate_events("destroying")
        self._report(qty_on_hand="20", qty_used="5", qty_destroyed="5")
        self.assertEqual(self._held(), 20)
        correction = self._fate_events("destroying")
        self.assertEqual(correction.corrected_event_id, first)
        self.assertEqual(correction.error_reason, "incorrect_data")
        self.assertEqual(correction.line_ids.quantity, 5)
        self.assertTrue(first.is_superseded)
        # nothing destroyed after all: the event is declared not to have occurred
        self._report(qty_on_hand="25", qty_used="5", qty_destroyed="0")
        self.assertEqual(self._held(), 25)
        self.assertFalse(self._fate_events("destroying").line_ids)
        declaration = correction.correction_ids
        self.assertFalse(declaration.line_ids)
        self.assertEqual(declaration.error_reason, "did_not_occur")
        self.assertEqual(len(self._fate_events("dispensing")), 1)
        self._assert_consistent()

    def test_reported_returns_stay_held_until_the_return_is_received(self):
        self._report(qty_on_hand="15", qty_returned="10", qty_destroyed="5")
        self.assertEqual(self._held(), 25)
        picking = self._receive_return(self.notice_a, self.lot, 10)
        self.assertEqual(picking.state, "done")
        self.assertEqual(self._held(), 15)
        self._assert_consistent()

    def test_onward_shipment_may_ship_what_is_left_after_destruction(self):
        self._report(qty_on_hand="15", qty_destroyed="15")
        response = self._post(
            f"{self.url}/onward",
            {
                "onward_name_0": "Hangzhou First Hospital",
                "onward_lot_0": "RC-L1",
                "onward_quantity_0": "15",
                "onward_date_0": self._date(0).isoformat(),
            },
        )
        self.assertEqual(response.status_code, 303, response.text[:2000])
        self.assertEqual(self._held(), 0)

    def test_a_new_recall_no_longer_counts_destroyed_units(self):
        self._report(qty_on_hand="10", qty_used="5", qty_destroyed="15")
        campaign = self.Campaign.create(
            {
                "title": "Catheter hub may crack (second lot check)",
                "reason": "Hub cracks again.",
                "recall_class": "2",
                "jurisdiction_ids": [(6, 0, self.env.ref("recall_mgmt.jurisdiction_nmpa").ids)],
                "lot_ids": [(6, 0, self.lot.ids)],
            }
        )
        campaign.action_analyze_impact()
        line = campaign.line_ids.filtered(lambda line: line.partner_id == self.distributor)
        self.assertEqual(line.quantity, 10)
        self.assertEqual(line.received_quantity, 30)
