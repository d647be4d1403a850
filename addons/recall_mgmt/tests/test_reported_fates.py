"""Staff record a consignee's answer: destroyed units leave the holdings of its addresses."""

from unittest.mock import patch

from odoo.modules.module import load_script
from odoo.tests import HttpCase, tagged

from .common import RecallCommon


@tagged("post_install", "-at_install")
class TestReportedFates(RecallCommon, HttpCase):
    """The distributor holds 30 units of RC-L1 at its head office and 10 at its Suzhou
    warehouse (a delivery address of the same company): one notice, two holders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.suzhou = cls.env["res.partner"].create(
            {"name": "Suzhou warehouse", "parent_id": cls.distributor.id, "type": "delivery"}
        )
        cls._deliver(cls.suzhou, [(cls.catheter_variant, cls.lot, 10)])

    def setUp(self):
        super().setUp()
        campaign = self._approved()
        campaign.action_notify()
        self.notice = self._notice(campaign, self.distributor)
        self.authenticate("recall_qm", "qm-password")

    def _call_button(self, model, method, ids, context=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_button/{model}/{method}",
            {"model": model, "method": method, "args": [ids], "kwargs": {"context": context or {}}},
        )

    def _record(self, **quantities):
        """Open Record Response, type the figures of RC-L1, sign and click Record."""
        action = self._call_button("recall.notice", "action_record_response", self.notice.ids)
        wizard = self.env["recall.response.wizard"].browse(action["res_id"])
        line = wizard.line_ids.filtered(lambda line: line.lot_id == self.lot)
        vals = {"line_ids": [(1, line.id, quantities)], "note": "Phoned by Zhang Min"}
        if self.notice.state == "sent":
            vals.update(acknowledge=True, password="qm-password")
        self.make_jsonrpc_request(
            "/web/dataset/call_kw/recall.response.wizard/web_save",
            {
                "model": "recall.response.wizard",
                "method": "web_save",
                "args": [[wizard.id], vals],
                "kwargs": {"context": {}, "specification": {"note": {}}},
            },
        )
        self._call_button(
            "recall.response.wizard",
            "action_record",
            wizard.ids,
            context={"signature_password": "qm-password"},
        )
        self.env.invalidate_all()

    def _held(self, partner):
        holding = self.env["trace.holding"].search(
            [("lot_id", "=", self.lot.id), ("partner_id", "=", partner.id)]
        )
        return holding.quantity

    def _destroyed_events(self):
        events = self.env["trace.event"].search(
            [
                ("biz_transaction", "=", self.notice.name),
                ("biz_step", "=", "destroying"),
                ("line_ids.lot_id", "=", self.lot.id),
            ]
        )
        return events.filtered(lambda event: not event.correction_ids)

    def test_destruction_recorded_by_staff_leaves_each_address_holding(self):
        self.assertEqual((self._held(self.distributor), self._held(self.suzhou)), (30, 10))
        self._record(qty_on_hand=5, qty_destroyed=35)
        self.assertEqual(self.notice.state, "completed")
        self.assertEqual((self._held(self.distributor), self._held(self.suzhou)), (0, 5))
        events = self._destroyed_events()
        self.assertEqual(
            sorted((event.source_partner_id.name, event.line_ids.quantity) for event in events),
            [(self.distributor.name, 30), ("Suzhou warehouse", 5)],
        )
        self.assertEqual(set(events.mapped("disposition")), {"destroyed"})
        self.assertEqual(set(events.mapped("action")), {"delete"})
        self.assertTrue(self.env["trace.event"].check_consistency()["ok"])

    def _line_held(self, partner):
        line = self.notice.line_ids.filtered(lambda line: line.partner_id == partner)
        return line.quantity

    def test_held_follows_returns_and_reports_without_a_new_analysis(self):
        """The campaign's Held column and Create Return follow what came back and what the
        consignee reported, before any new impact analysis."""
        self.assertEqual(
            (self._line_held(self.distributor), self._line_held(self.suzhou)), (30, 10)
        )
        self._receive_return(self.notice, self.lot, 10)
        self.assertEqual(
            (self._line_held(self.distributor), self._line_held(self.suzhou)), (20, 10)
        )
        self._record(qty_returned=10, qty_destroyed=25, qty_on_hand=5)
        self.assertEqual((self._line_held(self.distributor), self._line_held(self.suzhou)), (0, 5))
        action = self.notice.with_user(self.manager).action_create_return()
        picking = self.env["stock.picking"].browse(action["res_id"])
        self.assertEqual(picking.move_ids.product_uom_qty, 5)

    def test_a_warehouse_user_receives_a_recall_return(self):
        """The clerk (stock rights only, no recall rights) validates the receipt of a recall
        return: the receipt is done and the consignee's line follows it."""
        action = self.notice.with_user(self.manager).action_create_return()
        picking = self.env["stock.picking"].browse(action["res_id"])
        picking.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": picking.move_ids.id,
                "picking_id": picking.id,
                "product_id": self.lot.product_id.id,
                "lot_id": self.lot.id,
                "quantity": 10,
                "location_id": picking.location_id.id,
                "location_dest_id": picking.location_dest_id.id,
            }
        )
        picking.move_ids.picked = True
        picking.with_user(self.clerk).with_context(
            skip_backorder=True, picking_ids_not_to_backorder=picking.ids, skip_expired=True
        ).button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(self._line_held(self.distributor), 20)

    def test_destruction_never_takes_more_than_the_consignee_holds(self):
        # 10 units came back on a return first: the distributor holds 30 of the 40 shipped
        self._receive_return(self.notice, self.lot, 10)
        self._record(qty_returned=5, qty_destroyed=35)
        self.assertEqual((self._held(self.distributor), self._held(self.suzhou)), (0, 0))
        self.assertEqual(self._held(self.hospital), 20, "another consignee's units stay put")
        self.assertEqual(sum(self._destroyed_events().line_ids.mapped("quantity")), 30)
        self.assertTrue(self.env["trace.event"].check_consistency()["ok"])

    def test_update_records_the_reports_made_before_it_once(self):
        """The 19.0.1.1.0 migration moves units reported before the update, and running it
        again moves nothing more."""
        notice_model = type(self.env["recall.notice"])
        with patch.object(notice_model, "_recall_record_fates", lambda notice, responses: None):
            self._record(qty_on_hand=10, qty_used=10, qty_destroyed=20)
        self.assertEqual((self._held(self.distributor), self._held(self.suzhou)), (30, 10))
        script = load_script("recall_mgmt/migrations/19.0.1.1.0/post-migrate.py", "fates")
        for _run in range(2):
            script.migrate(self.env.cr, "19.0.1.0.0")
            self.env.invalidate_all()
            self.assertEqual((self._held(self.distributor), self._held(self.suzhou)), (0, 10))
        self.assertTrue(self.env["trace.event"].check_consistency()["ok"])
