"""The demo's incoming inspection, built here through the receipt and the signature dialog (CI
installs without demo data)."""

from odoo import fields
from odoo.tests import tagged

from odoo.addons.audit_seal.tools.workflow import workflow_writes
from odoo.addons.udi_inspection.tests.common import INSPECTOR_PASSWORD, InspectionCommon


@tagged("post_install", "-at_install")
class TestInspectionScenario(InspectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.records = cls.env["udi.demo.inspection"]._demo_build(
            cls.catheter, cls.clerk, cls.inspector, INSPECTOR_PASSWORD
        )

    def test_one_lot_released_and_one_rejected_with_its_nonconformity(self):
        released = self.records["demo_inspection_released"]
        rejected = self.records["demo_inspection_rejected"]
        self.assertEqual((released.state, rejected.state), ("released", "rejected"))
        signatures = (released | rejected).signature_id
        self.assertEqual(signatures.user_id, self.inspector)
        self.assertFalse(
            any("demo data" in text for text in signatures.mapped("meaning_text")),
            "signed through the dialog with the signer's password",
        )
        self.assertEqual(rejected.nonconformity_id.udi_product_id, rejected.product_id)
        quants = self.env["stock.quant"].search(
            [
                ("lot_id", "=", released.lot_id.id),
                ("location_id", "child_of", self.warehouse.lot_stock_id.id),
            ]
        )
        self.assertEqual(sum(quants.mapped("quantity")), 40)
        self.assertEqual(len(self.records["demo_receipt_catheters"].udi_inspection_ids), 2)

    def test_inspection_settings_of_a_published_device_open_no_submission_task(self):
        """The minimum shelf life and the registration expiry that incoming inspection adds are
        the company's data, not part of a UDI database record (udi_change_control)."""
        base = self.catheter.udi_di_ids.filtered(lambda di: di.packaging_level == "base")
        with workflow_writes():  # approved: the signature dialog is udi_change_control's test
            base.state = "approved"
        base._udi_publish("nmpa", fields.Date.today())
        self.catheter.write(
            {"udi_min_shelf_life_days": 400, "udi_registration_expiry": "2031-01-31"}
        )
        self.assertFalse(base.submission_ids)
        self.catheter.write({"udi_description": "Triple-lumen central venous catheter kit"})
        self.assertEqual(base.submission_ids.mapped("database"), ["nmpa"])
