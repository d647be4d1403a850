from odoo.tests import tagged

from odoo.addons.implant_registry.tests.common import ImplantCommon


@tagged("post_install", "-at_install")
class TestDemoBuilder(ImplantCommon):
    def test_demo_builder_records_implants_and_an_explant_through_the_flows(self):
        template = self.env["product.template"].create(
            {
                "name": "Demo pacemaker",
                "is_storable": True,
                "tracking": "serial",
                "udi_regulated": True,
                "udi_pi_serial": True,
                "udi_di_ids": [(0, 0, {"di": "06901234500028", "packaging_level": "base"})],
            }
        )
        records = self.env["udi.demo.implant"]._demo_build(
            template, {"shanghai": self.hospital, "us": self.us_hospital}
        )
        self.assertTrue(template.implant_tracked)
        implants = records.filtered(lambda r: r.event_type == "implant")
        self.assertEqual(len(implants), 4)
        self.assertEqual(implants.facility_id, self.hospital | self.us_hospital)
        explant = records - implants
        self.assertEqual(explant.lot_id.name, "PM200-IR0003")
        self.assertEqual(explant.implant_id.state, "explanted")
        self.assertTrue(all(records.trace_event_id))
        self.assertEqual(set(records.mapped("source")), {"staff"})
        self.assertEqual(
            implants.with_user(self.reader)
            .filtered(lambda r: r.lot_id.name == "PM200-IR0001")
            .patient_ref,
            "RJ-CARD-2026-0417",
        )
        rows = self.env["implant.tracking.line"]._implant_tracking_rows(
            template.product_variant_ids.ids
        )
        self.assertEqual(
            sorted(r["status"] for r in rows), ["explanted", "implanted", "implanted", "implanted"]
        )
        # a second run adds nothing
        self.assertFalse(
            self.env["udi.demo.implant"]._demo_build(
                template, {"shanghai": self.hospital, "us": self.us_hospital}
            )
        )
