"""The demo's incoming inspection: built through the receipt and the signature dialog."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInspectionScenario(TransactionCase):
    def test_one_lot_released_and_one_rejected_with_its_nonconformity(self):
        released = self.env.ref("udi_trace_demo.demo_inspection_released")
        rejected = self.env.ref("udi_trace_demo.demo_inspection_rejected")
        self.assertEqual(released.state, "released")
        self.assertEqual(rejected.state, "rejected")
        signatures = (released | rejected).mapped("signature_id")
        self.assertEqual(len(signatures), 2)
        self.assertFalse(
            any("demo data" in text for text in signatures.mapped("meaning_text")),
            "signed through the dialog with the quality manager's password",
        )
        self.assertTrue(rejected.nonconformity_id)
        self.assertEqual(rejected.nonconformity_id.udi_product_id, rejected.product_id)
        stock = self.env.ref("stock.warehouse0").lot_stock_id
        quants = self.env["stock.quant"].search(
            [("lot_id", "=", released.lot_id.id), ("location_id", "child_of", stock.id)]
        )
        self.assertEqual(sum(quants.mapped("quantity")), 40)
        self.assertTrue(self.env.ref("stock.warehouse0").udi_incoming_inspection)
