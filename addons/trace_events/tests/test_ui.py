from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import TraceCommon

#: the GS1 DataMatrix of a pacemaker serial (DI 06901234500011, serial PMUI0001)
PACEMAKER_UDI = "]d2010690123450001121PMUI0001"


class TraceTreeCommon(TraceCommon):
    """A catheter lot received, two pacemakers made with it (a captured transformation), one
    pacemaker shipped to the hospital and catheters shipped to the distributor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pacemaker = cls.implant.product_variant_id
        cls.production_location = cls.env["stock.location"].search(
            [("usage", "=", "production"), ("company_id", "in", [cls.company.id, False])],
            limit=1,
        )
        cls.hospital.udi_licence_number = "沪卫医证2020-0001"
        cls.receipt = cls._receive([(cls.catheter_variant, "CUI24A", 30)])
        cls.lot = cls._lot_named(cls.catheter_variant, "CUI24A")
        cls.serials = cls._serials("PMUI", 2)
        cls.make = cls._make([(cls.lot, 2)], cls.serials, "MO/UI/001")
        cls.ship_serial = cls._deliver(cls.hospital, [(cls.pacemaker, cls.serials[0], 1)])
        cls.ship_lot = cls._deliver(cls.distributor, [(cls.catheter_variant, cls.lot, 12)])
        cls.clerk = new_test_user(
            cls.env, login="ui_clerk", groups="udi_master.group_trace_user", name="Clerk Li"
        )

    @classmethod
    def _serials(cls, prefix, count):
        return cls.env["stock.lot"].create(
            [
                {"name": f"{prefix}{index:04d}", "product_id": cls.pacemaker.id}
                for index in range(1, count + 1)
            ]
        )

    @classmethod
    def _make(cls, inputs, serials, document):
        """A transformation consuming ``inputs`` [(lot, qty)] into ``serials`` (put in stock
        without a move, so that the event alone brings them there)."""
        for serial in serials:
            cls.env["stock.quant"]._update_available_quantity(
                cls.pacemaker, cls.stock_location, 1, lot_id=serial
            )

        def line(role, lot, qty, source, dest):
            return (
                0,
                0,
                {
                    "role": role,
                    "product_id": lot.product_id.id,
                    "lot_id": lot.id,
                    "lot_name": lot.name,
                    "quantity": qty,
                    "uom_id": lot.product_id.uom_id.id,
                    "location_id": source.id,
                    "location_dest_id": dest.id,
                },
            )

        return cls.env["trace.event"]._trace_create(
            [
                {
                    "event_type": "transformation",
                    "biz_step": "commissioning",
                    "disposition": "active",
                    "event_time": fields.Datetime.now(),
                    "origin": "capture",
                    "biz_transaction": document,
                    "line_ids": [
                        line("input", lot, qty, cls.stock_location, cls.production_location)
                        for lot, qty in inputs
                    ]
                    + [
                        line("output", serial, 1, cls.production_location, cls.stock_location)
                        for serial in serials
                    ],
                }
            ]
        )

    @staticmethod
    def _holders(result, lot):
        return {
            (h["holder_type"], h["partner_id"] or h["location_id"]): h["quantity"]
            for h in result["holders"]
            if h["lot_id"] == lot.id
        }


@tagged("post_install", "-at_install")
class TestTraceTree(TraceTreeCommon):
    def test_forward_tree_links_the_component_lot_to_the_serials_made_with_it(self):
        result = self.Event.trace_tree([self.lot.id], "forward")
        self.assertEqual(result["root_ids"], [self.lot.id])
        depths = {row["id"]: row["depth"] for row in result["lots"]}
        self.assertEqual(depths, {self.lot.id: 0, self.serials[0].id: 1, self.serials[1].id: 1})
        self.assertEqual(
            sorted((e["from_lot_id"], e["to_lot_id"], e["event_id"]) for e in result["edges"]),
            sorted((self.lot.id, serial.id, self.make.id) for serial in self.serials),
        )
        parents = {row["id"]: row["parent_ids"] for row in result["lots"]}
        self.assertEqual(parents[self.serials[1].id], [self.lot.id])
        self.assertEqual(parents[self.lot.id], [])

    def test_edges_carry_the_quantity_of_each_side_in_the_event(self):
        result = self.Event.trace_tree([self.lot.id], "forward")
        edge = next(e for e in result["edges"] if e["to_lot_id"] == self.serials[0].id)
        self.assertEqual((edge["from_quantity"], edge["to_quantity"]), (2, 1))

    def test_backward_tree_goes_from_the_serial_to_its_component_lot(self):
        result = self.Event.trace_tree([self.serials[0].id], "backward")
        self.assertEqual(
            [(e["from_lot_id"], e["to_lot_id"]) for e in result["edges"]],
            [(self.serials[0].id, self.lot.id)],
        )
        self.assertEqual({row["id"] for row in result["lots"]}, {self.serials[0].id, self.lot.id})

    def test_tree_gives_the_holders_of_every_lot_reached(self):
        result = self.Event.trace_tree([self.lot.id], "forward")
        self.assertEqual(
            self._holders(result, self.lot),
            {("partner", self.distributor.id): 12, ("location", self.stock_location.id): 16},
        )
        self.assertEqual(self._holders(result, self.serials[0]), {("partner", self.hospital.id): 1})
        self.assertEqual(
            self._holders(result, self.serials[1]), {("location", self.stock_location.id): 1}
        )

    def test_tree_summary_counts_lots_reached_and_partners_holding(self):
        summary = self.Event.trace_tree([self.lot.id], "forward")["summary"]
        self.assertEqual(summary["lot_count"], 2)
        self.assertEqual(summary["partner_count"], 2)
        self.assertEqual(summary["partner_quantity"], 13)
        self.assertEqual(summary["own_quantity"], 17)

    def test_tree_names_the_supplier_a_lot_came_from(self):
        result = self.Event.trace_tree([self.serials[0].id], "backward")
        sources = [s for s in result["sources"] if s["lot_id"] == self.lot.id]
        self.assertEqual(len(sources), 1)
        self.assertEqual(sources[0]["partner_id"], self.supplier.id)
        self.assertEqual(sources[0]["quantity"], 30)
        self.assertEqual(sources[0]["documents"], [self.receipt.name])
        names = {p["id"]: p["name"] for p in result["partners"]}
        self.assertEqual(names[self.supplier.id], self.supplier.display_name)

    def test_tree_gives_names_of_events_products_and_partners(self):
        result = self.Event.trace_tree([self.lot.id], "forward")
        self.assertEqual(
            [(e["id"], e["biz_transaction"]) for e in result["events"]],
            [(self.make.id, "MO/UI/001")],
        )
        products = {p["id"]: p for p in result["products"]}
        self.assertEqual(products[self.pacemaker.id]["tracking"], "serial")
        self.assertEqual(products[self.catheter_variant.id]["name"], "Central venous catheter 7Fr")

    def test_tree_does_not_follow_a_superseded_transformation(self):
        self.Event._trace_create(
            [
                {
                    "event_type": "transformation",
                    "origin": "correction",
                    "event_time": fields.Datetime.now(),
                    "corrected_event_id": self.make.id,
                    "error_reason": "did_not_occur",
                }
            ]
        )
        result = self.Event.trace_tree([self.lot.id], "forward")
        self.assertEqual([row["id"] for row in result["lots"]], [self.lot.id])
        self.assertEqual(result["edges"], [])

    def test_tree_of_an_unbuild_and_rebuild_cycle_ends_and_keeps_both_edges(self):
        serial = self.serials[1]
        self.Event._trace_create(
            [
                {
                    "event_type": "transformation",
                    "biz_step": "disassembling",
                    "event_time": fields.Datetime.now(),
                    "origin": "capture",
                    "biz_transaction": "UB/UI/001",
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "role": "input",
                                "product_id": self.pacemaker.id,
                                "lot_id": serial.id,
                                "quantity": 1,
                            },
                        ),
                        (
                            0,
                            0,
                            {
                                "role": "output",
                                "product_id": self.catheter_variant.id,
                                "lot_id": self.lot.id,
                                "quantity": 2,
                            },
                        ),
                    ],
                }
            ]
        )
        result = self.Event.trace_tree([self.lot.id], "forward")
        edges = {(e["from_lot_id"], e["to_lot_id"]) for e in result["edges"]}
        self.assertIn((serial.id, self.lot.id), edges)
        self.assertIn((self.lot.id, serial.id), edges)
        self.assertEqual(len(result["lots"]), 3)

    def test_tree_query_count_does_not_grow_with_the_serials_reached(self):
        small_lot = self._receive([(self.catheter_variant, "CUI24B", 10)]).move_line_ids.lot_id
        big_lot = self._receive([(self.catheter_variant, "CUI24C", 60)]).move_line_ids.lot_id
        self._make([(small_lot, 2)], self._serials("PMS", 2), "MO/UI/S")
        self._make([(big_lot, 50)], self._serials("PMB", 50), "MO/UI/B")

        def queries(lot):
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            result = self.Event.trace_tree([lot.id], "forward")
            return self.cr.sql_log_count - before, len(result["lots"])

        queries(small_lot)  # warm the caches of the ORM (fields, access rules)
        small, small_lots = queries(small_lot)
        big, big_lots = queries(big_lot)
        self.assertEqual((small_lots, big_lots), (3, 51))
        self.assertLessEqual(big, small)

    def test_tree_refuses_an_unknown_direction(self):
        with self.assertRaisesRegex(UserError, "sideways"):
            self.Event.trace_tree([self.lot.id], "sideways")

    def test_tree_refuses_an_unknown_lot(self):
        with self.assertRaisesRegex(UserError, "Unknown lot/serial id"):
            self.Event.trace_tree([999999999], "forward")

    def test_trace_user_reads_the_tree(self):
        result = self.Event.with_user(self.clerk).trace_tree([self.lot.id], "forward")
        self.assertEqual(len(result["lots"]), 3)

    def test_user_without_stock_rights_cannot_read_the_tree(self):
        outsider = new_test_user(self.env, login="ui_outsider", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.Event.with_user(outsider).trace_tree([self.lot.id], "forward")


@tagged("post_install", "-at_install")
class TestLotTimeline(TraceTreeCommon):
    def test_lot_event_count_counts_each_event_of_the_lot_once(self):
        self.assertEqual(self.lot.trace_event_count, 3)  # receipt, transformation, shipping
        self.assertEqual(self.serials[0].trace_event_count, 2)

    def test_events_button_opens_the_lines_of_the_lot_oldest_first(self):
        action = self.lot.with_user(self.clerk).action_view_trace_events()
        self.assertEqual(action["res_model"], "trace.event.line")
        lines = self.env["trace.event.line"].with_user(self.clerk).search(action["domain"])
        self.assertEqual(set(lines.lot_id.ids), {self.lot.id})
        ordered = lines.search(action["domain"], order="event_time, id")
        self.assertEqual(ordered.mapped("biz_step"), ["receiving", "commissioning", "shipping"])
        view = self.env.ref("trace_events.trace_event_line_view_list_timeline")
        self.assertEqual(list(action["views"][0]), [view.id, "list"])

    def test_timeline_says_from_whom_and_to_whom(self):
        lines = (
            self.env["trace.event.line"]
            .with_user(self.clerk)
            .search([("lot_id", "=", self.lot.id)], order="event_time, id")
        )
        receiving, _made, shipping = lines
        self.assertEqual(receiving.from_label, self.supplier.display_name)
        self.assertEqual(receiving.to_label, self.stock_location.display_name)
        self.assertEqual(shipping.to_label, self.distributor.display_name)

    def test_timeline_marks_superseded_events_and_their_correction(self):
        correction = self.Event._trace_create(
            [
                {
                    "event_type": "transformation",
                    "origin": "correction",
                    "event_time": fields.Datetime.now(),
                    "corrected_event_id": self.make.id,
                    "error_reason": "incorrect_data",
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "role": "input",
                                "product_id": self.catheter_variant.id,
                                "lot_id": self.lot.id,
                                "quantity": 1,
                            },
                        ),
                        (
                            0,
                            0,
                            {
                                "role": "output",
                                "product_id": self.pacemaker.id,
                                "lot_id": self.serials[0].id,
                                "quantity": 1,
                            },
                        ),
                    ],
                }
            ]
        )
        lines = (
            self.env["trace.event.line"]
            .with_user(self.clerk)
            .search([("lot_id", "=", self.lot.id)])
        )
        status = {line.event_id.id: line.trace_status for line in lines}
        self.assertEqual(status[self.make.id], "superseded")
        self.assertEqual(status[correction.id], "correction")
        self.assertEqual(status[self.receipt_event.id], "effective")

    def test_timeline_row_opens_the_event(self):
        line = self.make.line_ids[:1]
        action = line.with_user(self.clerk).action_open_event()
        self.assertEqual((action["res_model"], action["res_id"]), ("trace.event", self.make.id))

    def test_trace_button_opens_the_tree_client_action_forward(self):
        action = self.lot.with_user(self.clerk).action_open_trace_tree()
        self.assertEqual(action["tag"], "trace_events.trace_tree")
        self.assertEqual(action["params"], {"lot_ids": [self.lot.id], "direction": "forward"})

    def test_trace_backward_from_the_action_menu_of_several_lots(self):
        lots = self.lot | self.serials
        action = (
            self.env.ref("trace_events.stock_lot_action_trace_backward")
            .with_user(self.clerk)
            .with_context(active_model="stock.lot", active_ids=lots.ids, active_id=lots.ids[0])
            .run()
        )
        self.assertEqual(action["tag"], "trace_events.trace_tree")
        self.assertEqual(action["params"], {"lot_ids": lots.ids, "direction": "backward"})

    def test_event_form_splits_transformation_lines_into_consumed_and_produced(self):
        self.assertEqual(self.make.input_line_ids.lot_id, self.lot)
        self.assertEqual(self.make.output_line_ids.lot_id, self.serials)
        self.assertFalse(self.make.object_line_ids)

    def test_document_button_opens_the_transfer_of_the_event(self):
        event = self._events_of(self.ship_lot.move_ids, "move_id")
        action = event.with_user(self.clerk).action_open_document()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("stock.picking", self.ship_lot.id)
        )

    @property
    def receipt_event(self):
        """The receiving event of the catheter lot."""
        return self._events_of(self.receipt.move_ids, "move_id")


@tagged("post_install", "-at_install")
class TestTraceLotWizard(TraceTreeCommon):
    def _wizard(self, **vals):
        return self.env["trace.lot.wizard"].with_user(self.clerk).create(vals)

    def test_scanning_a_udi_adds_its_serial_and_clears_the_scan(self):
        form = Form(self.env["trace.lot.wizard"].with_user(self.clerk))
        form.scan = PACEMAKER_UDI
        self.assertFalse(form.scan)
        self.assertEqual(form.save().lot_ids, self.serials[0])

    def test_typing_a_lot_number_adds_the_lot(self):
        form = Form(self.env["trace.lot.wizard"].with_user(self.clerk))
        form.scan = "CUI24A"
        self.assertEqual(form.save().lot_ids, self.lot)

    def test_scans_add_up(self):
        form = Form(self.env["trace.lot.wizard"].with_user(self.clerk))
        form.scan = "CUI24A"
        form.scan = PACEMAKER_UDI
        self.assertEqual(form.save().lot_ids, self.lot | self.serials[0])

    def test_scan_of_an_unknown_serial_is_refused_with_the_reason(self):
        with self.assertRaisesRegex(UserError, "PMUI9999 of .*Dual-chamber pacemaker.* not known"):
            self._wizard()._trace_scan_lots("]d2010690123450001121PMUI9999")

    def test_scan_of_garbage_says_it_is_neither_udi_nor_lot(self):
        with self.assertRaisesRegex(UserError, "neither a valid UDI nor a known lot"):
            self._wizard()._trace_scan_lots("NO-SUCH-THING")

    def test_trace_without_lot_is_refused(self):
        with self.assertRaisesRegex(UserError, "at least one lot"):
            self._wizard().action_trace()

    def test_trace_opens_the_tree_in_the_chosen_direction(self):
        wizard = self._wizard(lot_ids=[(6, 0, self.serials[0].ids)], direction="backward")
        action = wizard.action_trace()
        self.assertEqual(action["tag"], "trace_events.trace_tree")
        self.assertEqual(
            action["params"], {"lot_ids": self.serials[0].ids, "direction": "backward"}
        )

    def test_wizard_opened_from_lots_starts_with_them(self):
        wizard = (
            self.env["trace.lot.wizard"]
            .with_user(self.clerk)
            .with_context(active_model="stock.lot", active_ids=self.serials.ids)
            .create({})
        )
        self.assertEqual(wizard.lot_ids, self.serials)


@tagged("post_install", "-at_install")
class TestTraceUi(TraceCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._receive([(cls.catheter_variant, "TOURCATH1", 30)])
        cls.tour_lot = cls._lot_named(cls.catheter_variant, "TOURCATH1")
        cls._deliver(cls.distributor, [(cls.catheter_variant, cls.tour_lot, 12)])

    def test_quality_manager_traces_a_lot_to_the_distributor_in_browser(self):
        self.start_tour(
            f"/odoo/action-stock.action_production_lot_form/{self.tour_lot.id}",
            "trace_events_trace_tree",
            login="admin",
        )

    def test_holdings_list_shows_who_holds_the_lot_in_browser(self):
        new_test_user(self.env, login="tour_holdings", groups="udi_master.group_trace_user")
        self.start_tour(
            "/odoo/action-trace_events.trace_holding_action",
            "trace_events_holdings",
            login="tour_holdings",
        )

    def test_clerk_with_trace_rights_only_traces_a_lot_in_browser(self):
        new_test_user(self.env, login="tour_clerk", groups="udi_master.group_trace_user")
        self.start_tour(
            f"/odoo/action-stock.action_production_lot_form/{self.tour_lot.id}",
            "trace_events_trace_tree",
            login="tour_clerk",
        )
