from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, freeze_time, tagged

from .common import TraceCommon


@tagged("post_install", "-at_install")
class TestStockEvents(TraceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receipt = cls._receive(
            [
                (cls.catheter_variant, "C2405A", 30),
                (cls.implant.product_variant_id, "PM0001", 1),
                (cls.implant.product_variant_id, "PM0002", 1),
            ]
        )
        cls.pacemaker = cls.implant.product_variant_id
        cls.lot = cls._lot_named(cls.catheter_variant, "C2405A")
        cls.pm1 = cls._lot_named(cls.pacemaker, "PM0001")
        cls.pm2 = cls._lot_named(cls.pacemaker, "PM0002")

    def test_receipt_records_one_receiving_event_per_move_with_a_line_per_lot(self):
        events = self._events_of(self.receipt.move_ids, "move_id")
        self.assertEqual(len(events), 2)
        self.assertEqual(set(events.mapped("biz_step")), {"receiving"})
        self.assertEqual(set(events.mapped("disposition")), {"in_progress"})
        self.assertEqual(events.source_partner_id, self.supplier)
        implant_event = events.filtered(lambda e: e.move_id.product_id == self.pacemaker)
        self.assertEqual(implant_event.line_ids.lot_id, self.pm1 | self.pm2)
        self.assertEqual(implant_event.line_ids.mapped("udi_di"), ["06901234500011"] * 2)
        self.assertEqual(implant_event.biz_transaction, self.receipt.name)
        self.assertEqual(implant_event.read_point_gln, "6901234000016")
        self.assertEqual(implant_event.line_ids.mapped("partner_id"), self.supplier)

    def test_event_time_is_the_move_date_with_the_offset_of_the_warehouse_zone(self):
        """The offset is where the warehouse is (its address, else the company's), not where
        the clerk's browser is."""
        self.env.user.tz = "Europe/Paris"
        self.env.company.partner_id.tz = "Asia/Shanghai"
        before = fields.Datetime.now()
        picking = self._receive([(self.catheter_variant, "C2406B", 5)])
        event = self._events_of(picking.move_ids, "move_id")
        # the move's done time; Odoo then re-dates done moves to the transfer's date_done,
        # written a moment later (stock.picking.write), so the two can differ by a second
        self.assertGreaterEqual(event.event_time, before)
        self.assertLessEqual(event.event_time, picking.date_done)
        self.assertLessEqual(picking.move_ids.date - event.event_time, timedelta(seconds=5))
        self.assertEqual(event.event_tz, "+08:00")

    def test_delivery_records_shipping_to_the_partner_and_trace_finds_it(self):
        picking = self._deliver(self.distributor, [(self.catheter_variant, self.lot, 12)])
        event = self._events_of(picking.move_ids, "move_id")
        self.assertRecordValues(
            event,
            [
                {
                    "biz_step": "shipping",
                    "disposition": "in_transit",
                    "action": "observe",
                    "dest_partner_id": self.distributor.id,
                    "event_type": "object",
                }
            ],
        )
        result = self.Event.trace_forward([self.lot.id])
        self.assertEqual(
            result["lots"],
            [
                {
                    "lot_id": self.lot.id,
                    "lot_name": "C2405A",
                    "product_id": self.catheter_variant.id,
                    "depth": 0,
                },
            ],
        )
        holders = {
            (h["holder_type"], h["partner_id"] or h["location_id"]): h for h in result["holders"]
        }
        self.assertEqual(holders[("partner", self.distributor.id)]["quantity"], 12)
        self.assertEqual(holders[("partner", self.distributor.id)]["documents"], [picking.name])
        self.assertEqual(holders[("partner", self.distributor.id)]["last_event_id"], event.id)
        self.assertEqual(holders[("location", self.stock_location.id)]["quantity"], 18)
        self.assertNotIn(("partner", self.supplier.id), holders, "a supplier holds nothing")

    def test_customer_return_records_a_receiving_event_and_lowers_the_holding(self):
        picking = self._deliver(self.distributor, [(self.catheter_variant, self.lot, 10)])
        wizard = Form(
            self.env["stock.return.picking"].with_context(
                active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.quantity = 4
        returned = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        returned.move_ids.picked = True
        returned.button_validate()
        event = self._events_of(returned.move_ids, "move_id")
        self.assertEqual((event.biz_step, event.disposition), ("receiving", "returned"))
        self.assertEqual(event.source_partner_id, self.distributor)
        holder = [
            h
            for h in self.Event.trace_forward(self.lot.ids)["holders"]
            if h["partner_id"] == self.distributor.id
        ][0]
        self.assertEqual((holder["quantity"], holder["received_quantity"]), (6, 10))
        self.assertFalse(
            self._events_of(picking.move_ids, "move_id").is_superseded,
            "a return is a new event, the delivery stays a fact",
        )

    def test_multi_step_delivery_records_picking_then_shipping(self):
        self.warehouse.delivery_steps = "pick_ship"
        out_type = self.warehouse.out_type_id
        pick_type = self.warehouse.pick_type_id
        picking = self._transfer(
            pick_type,
            self.distributor,
            self.stock_location,
            self.warehouse.wh_output_stock_loc_id,
            [(self.pacemaker, self.pm1, 1)],
        )
        shipping = self._transfer(
            out_type,
            self.distributor,
            self.warehouse.wh_output_stock_loc_id,
            self.customer_location,
            [(self.pacemaker, self.pm1, 1)],
        )
        self.assertEqual(self._events_of(picking.move_ids, "move_id").biz_step, "picking")
        self.assertEqual(self._events_of(shipping.move_ids, "move_id").biz_step, "shipping")
        holders = self.Event.trace_forward(self.pm1.ids)["holders"]
        self.assertEqual(
            [(h["holder_type"], h["partner_id"], h["quantity"]) for h in holders],
            [("partner", self.distributor.id, 1)],
            "after both steps only the distributor holds the serial",
        )

    def test_scrap_records_a_destroying_event(self):
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.catheter_variant.id,
                "lot_id": self.lot.id,
                "scrap_qty": 2,
                "location_id": self.stock_location.id,
            }
        )
        scrap.action_validate()
        event = self._events_of(scrap, "scrap_id")
        self.assertRecordValues(
            event, [{"biz_step": "destroying", "disposition": "destroyed", "action": "delete"}]
        )
        self.assertEqual(event.line_ids.quantity, 2)

    def test_inventory_adjustment_records_a_cycle_counting_event(self):
        quant = self.env["stock.quant"].search(
            [
                ("lot_id", "=", self.lot.id),
                ("location_id", "=", self.stock_location.id),
            ]
        )
        quant.inventory_quantity = 27
        quant.action_apply_inventory()
        event = self.Event.search(
            [("line_ids.lot_id", "=", self.lot.id), ("biz_step", "=", "cycle_counting")]
        )
        self.assertEqual(event.line_ids.quantity, 3)
        holder = [
            h
            for h in self.Event.trace_forward(self.lot.ids)["holders"]
            if h["location_id"] == self.stock_location.id
        ][0]
        self.assertEqual(holder["quantity"], 27)

    def test_untraced_product_records_nothing(self):
        paper = self.env["product.product"].create({"name": "Printer paper", "is_storable": True})
        picking = self._receive([(paper, None, 10)])
        self.assertFalse(self._events_of(picking.move_ids, "move_id"))

    def test_cancelled_transfer_records_nothing(self):
        picking = self._deliver(
            self.distributor, [(self.catheter_variant, self.lot, 3)], validate=False
        )
        picking.action_cancel()
        self.assertFalse(self._events_of(picking.move_ids, "move_id"))

    def test_running_the_hook_again_records_nothing_twice(self):
        before = self.Event.search_count([])
        self.receipt.move_ids._trace_record_moves()
        self.assertEqual(self.Event.search_count([]), before)

    def test_editing_a_done_line_records_a_correction_not_an_edit(self):
        picking = self._deliver(self.distributor, [(self.catheter_variant, self.lot, 5)])
        original = self._events_of(picking.move_ids, "move_id")
        picking.move_line_ids.quantity = 7
        correction = self.Event.search([("corrected_event_id", "=", original.id)])
        self.assertEqual(correction.error_reason, "incorrect_data")
        self.assertEqual(correction.line_ids.quantity, 7)
        self.assertTrue(original.is_superseded)
        self.assertEqual(original.line_ids.quantity, 5, "the original stays as it was")
        holder = [
            h
            for h in self.Event.trace_forward(self.lot.ids)["holders"]
            if h["partner_id"] == self.distributor.id
        ][0]
        self.assertEqual(holder["quantity"], 7)
        self.assertTrue(self.Event.check_consistency()["ok"])

    def test_superseded_search_tells_the_corrected_event_from_its_correction(self):
        picking = self._deliver(self.distributor, [(self.catheter_variant, self.lot, 5)])
        original = self._events_of(picking.move_ids, "move_id")
        picking.move_line_ids.quantity = 7
        correction = self.Event.search([("corrected_event_id", "=", original.id)])
        both = [("id", "in", (original | correction).ids)]
        self.assertEqual(self.Event.search([*both, ("is_superseded", "=", True)]), original)
        self.assertEqual(self.Event.search([*both, ("is_superseded", "=", False)]), correction)
        self.assertEqual(self.Event.search([*both, ("is_superseded", "!=", True)]), correction)
        self.assertEqual(self.Event.search([*both, ("is_superseded", "!=", False)]), original)
        effective = self.Event._trace_effective_lines(picking.move_line_ids)
        self.assertEqual(effective.event_id, correction)

    def test_events_and_lines_refuse_changes(self):
        event = self._events_of(self.receipt.move_ids, "move_id")[:1]
        self.env.flush_all()
        self.env["audit.seal.entry"]._seal_run_pending()  # sealed, as at the commit
        with self.assertRaises(UserError):
            event.line_ids[:1].quantity = 99
        with self.assertRaises(UserError):
            event.line_ids.unlink()

    def test_consistency_check_reports_zero_differences(self):
        self._deliver(
            self.distributor, [(self.catheter_variant, self.lot, 2), (self.pacemaker, self.pm2, 1)]
        )
        result = self.Event.check_consistency()
        self.assertTrue(result["ok"], result)
        self.assertGreaterEqual(result["move_lines"], 5)

    def test_holdings_follow_every_event_of_the_lot(self):
        Holding = self.env["trace.holding"]
        held = Holding.search([("lot_id", "=", self.lot.id), ("holder_type", "=", "location")])
        self.assertEqual(sum(held.mapped("quantity")), 30, "received into own stock")
        picking = self._deliver(self.distributor, [(self.catheter_variant, self.lot, 2)])
        at_distributor = Holding.search(
            [("lot_id", "=", self.lot.id), ("partner_id", "=", self.distributor.id)]
        )
        self.assertEqual((at_distributor.quantity, at_distributor.received_quantity), (2, 2))
        self.assertEqual(at_distributor.documents, picking.name)
        held = Holding.search([("lot_id", "=", self.lot.id), ("holder_type", "=", "location")])
        self.assertEqual(sum(held.mapped("quantity")), 28)

    def test_purging_events_after_their_retention_refreshes_the_holdings(self):
        picking = self._receive([(self.catheter_variant, "PURGE1", 5)])
        lot = self._lot_named(self.catheter_variant, "PURGE1")
        Holding = self.env["trace.holding"]
        self.assertEqual(Holding.search([("lot_id", "=", lot.id)]).quantity, 5)
        events = self._events_of(picking.move_ids, "move_id")
        self.env["audit.seal.entry"]._seal_run_pending()
        with freeze_time(fields.Date.today() + relativedelta(years=60)):
            events._seal_purge()
        self.assertFalse(events.exists())
        self.assertFalse(Holding.search([("lot_id", "=", lot.id)]))
        self.assertEqual(self.Event.check_consistency()["holdings_mismatched"], 0)

    def test_consistency_check_finds_a_holding_that_differs_from_the_events(self):
        self._deliver(self.distributor, [(self.catheter_variant, self.lot, 2)])
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE trace_holding SET quantity = quantity + 1 "
            "WHERE lot_id = %s AND partner_id = %s",
            [self.lot.id, self.distributor.id],
        )
        self.assertEqual(self.env.cr.rowcount, 1)
        result = self.Event.check_consistency()
        self.assertFalse(result["ok"])
        self.assertEqual(result["holdings_mismatched"], 1)
        self.env["trace.holding"]._trace_rebuild()
        self.assertTrue(self.Event.check_consistency()["ok"])

    def test_consistency_check_finds_a_move_line_without_event(self):
        picking = self._deliver(self.distributor, [(self.catheter_variant, self.lot, 2)])
        self.env.flush_all()
        self.env.cr.execute(
            "SET LOCAL session_replication_role = replica;"
            "DELETE FROM trace_event_line WHERE move_line_id = %s",
            [picking.move_line_ids.id],
        )
        result = self.Event.check_consistency()
        self.assertFalse(result["ok"])
        self.assertEqual(result["missing_ids"], picking.move_line_ids.ids)
