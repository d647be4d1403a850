from unittest.mock import patch

from odoo import Command
from odoo.tests import Form, freeze_time, tagged

from odoo.addons.trace_events.models.mrp_production import MrpProduction

from .common import TraceCommon


class MrpTraceCommon(TraceCommon):
    """A pacemaker (serials) built from catheter lots (traced), screws (untraced) and giving
    a lot-tracked test coupon as by-product."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.group_user").write(
            {"implied_ids": [Command.link(cls.env.ref("stock.group_production_lot").id)]}
        )
        cls.pacemaker = cls.implant.product_variant_id
        cls.screw = cls.env["product.product"].create(
            {"name": "Titanium screw M1", "is_storable": True}
        )
        cls.coupon = cls.env["product.product"].create(
            {"name": "Weld test coupon", "is_storable": True, "tracking": "lot"}
        )
        cls.bom = cls.env["mrp.bom"].create({
            "product_tmpl_id": cls.implant.id,
            "product_qty": 1,
            "type": "normal",
            "consumption": "flexible",
            "bom_line_ids": [
                Command.create({"product_id": cls.catheter_variant.id, "product_qty": 1}),
                Command.create({"product_id": cls.screw.id, "product_qty": 2}),
            ],
            "byproduct_ids": [
                Command.create({"product_id": cls.coupon.id, "product_qty": 1}),
            ],
        })
        cls._receive([(cls.catheter_variant, "C-COMP-1", 20), (cls.screw, None, 100)])
        cls.component_lot = cls._lot_named(cls.catheter_variant, "C-COMP-1")
        cls.production_location = cls.env["stock.location"].search(
            [("usage", "=", "production"), ("company_id", "=", cls.company.id)], limit=1
        )

    # ------------------------------------------------------------------ helpers

    @classmethod
    def _order(cls, qty, bom=None, product=None):
        form = Form(cls.env["mrp.production"])
        form.product_id = product or cls.pacemaker
        form.bom_id = bom or cls.bom
        form.product_qty = qty
        order = form.save()
        order.action_confirm()
        order.action_assign()
        return order

    @classmethod
    def _produce(cls, order, lots, coupon_lot_name=None):
        """Produce ``lots`` on ``order`` as a user does (serial names through the serial
        numbers wizard, or one lot record), then mark it done; returns the action of
        ``button_mark_done`` (a backorder wizard, or True)."""
        if order.product_id.tracking == "serial" and order.product_qty > 1:
            wizard = Form.from_action(cls.env, order.action_generate_serial())
            wizard.serial_numbers = "\n".join(lots)
            wizard.save().action_apply()
        else:
            if isinstance(lots, list):
                lots = cls.env["stock.lot"].create(
                    [{"name": name, "product_id": order.product_id.id} for name in lots]
                )
            form = Form(order)
            form.lot_producing_ids.set(lots)
            if order.product_id.tracking == "lot":
                form.qty_producing = order.product_qty
            form.save()
        byproduct = order.move_byproduct_ids
        if byproduct:
            byproduct.move_line_ids.lot_name = coupon_lot_name or f"CPN-{order.name}"
            byproduct.picked = True
        order.move_raw_ids.picked = True
        return order.button_mark_done()

    def _event_of(self, order):
        return self.Event.search([("production_id", "=", order.id)])

    def _roles(self, event):
        return {
            role: event.line_ids.filtered(lambda line, role=role: line.role == role)
            for role in ("input", "output")
        }

    def assertConsistent(self):
        result = self.Event.check_consistency()
        self.assertTrue(result["ok"], result)


@tagged("post_install", "-at_install")
class TestMrpEvents(MrpTraceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._order(2)
        cls._produce(cls.order, ["PMX0001", "PMX0002"], "CPN-A")
        cls.serials = cls.order.lot_producing_ids.sorted("name")
        cls.coupon_lot = cls._lot_named(cls.coupon, "CPN-A")

    def test_production_records_one_transformation_from_component_lots_to_serials(self):
        event = self._event_of(self.order)
        self.assertRecordValues(event, [{
            "event_type": "transformation",
            "biz_step": "commissioning",
            "disposition": "active",
            "origin": "production",
            "biz_transaction": self.order.name,
            "read_point_id": self.order.location_dest_id.id,
            "read_point_gln": "6901234000016",
        }])
        roles = self._roles(event)
        self.assertEqual(roles["input"].lot_id, self.component_lot)
        self.assertEqual(sum(roles["input"].mapped("quantity")), 2)
        self.assertEqual(roles["output"].lot_id, self.serials | self.coupon_lot)
        self.assertEqual(
            roles["input"].move_line_id | roles["output"].move_line_id,
            (self.order.move_raw_ids | self.order.move_finished_ids).move_line_ids.filtered(
                lambda line: line.product_id != self.screw
            ),
        )

    def test_untraced_components_and_order_moves_get_no_object_event(self):
        moves = self.order.move_raw_ids | self.order.move_finished_ids
        self.assertFalse(self.Event.search([("move_id", "in", moves.ids)]))
        self.assertNotIn(self.screw, self._event_of(self.order).line_ids.product_id)

    def test_every_done_line_of_the_order_has_exactly_one_event_line(self):
        self.assertConsistent()

    def test_by_product_lot_is_an_output_of_the_order(self):
        output = self._event_of(self.order).line_ids.filtered(
            lambda line: line.lot_id == self.coupon_lot
        )
        self.assertEqual((output.role, output.quantity), ("output", 2))

    def test_component_lot_traces_forward_to_the_serials_and_their_holder(self):
        self._deliver(self.distributor, [(self.pacemaker, self.serials[0], 1)])
        result = self.Event.trace_forward(self.component_lot.ids)
        depths = {row["lot_id"]: row["depth"] for row in result["lots"]}
        self.assertEqual(
            depths,
            {self.component_lot.id: 0, self.serials[0].id: 1, self.serials[1].id: 1,
             self.coupon_lot.id: 1},
        )
        holders = {
            (row["lot_id"], row["holder_type"], row["partner_id"] or row["location_id"]):
            row["quantity"]
            for row in result["holders"]
        }
        self.assertEqual(holders[self.serials[0].id, "partner", self.distributor.id], 1)
        self.assertEqual(holders[self.serials[1].id, "location", self.stock_location.id], 1)
        self.assertEqual(holders[self.component_lot.id, "location", self.stock_location.id], 18)

    def test_serial_traces_backward_to_the_component_lot(self):
        lots = self.Event.trace_backward(self.serials[:1].ids)["lots"]
        self.assertEqual(
            [(row["lot_id"], row["depth"]) for row in lots],
            [(self.serials[0].id, 0), (self.component_lot.id, 1)],
        )

    def test_running_the_production_hook_again_records_nothing_twice(self):
        before = self.Event.search_count([])
        self.assertFalse(self.order._trace_record_production())
        self.assertEqual(self.Event.search_count([]), before)

    def test_backfill_records_an_order_done_without_its_event(self):
        order = self._order(1)
        with (
            patch.object(MrpProduction, "_trace_record_production", autospec=True),
            freeze_time("2026-01-10 08:00:00"),
        ):
            self._produce(order, ["PMX0009"])
        self.assertFalse(self._event_of(order))
        self.assertFalse(self.Event.check_consistency()["ok"])
        self._deliver(self.distributor, [(self.pacemaker, order.lot_producing_ids, 1)])
        done = self.env["mrp.production"].search([("state", "=", "done")])
        event = done._trace_record_production()
        self.assertEqual(event.production_id, order)
        self.assertEqual(
            event.biz_step, "commissioning", "the later shipment recorded first does not count"
        )
        self.assertConsistent()

    def test_cancelled_order_records_nothing(self):
        order = self._order(1)
        order.action_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertFalse(self._event_of(order))
        self.assertConsistent()

    def test_order_of_untraced_products_records_nothing(self):
        board = self.env["product.product"].create({"name": "Shelf board", "is_storable": True})
        bom = self.env["mrp.bom"].create({
            "product_tmpl_id": board.product_tmpl_id.id,
            "product_qty": 1,
            "bom_line_ids": [Command.create({"product_id": self.screw.id, "product_qty": 4})],
        })
        order = self._order(1, bom=bom, product=board)
        order.qty_producing = 1
        order.move_raw_ids.picked = True
        order.button_mark_done()
        self.assertEqual(order.state, "done")
        self.assertFalse(self._event_of(order))

    def test_scrapped_component_keeps_its_destroying_event_only(self):
        order = self._order(1)
        scrap = self.env["stock.scrap"].create({
            "product_id": self.catheter_variant.id,
            "lot_id": self.component_lot.id,
            "scrap_qty": 1,
            "production_id": order.id,
            "location_id": order.location_src_id.id,
        })
        scrap.action_validate()
        self._produce(order, ["PMX0005"])
        scrap_event = self.Event.search([("scrap_id", "=", scrap.id)])
        self.assertEqual(scrap_event.biz_step, "destroying")
        self.assertNotIn(scrap.move_ids.move_line_ids, self._event_of(order).line_ids.move_line_id)
        self.assertConsistent()

    def test_component_line_added_to_a_done_order_restates_its_event(self):
        self._receive([(self.catheter_variant, "C-COMP-2", 5)])
        extra_lot = self._lot_named(self.catheter_variant, "C-COMP-2")
        original = self._event_of(self.order)
        raw_move = self.order.move_raw_ids.filtered(
            lambda move: move.product_id == self.catheter_variant
        )
        self.env["stock.move.line"].create({
            "move_id": raw_move.id,
            "product_id": self.catheter_variant.id,
            "lot_id": extra_lot.id,
            "quantity": 1,
            "location_id": raw_move.location_id.id,
            "location_dest_id": raw_move.location_dest_id.id,
        })
        current = self.Event.search(
            [("production_id", "=", self.order.id), ("is_superseded", "=", False)]
        )
        self.assertEqual(len(current), 1)
        self.assertTrue(original.is_superseded)
        self.assertEqual(current.error_reason, "incorrect_data")
        self.assertEqual(self._roles(current)["input"].lot_id, self.component_lot | extra_lot)
        self.assertEqual(self._roles(current)["output"].lot_id, self.serials | self.coupon_lot)
        reached = {row["lot_id"] for row in self.Event.trace_forward(extra_lot.ids)["lots"]}
        self.assertTrue(set(self.serials.ids) <= reached)
        self.assertConsistent()


@tagged("post_install", "-at_install")
class TestMrpPartialEvents(MrpTraceCommon):
    def test_partial_production_and_its_backorder_record_one_event_each(self):
        order = self._order(3)
        action = self._produce(order, ["PMB0001"])
        Form(
            self.env["mrp.production.backorder"].with_context(**action["context"])
        ).save().action_backorder()
        backorder = order.production_group_id.production_ids - order
        self.assertEqual(len(backorder), 1)
        first = self._event_of(order)
        self.assertEqual(len(first), 1)
        self.assertEqual(self._roles(first)["output"].filtered(
            lambda line: line.product_id == self.pacemaker).lot_id.mapped("name"), ["PMB0001"])
        self.assertEqual(sum(self._roles(first)["input"].mapped("quantity")), 1)
        self.assertFalse(self._event_of(backorder))
        self.assertConsistent()

        backorder.action_assign()
        self._produce(backorder, ["PMB0002", "PMB0003"])
        second = self._event_of(backorder)
        self.assertEqual(len(second), 1)
        self.assertEqual(second.biz_transaction, backorder.name)
        self.assertEqual(
            self._roles(second)["output"].filtered(
                lambda line: line.product_id == self.pacemaker).lot_id.mapped("name"),
            ["PMB0002", "PMB0003"],
        )
        self.assertEqual(sum(self._roles(second)["input"].mapped("quantity")), 2)
        self.assertEqual(len(self._event_of(order)), 1, "the first order's event is unchanged")
        self.assertConsistent()
        reached = {
            row["lot_id"] for row in self.Event.trace_forward(self.component_lot.ids)["lots"]
        }
        self.assertTrue(
            {lot.id for lot in self.env["stock.lot"].search([("name", "like", "PMB")])} <= reached
        )

    def test_more_of_a_known_lot_is_created_not_commissioned(self):
        bom = self.env["mrp.bom"].create({
            "product_tmpl_id": self.catheter.id,
            "product_qty": 1,
            "bom_line_ids": [Command.create({"product_id": self.screw.id, "product_qty": 1})],
        })
        lot = self.env["stock.lot"].create({
            "name": "C-MADE-1",
            "product_id": self.catheter_variant.id,
            "expiration_date": "2030-01-31 00:00:00",
        })
        steps = []
        for _run in range(2):
            order = self._order(5, bom=bom, product=self.catheter_variant)
            self._produce(order, lot)
            event = self._event_of(order)
            self.assertEqual(self._roles(event)["output"].lot_id, lot)
            steps.append(event.biz_step)
        self.assertEqual(steps, ["commissioning", "creating_class_instance"])
        self.assertConsistent()


@tagged("post_install", "-at_install")
class TestUnbuildEvents(MrpTraceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._order(2)
        cls._produce(cls.order, ["PMU0001", "PMU0002"], "CPN-U")
        cls.serials = cls.order.lot_producing_ids.sorted("name")
        cls.unbuild = cls.env["mrp.unbuild"].create({
            "product_id": cls.pacemaker.id,
            "mo_id": cls.order.id,
            "lot_id": cls.serials[0].id,
            "product_qty": 1,
        })
        cls.unbuild.action_unbuild()

    def _unbuild_event(self):
        return self.Event.search([("unbuild_id", "=", self.unbuild.id)])

    def test_unbuild_records_a_disassembling_transformation(self):
        event = self._unbuild_event()
        self.assertRecordValues(event, [{
            "event_type": "transformation",
            "biz_step": "disassembling",
            "origin": "unbuild",
            "biz_transaction": self.unbuild.name,
        }])
        inputs = event.line_ids.filtered(lambda line: line.role == "input")
        outputs = event.line_ids.filtered(lambda line: line.role == "output")
        self.assertEqual(set(inputs.lot_id.mapped("name")), {"PMU0001", "CPN-U"})
        self.assertEqual(outputs.lot_id, self.component_lot)
        self.assertEqual(outputs.quantity, 1)
        self.assertEqual(outputs.location_dest_id, self.unbuild.location_dest_id)

    def test_unbuild_moves_get_no_object_event_and_stay_consistent(self):
        moves = self.unbuild.produce_line_ids | self.unbuild.consume_line_ids
        self.assertTrue(moves)
        self.assertFalse(self.Event.search([("move_id", "in", moves.ids)]))
        self.assertTrue(self.Event.check_consistency()["ok"])

    def test_forward_trace_after_unbuild_terminates_and_keeps_the_serials(self):
        result = self.Event.trace_forward(self.component_lot.ids)
        depths = {row["lot_id"]: row["depth"] for row in result["lots"]}
        self.assertEqual(depths[self.component_lot.id], 0)
        self.assertEqual(depths[self.serials[0].id], 1)
        self.assertEqual(depths[self.serials[1].id], 1)
        holders = [row for row in result["holders"] if row["lot_id"] == self.serials[0].id]
        self.assertFalse(any(row["quantity"] for row in holders), "the unbuilt serial is gone")
        component_stock = [
            row for row in result["holders"]
            if row["lot_id"] == self.component_lot.id
            and row["location_id"] == self.unbuild.location_dest_id.id
        ]
        self.assertEqual(component_stock[0]["quantity"], 19, "one catheter recovered")

    def test_running_the_unbuild_hook_again_records_nothing_twice(self):
        before = self.Event.search_count([])
        self.assertFalse(self.unbuild._trace_record_unbuild())
        self.assertEqual(self.Event.search_count([]), before)
