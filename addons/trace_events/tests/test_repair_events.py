from odoo import Command
from odoo.tests import tagged

from .common import TraceCommon


class RepairTraceCommon(TraceCommon):
    """A pacemaker serial repaired with a new battery (serial) and a catheter lot as parts,
    its old battery removed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pacemaker = cls.implant.product_variant_id
        cls.hospital.write({  # a consignee of regulated devices needs its licence on record
            "udi_licence_number": "沪卫医证20180002号",
            "udi_licence_expiry": cls._date(365),
        })
        cls.battery = cls.env["product.product"].create(
            {"name": "Pacemaker battery", "is_storable": True, "tracking": "serial"}
        )
        cls._receive([
            (cls.pacemaker, "PMR0001", 1),
            (cls.pacemaker, "PMR0002", 1),
            (cls.battery, "BAT-NEW", 1),
            (cls.catheter_variant, "C-PART-1", 10),
        ])
        cls.unit = cls._lot_named(cls.pacemaker, "PMR0001")
        cls.other_unit = cls._lot_named(cls.pacemaker, "PMR0002")
        cls.new_battery = cls._lot_named(cls.battery, "BAT-NEW")
        cls.part_lot = cls._lot_named(cls.catheter_variant, "C-PART-1")
        cls.old_battery = cls.env["stock.lot"].create(
            {"name": "BAT-OLD", "product_id": cls.battery.id}
        )
        cls.repair_type = cls.warehouse.repair_type_id

    @classmethod
    def _repair(cls, unit, parts, finish=True, **values):
        """A repair of ``unit`` with ``parts`` [(line type, product, lot, qty)], taken through
        validate, start and end as a technician does."""
        repair = cls.env["repair.order"].create({
            "product_id": unit.product_id.id,
            "product_uom": unit.product_id.uom_id.id,
            "lot_id": unit.id,
            "partner_id": cls.hospital.id,
            "picking_type_id": cls.repair_type.id,
            "move_ids": [
                Command.create({
                    "product_id": product.id,
                    "product_uom_qty": qty,
                    "repair_line_type": line_type,
                })
                for line_type, product, _lot, qty in parts
            ],
            **values,
        })
        repair.action_validate()
        repair.action_repair_start()
        for move, (_type, product, lot, qty) in zip(repair.move_ids, parts, strict=True):
            move.move_line_ids.unlink()
            cls.env["stock.move.line"].create({
                "move_id": move.id,
                "product_id": product.id,
                "lot_id": lot.id,
                "quantity": qty,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
            })
        repair.move_ids.picked = True
        if finish:
            repair.action_repair_end()
        return repair

    def _events(self, repair):
        return self.Event.search([("repair_id", "=", repair.id)], order="id")

    def _role(self, event, role):
        return event.line_ids.filtered(lambda line: line.role == role)


@tagged("post_install", "-at_install")
class TestRepairEvents(RepairTraceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.repair = cls._repair(cls.unit, [
            ("add", cls.battery, cls.new_battery, 1),
            ("add", cls.catheter_variant, cls.part_lot, 2),
            ("remove", cls.battery, cls.old_battery, 1),
        ])

    def test_part_swap_records_an_add_and_a_delete_association(self):
        self.assertEqual(self.repair.state, "done")
        added, removed = self._events(self.repair)
        self.assertRecordValues(added + removed, [
            {"event_type": "association", "action": "add", "biz_step": "repairing",
             "disposition": "active", "origin": "repair", "biz_transaction": self.repair.name},
            {"event_type": "association", "action": "delete", "biz_step": "repairing",
             "disposition": "active", "origin": "repair", "biz_transaction": self.repair.name},
        ])
        self.assertEqual(self._role(added, "parent").lot_id, self.unit)
        self.assertEqual(
            self._role(added, "parent").move_line_id, self.repair.move_id.move_line_ids
        )
        self.assertEqual(self._role(added, "child").lot_id, self.new_battery | self.part_lot)
        self.assertEqual(
            sum(self._role(added, "child").filtered(
                lambda line: line.lot_id == self.part_lot).mapped("quantity")), 2
        )
        self.assertEqual(self._role(removed, "removed").lot_id, self.old_battery)
        self.assertTrue(self._role(removed, "removed").move_line_id)

    def test_delete_association_names_the_unit_without_a_move_line(self):
        removed = self._events(self.repair)[1]
        parent = self._role(removed, "parent")
        self.assertRecordValues(parent, [{
            "lot_id": self.unit.id, "quantity": 1, "move_line_id": False,
            "location_id": False, "location_dest_id": False,
        }])

    def test_every_done_line_of_the_repair_has_exactly_one_event_line(self):
        lines = (self.repair.move_ids | self.repair.move_id).move_line_ids
        event_lines = self.env["trace.event.line"].search([("move_line_id", "in", lines.ids)])
        self.assertEqual(sorted(event_lines.move_line_id.ids), sorted(lines.ids))
        self.assertFalse(self.Event.search([("move_id", "in", lines.move_id.ids)]))
        result = self.Event.check_consistency()
        self.assertTrue(result["ok"], result)

    def test_part_lot_traces_forward_to_the_repaired_serial_and_its_holder(self):
        self._deliver(self.hospital, [(self.pacemaker, self.unit, 1)])
        result = self.Event.trace_forward(self.part_lot.ids)
        self.assertIn({"lot_id": self.unit.id, "lot_name": "PMR0001",
                       "product_id": self.pacemaker.id, "depth": 1}, result["lots"])
        holders = [(row["holder_type"], row["partner_id"], row["quantity"])
                   for row in result["holders"] if row["lot_id"] == self.unit.id]
        self.assertEqual(holders, [("partner", self.hospital.id, 1)])

    def test_repaired_serial_traces_backward_to_the_added_parts_not_the_removed(self):
        reached = {row["lot_id"]: row["depth"]
                   for row in self.Event.trace_backward(self.unit.ids)["lots"]}
        self.assertEqual(
            reached, {self.unit.id: 0, self.new_battery.id: 1, self.part_lot.id: 1}
        )

    def test_repair_keeps_the_unit_where_it_was_in_the_holder_balance(self):
        holders = self.Event._trace_holders(self.unit.ids)
        self.assertEqual(
            [(row["holder_type"], row["location_id"], row["quantity"]) for row in holders],
            [("location", self.repair.product_location_dest_id.id, 1)],
        )
        part_holders = {row["location_id"]: row["quantity"]
                        for row in self.Event._trace_holders(self.part_lot.ids)}
        self.assertEqual(part_holders[self.stock_location.id], 8, "two catheters fitted")

    def test_running_the_repair_hook_again_records_nothing_twice(self):
        before = self.Event.search_count([])
        self.assertFalse(self.repair._trace_record_repair())
        self.assertEqual(self.Event.search_count([]), before)


@tagged("post_install", "-at_install")
class TestRepairEventVariants(RepairTraceCommon):
    def test_repair_without_parts_records_a_repairing_object_event(self):
        repair = self._repair(self.other_unit, [])
        event = self._events(repair)
        self.assertRecordValues(event, [{
            "event_type": "object", "action": "observe", "biz_step": "repairing",
            "source_partner_id": False, "dest_partner_id": False,
        }])
        self.assertEqual(event.line_ids.role, "object")
        self.assertEqual(event.line_ids.lot_id, self.other_unit)
        self.assertEqual(event.line_ids.move_line_id, repair.move_id.move_line_ids)
        self.assertTrue(self.Event.check_consistency()["ok"])

    def test_repair_with_added_parts_only_records_no_delete_event(self):
        repair = self._repair(self.other_unit, [("add", self.battery, self.new_battery, 1)])
        event = self._events(repair)
        self.assertEqual(event.action, "add")
        self.assertEqual(self._role(event, "child").lot_id, self.new_battery)

    def test_repair_with_removed_parts_only_records_an_observation_and_a_delete(self):
        repair = self._repair(self.other_unit, [("recycle", self.battery, self.old_battery, 1)])
        observed, removed = self._events(repair)
        self.assertEqual((observed.event_type, observed.action), ("object", "observe"))
        self.assertEqual((removed.event_type, removed.action), ("association", "delete"))
        self.assertEqual(self._role(removed, "removed").lot_id, self.old_battery)
        self.assertTrue(self.Event.check_consistency()["ok"])

    def test_repair_at_the_customer_names_the_customer_and_moves_no_holding(self):
        self._deliver(self.hospital, [(self.pacemaker, self.other_unit, 1)])
        repair = self._repair(
            self.other_unit, [("add", self.battery, self.new_battery, 1)],
            product_location_src_id=self.customer_location.id,
            product_location_dest_id=self.customer_location.id,
        )
        event = self._events(repair)
        self.assertEqual(event.dest_partner_id, self.hospital)
        self.assertEqual(event.source_partner_id, self.hospital)
        holders = [(row["holder_type"], row["partner_id"], row["quantity"])
                   for row in self.Event._trace_holders(self.other_unit.ids)
                   if row["quantity"]]
        self.assertEqual(holders, [("partner", self.hospital.id, 1)])
        self.assertTrue(self.Event.check_consistency()["ok"])

    def test_cancelled_repair_records_nothing(self):
        repair = self._repair(
            self.other_unit, [("add", self.battery, self.new_battery, 1)], finish=False
        )
        repair.action_repair_cancel()
        self.assertEqual(repair.state, "cancel")
        self.assertFalse(self._events(repair))
        self.assertFalse(repair._trace_record_repair())
        self.assertTrue(self.Event.check_consistency()["ok"])
