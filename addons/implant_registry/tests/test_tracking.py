import base64
import io

import openpyxl

from odoo.tests import tagged

from .common import ImplantCommon, gs1


@tagged("post_install", "-at_install")
class TestTrackingReport(ImplantCommon):
    """Every unit of the tracked pacemaker in each place the report knows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.implanted = cls._implant("PM-T001", day="2026-11-20")
        cls._implant("PM-T002", day="2026-10-01")
        cls.Record.with_user(cls.staff).record_explant(
            gs1(cls.di, "PM-T002"), cls.hospital.id, "2026-11-25"
        )
        # PM-T003 stays at the hospital; PM-T004 comes back from it
        cls._transfer(
            cls.env.ref("stock.picking_type_in"),
            cls.hospital,
            cls.customer_location,
            cls.stock_location,
            [(cls.pacemaker, cls.units["PM-T004"], 1)],
        )
        # PM-T005 at the distributor, PM-T006 in stock, PM-T007 scrapped
        cls._receive([(cls.pacemaker, "PM-T007", 1)])
        cls.units["PM-T007"] = cls._lot_named(cls.pacemaker, "PM-T007")
        scrap = cls.env["stock.scrap"].create(
            {
                "product_id": cls.pacemaker.id,
                "lot_id": cls.units["PM-T007"].id,
                "scrap_qty": 1,
                "location_id": cls.stock_location.id,
            }
        )
        scrap.action_validate()
        cls.expected = {
            "PM-T001": ("implanted", cls.hospital),
            "PM-T002": ("explanted", cls.hospital),
            "PM-T003": ("at_facility", cls.hospital),
            "PM-T004": ("returned", None),
            "PM-T005": ("at_distributor", cls.distributor),
            "PM-T006": ("in_stock", None),
            "PM-T007": ("destroyed", None),
        }

    def test_every_unit_is_placed(self):
        rows = (
            self.env["implant.tracking.line"]
            .with_user(self.staff)
            ._implant_tracking_rows(self.pacemaker.ids)
        )
        found = {r["name"]: r for r in rows}
        self.assertEqual(
            {n: r["status"] for n, r in found.items()},
            {n: s for n, (s, _p) in self.expected.items()},
        )
        self.assertEqual(found["PM-T001"]["facility_id"], self.hospital.id)
        self.assertEqual(str(found["PM-T001"]["implant_date"]), "2026-11-20")
        self.assertEqual(str(found["PM-T002"]["status_date"]), "2026-11-25")
        self.assertEqual(found["PM-T005"]["holder_id"], self.distributor.id)
        self.assertEqual(found["PM-T006"]["location_id"], self.stock_location.id)
        self.assertEqual(found["PM-T001"]["patient_token"], self.implanted.patient_token)
        self.assertTrue(all(r["status_date"] for r in rows))

    def test_list_view_reads_the_same_rows_per_company(self):
        Lines = self.env["implant.tracking.line"].with_user(self.staff)
        lines = Lines.search([("product_id", "=", self.pacemaker.id)])
        self.assertEqual(
            {line.lot_id.name: line.status for line in lines},
            {n: s for n, (s, _p) in self.expected.items()},
        )
        groups = Lines.formatted_read_group(
            [("product_id", "=", self.pacemaker.id)], ["status"], ["__count"]
        )
        self.assertEqual(sum(g["__count"] for g in groups), 7)
        other = self.env["implant.tracking.line"].with_user(self.other_user)
        self.assertFalse(other.search([("product_id", "=", self.pacemaker.id)]))
        self.assertFalse(other._implant_tracking_rows(self.pacemaker.ids))

    def test_xlsx_report_lists_every_unit(self):
        action = self.implant.with_user(self.staff).action_implant_tracking_xlsx()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/")[3].split("?")[0])
        )
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        values = [row for row in book.active.iter_rows(min_row=4, values_only=True)]
        self.assertEqual(sorted(v[1] for v in values), sorted(self.expected))
        implanted = next(v for v in values if v[1] == "PM-T001")
        self.assertEqual(implanted[2], "Implanted")
        self.assertEqual(implanted[4], self.hospital.display_name)
        self.assertEqual(implanted[6], self.implanted.patient_token)

    def test_button_opens_the_list_of_the_device(self):
        action = self.implant.with_user(self.staff).action_implant_tracking()
        self.assertEqual(action["res_model"], "implant.tracking.line")
        self.assertEqual(action["domain"], [("product_tmpl_id", "in", self.implant.ids)])
