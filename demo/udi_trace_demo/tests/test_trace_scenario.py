from odoo.tests import tagged

from odoo.addons.trace_events.tests.common import TraceCommon


def holders_by_partner(result, lot):
    """The holders of ``lot`` that are partners, by partner id, in a trace result."""
    return {
        holder["partner_id"]: holder
        for holder in result["holders"]
        if holder["holder_type"] == "partner" and holder["lot_id"] == lot.id
    }


@tagged("post_install", "-at_install")
class TestDemoChain(TraceCommon):
    """The demo's chain builder on generic data: component lots -> manufacturing order ->
    serials -> distributors -> hospitals (onward shipments captured as EPCIS events)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pacemaker = cls.implant.product_variant_id
        component = {"is_storable": True, "tracking": "lot"}
        cls.cell = cls.env["product.product"].create({"name": "Lithium cell", **component})
        cls.tubing = cls.env["product.product"].create({"name": "Lead tubing", **component})
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.implant.id,
                "product_qty": 1,
                "bom_line_ids": [
                    (0, 0, {"product_id": cls.cell.id, "product_qty": 1}),
                    (0, 0, {"product_id": cls.tubing.id, "product_qty": 2}),
                ],
            }
        )
        cls._receive([(cls.cell, "LI-T-001", 10), (cls.tubing, "SIL-T-001", 20)])
        cls.cell_lot = cls._lot_named(cls.cell, "LI-T-001")
        cls.tubing_lot = cls._lot_named(cls.tubing, "SIL-T-001")
        cls.distributor_2 = cls.distributor.copy(
            {
                "name": "Pacific MedSupply Pte. Ltd.",
                "udi_gln": "8881234000019",
            }
        )
        cls.hospital_2 = cls.hospital.copy(
            {
                "name": "Suzhou First People's Hospital",
                "udi_gln": "6901234000047",
            }
        )
        cls.onward = [
            (cls.distributor, cls.hospital, ["PM-T-001"], "HD-DN-1"),
            (cls.distributor_2, cls.hospital_2, ["PM-T-003"], "PMS-DO-1"),
        ]
        cls.chain = cls.env["udi.demo.trace"]._demo_build_chain(
            cls.pacemaker,
            cls.cell_lot | cls.tubing_lot,
            [["PM-T-001", "PM-T-002"], ["PM-T-003"]],
            [(cls.distributor, ["PM-T-001", "PM-T-002"]), (cls.distributor_2, ["PM-T-003"])],
            cls.onward,
        )
        cls.serials = cls.chain["serials"]

    def test_trace_from_the_component_lot_reaches_the_hospitals(self):
        result = self.Event.trace_forward(self.cell_lot.ids)
        reached = {row["lot_name"] for row in result["lots"]}
        self.assertEqual(reached, {"LI-T-001", "PM-T-001", "PM-T-002", "PM-T-003"})
        self.assertEqual(
            holders_by_partner(result, self.serials["PM-T-001"])[self.hospital.id]["quantity"], 1
        )
        self.assertEqual(
            holders_by_partner(result, self.serials["PM-T-003"])[self.hospital_2.id]["quantity"],
            1,
        )

    def test_each_order_records_one_transformation_from_component_lots_to_its_serials(self):
        first, second = self.chain["productions"]
        events = self._events_of(first, "production_id")
        self.assertEqual(len(events), 1)
        self.assertEqual(events.event_type, "transformation")
        inputs = events.line_ids.filtered(lambda line: line.role == "input")
        outputs = events.line_ids.filtered(lambda line: line.role == "output")
        self.assertEqual(inputs.lot_id, self.cell_lot | self.tubing_lot)
        self.assertEqual(outputs.lot_id, self.serials["PM-T-001"] | self.serials["PM-T-002"])
        self.assertEqual(
            self._events_of(second, "production_id")
            .line_ids.filtered(lambda line: line.role == "output")
            .lot_id,
            self.serials["PM-T-003"],
        )

    def test_distributor_still_holds_the_serial_it_did_not_ship_on(self):
        result = self.Event.trace_forward(self.cell_lot.ids)
        kept = holders_by_partner(result, self.serials["PM-T-002"])[self.distributor.id]
        shipped_on = holders_by_partner(result, self.serials["PM-T-001"])[self.distributor.id]
        self.assertEqual((kept["quantity"], kept["received_quantity"]), (1, 1))
        self.assertEqual((shipped_on["quantity"], shipped_on["received_quantity"]), (0, 1))

    def test_onward_shipments_are_captured_events_with_the_distributor_document(self):
        events = self.Event.browse(self.chain["capture"]["event_ids"])
        self.assertEqual(len(events), 2)
        self.assertEqual(set(events.mapped("origin")), {"capture"})
        self.assertEqual(set(events.mapped("biz_step")), {"shipping"})
        self.assertEqual(events.source_partner_id, self.distributor | self.distributor_2)
        self.assertEqual(events.dest_partner_id, self.hospital | self.hospital_2)
        self.assertIn("HD-DN-1", " ".join(events.mapped("biz_transaction")))

    def test_no_onward_shipment_is_dated_before_its_serial_was_made(self):
        made = {
            line.lot_id: line.event_id.event_time
            for line in self._events_of(self.chain["productions"], "production_id").line_ids
            if line.role == "output"
        }
        for event in self.Event.browse(self.chain["capture"]["event_ids"]):
            for line in event.line_ids:
                self.assertGreaterEqual(event.event_time, made[line.lot_id], line.lot_name)

    def test_capturing_the_onward_shipments_again_stores_nothing(self):
        events = [
            self.env["udi.demo.trace"]._demo_shipping_event(
                distributor, hospital, self.pacemaker, serials, document
            )
            for distributor, hospital, serials, document in self.onward
        ]
        result = self.Event.capture(events)
        self.assertEqual(result["created"], 0)
        self.assertEqual(len(result["duplicates"]), 2)

    def test_chain_events_match_the_move_lines(self):
        result = self.Event.check_consistency()
        self.assertTrue(result["ok"], result)
