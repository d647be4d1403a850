from odoo.tests import tagged

from .common import InspectionCommon


@tagged("post_install", "-at_install")
class TestInspectionEvents(InspectionCommon):
    """Each step is a sealed EPCIS event with its CBV business step and disposition."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receipt, cls.inspections = cls._receive_two_lots()
        cls.inspection_a, cls.inspection_b = cls.inspections

    def test_receiving_into_inspection_is_not_sellable_yet(self):
        event = self.Event.search([("picking_id", "=", self.receipt.id)])
        self.assertEqual(len(event), 1)
        self.assertEqual((event.biz_step, event.disposition), ("receiving", "non_sellable_other"))
        self.assertEqual(event.biz_location_id, self.input_location)
        self.assertEqual(set(event.line_ids.mapped("lot_name")), {"IQC-A", "IQC-B"})

    def test_release_is_an_inspecting_event_to_active_stock(self):
        self._record_manual(self.inspection_a)
        self._sign(self.inspection_a, "release")
        events = self.inspection_a.event_ids.filtered(
            lambda e: e.move_id in self.inspection_a.release_move_ids
        )
        self.assertEqual(len(events), 1)
        self.assertEqual(
            (events.biz_step, events.disposition, events.action),
            ("inspecting", "active", "observe"),
        )
        self.assertEqual(events.biz_location_id, self.stock_location)
        self.assertEqual(events.line_ids.lot_name, "IQC-A")
        self.assertEqual(events.line_ids.quantity, 30)

    def test_rejection_is_an_observation_with_non_conformant_disposition(self):
        self._sign(self.inspection_b, "reject", reason="Label illegible")
        event = self.inspection_b.decision_event_id
        self.assertEqual(
            (event.event_type, event.action, event.biz_step, event.disposition),
            ("object", "observe", "inspecting", "non_conformant"),
        )
        self.assertEqual(event.origin, "inspection")
        self.assertEqual(event.read_point_id, self.input_location)
        self.assertEqual((event.line_ids.lot_name, event.line_ids.quantity), ("IQC-B", 20))
        self.env["audit.seal.entry"]._seal_run_pending()
        self.assertIn(event.seal_status, ("sealed", "verified"))
