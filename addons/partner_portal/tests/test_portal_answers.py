"""A distributor answers its notice in the portal: what works, and what bad input does."""

import datetime

from odoo.tests import tagged

from .common import PortalCommon

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@tagged("post_install", "-at_install")
class TestPortalAnswers(PortalCommon):
    def setUp(self):
        super().setUp()
        self.authenticate("dist_a", "dist-a-password")
        self.url = f"/my/recalls/{self.notice_a.id}"

    def _acknowledge(self):
        return self._post(f"{self.url}/acknowledge",
                          {"password": "dist-a-password", "confirm": "on"})

    def _report(self, **quantities):
        data = {f"{key}-{self.lot.id}": value for key, value in quantities.items()}
        return self._post(f"{self.url}/report", data)

    # ------------------------------------------------------------------ acknowledgement

    def test_acknowledge_signs_as_the_portal_user(self):
        response = self._acknowledge()
        self.assertEqual(response.status_code, 303)
        self.assertIn("message=acknowledged", response.headers["Location"])
        self.assertEqual(self.notice_a.state, "acknowledged")
        ack = self.notice_a.response_ids.filtered(lambda r: r.kind == "acknowledgement")
        self.assertEqual(ack.channel, "portal")
        self.assertEqual(ack.create_uid, self.user_a)
        self.assertEqual(ack.signature_id.user_id, self.user_a)
        self.assertEqual(ack.signature_id.meaning, "acknowledge")
        self.assertEqual(self.notice_a.acknowledged_by, "Zhang Min")

    def test_acknowledge_moves_campaign_dashboard(self):
        self._acknowledge()
        self.assertEqual(self.campaign.acknowledged_count, 1)

    def test_acknowledge_with_wrong_password_changes_nothing(self):
        before = self._snapshot()
        response = self._post(f"{self.url}/acknowledge",
                              {"password": "guess", "confirm": "on"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Wrong password", response.text)
        self.assertEqual(self._snapshot(), before)

    def test_acknowledge_needs_the_confirmation_box(self):
        before = self._snapshot()
        response = self._post(f"{self.url}/acknowledge", {"password": "dist-a-password"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Tick the box", response.text)
        self.assertEqual(self._snapshot(), before)

    def test_acknowledgement_cannot_be_signed_again(self):
        self._acknowledge()
        before = self._snapshot()
        response = self._acknowledge()
        self.assertEqual(response.status_code, 400)
        self.assertIn("cannot be changed", response.text)
        self.assertEqual(self._snapshot(), before)

    def test_page_shows_signer_and_meaning(self):
        response = self.url_open(self.url)
        self.assertIn("o_recall_acknowledge_form", response.text)
        self.assertIn("Zhang Min", response.text)
        self.assertIn("Acknowledgement of the recall notice", response.text)
        self.assertIn("Hub cracks under pressure", response.text)

    # ------------------------------------------------------------------ quantities

    def test_report_records_quantities_and_located_units(self):
        self._acknowledge()
        response = self._report(qty_on_hand="10", qty_used="5", qty_destroyed="15")
        self.assertEqual(response.status_code, 303)
        report = self.notice_a.response_ids.filtered(lambda r: r.kind == "quantities")
        self.assertEqual((report.qty_on_hand, report.qty_used, report.qty_destroyed),
                         (10, 5, 15))
        self.assertEqual(report.create_uid, self.user_a)
        self.assertEqual(self.campaign.units_located, 30)
        self.assertEqual(self.notice_a.state, "completed")

    def test_report_before_acknowledgement_refused(self):
        before = self._snapshot()
        response = self._report(qty_on_hand="10")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Acknowledge", response.text)
        self.assertEqual(self._snapshot(), before)

    def test_report_bad_quantities_change_nothing(self):
        self._acknowledge()
        before = self._snapshot()
        cases = {
            "negative": ({"qty_on_hand": "-3"}, "cannot be negative"),
            "not a number": ({"qty_on_hand": "ten"}, "is not a number"),
            "infinite": ({"qty_used": "inf"}, "is not a number"),
            "more than shipped": ({"qty_on_hand": "20", "qty_used": "11"}, "only 30"),
        }
        for case, (quantities, message) in cases.items():
            response = self._report(**quantities)
            self.assertEqual(response.status_code, 400, case)
            self.assertIn(message, response.text, case)
            self.assertIn("Nothing was changed", response.text, case)
        self.assertEqual(self._snapshot(), before)

    def test_report_unknown_lot_changes_nothing(self):
        self._acknowledge()
        before = self._snapshot()
        response = self._post(f"{self.url}/report", {
            f"qty_on_hand-{self.lot_b.id}": "1", f"qty_on_hand-{self.lot.id}": "2",
        })
        self.assertEqual(response.status_code, 400)
        self.assertIn("not in this notice", response.text)
        self.assertNotIn("PCF7731X", response.text)
        self.assertEqual(self._snapshot(), before)

    def test_report_note_with_script_is_shown_as_text(self):
        self._acknowledge()
        self._post(f"{self.url}/report", {
            f"qty_on_hand-{self.lot.id}": "30", "note": "<script>alert('x')</script>",
        })
        response = self.url_open(self.url)
        self.assertNotIn("<script>alert('x')</script>", response.text)
        self.assertIn("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", response.text)

    def test_report_csv_records_rows(self):
        self._acknowledge()
        content = b"lot,on_hand,used,returned,destroyed\nRC-L1,4,6,0,20\n"
        response = self._post(f"{self.url}/report_csv", {},
                              files={"report_file": ("units.csv", content, "text/csv")})
        self.assertEqual(response.status_code, 303)
        report = self.notice_a.response_ids.filtered(lambda r: r.kind == "quantities")
        self.assertEqual(report.qty_destroyed, 20)

    def test_report_csv_with_unknown_lot_changes_nothing(self):
        self._acknowledge()
        before = self._snapshot()
        content = b"lot,on_hand,used,returned,destroyed\nRC-L1,4,0,0,0\nNOPE-1,1,0,0,0\n"
        response = self._post(f"{self.url}/report_csv", {},
                              files={"report_file": ("units.csv", content, "text/csv")})
        self.assertEqual(response.status_code, 400)
        self.assertIn("NOPE-1 is not in this notice", response.text)
        self.assertEqual(self._snapshot(), before)

    def test_units_csv_lists_own_units(self):
        response = self.url_open(f"{self.url}/units.csv")
        self.assertEqual(response.status_code, 200)
        self.assertIn("RC-L1", response.text)
        self.assertNotIn("PCF7731X", response.text)

    # ------------------------------------------------------------------ evidence

    def test_evidence_pdf_is_attached_to_a_response(self):
        self._acknowledge()
        response = self._post(f"{self.url}/evidence", {"note": "Destroyed on site"},
                              files={"files": ("certificate.pdf", PDF, "application/pdf")})
        self.assertEqual(response.status_code, 303)
        note = self.notice_a.response_ids.filtered(lambda r: r.kind == "note")
        self.assertEqual(note.attachment_ids.name, "certificate.pdf")
        self.assertEqual(note.attachment_ids.res_model, "recall.response")
        download = self.url_open(f"{self.url}/evidence/{note.attachment_ids.id}")
        self.assertEqual(download.content, PDF)

    def test_evidence_of_other_type_refused(self):
        self._acknowledge()
        before = self._snapshot()
        for name, content in (
            ("page.html", b"<html><script>alert(1)</script></html>"),
            ("fake.pdf", b"MZ\x90\x00 not a pdf"),
            ("tool.exe", b"MZ\x90\x00"),
        ):
            response = self._post(f"{self.url}/evidence", {},
                                  files={"files": (name, content, "application/pdf")})
            self.assertEqual(response.status_code, 400, name)
            self.assertIn("is not a PDF, PNG or JPEG file", response.text, name)
        self.assertEqual(self._snapshot(), before)

    def test_evidence_over_size_limit_refused(self):
        self._acknowledge()
        self.env["ir.config_parameter"].set_param("partner_portal.evidence_max_mb", "0.1")
        before = self._snapshot()
        big = PDF + b"0" * (200 * 1024)
        response = self._post(f"{self.url}/evidence", {},
                              files={"files": ("big.pdf", big, "application/pdf")})
        self.assertEqual(response.status_code, 400)
        self.assertIn("more than the 0.1 MB allowed", response.text)
        self.assertEqual(self._snapshot(), before)

    # ------------------------------------------------------------------ returns

    def test_return_request_creates_draft_return(self):
        self._acknowledge()
        response = self._post(f"{self.url}/return", {"note": "Dock 3, 9-17h"})
        self.assertEqual(response.status_code, 303)
        picking = self.notice_a.return_picking_ids
        self.assertEqual(picking.state, "draft")
        self.assertTrue(picking.recall_portal_requested)
        self.assertEqual(picking.partner_id, self.distributor)
        self.assertEqual(picking.move_ids.product_uom_qty, 30)
        self.assertTrue(picking.activity_ids)

    def test_second_return_request_refused(self):
        self._acknowledge()
        self._post(f"{self.url}/return", {})
        before = self._snapshot()
        response = self._post(f"{self.url}/return", {})
        self.assertEqual(response.status_code, 400)
        self.assertIn("is waiting for us already", response.text)
        self.assertEqual(self._snapshot(), before)

    # ------------------------------------------------------------------ onward consignees

    def _onward(self, **row):
        values = {"name": "Hangzhou First Hospital", "lot": "RC-L1", "quantity": "5",
                  "date": datetime.date.today().isoformat(), **row}
        return self._post(f"{self.url}/onward",
                          {f"onward_{key}_0": value for key, value in values.items()})

    def test_onward_shipment_reaches_the_hospital(self):
        self._acknowledge()
        response = self._onward(gln="6901234000078", document="DN-778")
        self.assertEqual(response.status_code, 303)
        onward = self.notice_a.response_ids.filtered(lambda r: r.kind == "onward")
        hospital = onward.onward_partner_id
        self.assertEqual(hospital.name, "Hangzhou First Hospital")
        self.assertEqual(hospital.udi_gln, "6901234000078")
        self.assertIn(self.env.ref("udi_master.partner_role_healthcare"), hospital.udi_role_ids)
        event = onward.onward_event_id
        self.assertEqual((event.origin, event.biz_step), ("capture", "shipping"))
        self.assertEqual(event.source_partner_id, self.distributor)
        self.assertEqual(event.dest_partner_id, hospital)
        self.assertEqual(event.line_ids.quantity, 5)
        self.assertEqual(event.biz_transaction, "DN-778")
        notice = self.campaign.notice_ids.filtered(lambda n: n.partner_id == hospital)
        self.assertEqual(notice.state, "draft")
        self.assertEqual(notice.line_ids.received_quantity, 5)
        line_a = self.notice_a.line_ids
        self.assertEqual(line_a.quantity, 25)

    def test_onward_without_gln_is_captured_with_a_local_party(self):
        self._acknowledge()
        response = self._onward(name="Clinic Without GLN")
        self.assertEqual(response.status_code, 303)
        onward = self.notice_a.response_ids.filtered(lambda r: r.kind == "onward")
        self.assertFalse(onward.onward_partner_id.udi_gln)
        self.assertEqual(onward.onward_event_id.dest_partner_id, onward.onward_partner_id)

    def test_onward_bad_rows_change_nothing(self):
        self._acknowledge()
        before = self._snapshot()
        tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
        cases = {
            "unknown lot": ({"lot": "PCF7731X"}, "is not in this notice"),
            "more than held": ({"quantity": "31"}, "you hold 30 of it now"),
            "negative": ({"quantity": "-1"}, "must be a number above 0"),
            "future": ({"date": tomorrow}, "is in the future"),
            "bad date": ({"date": "31/02/2026"}, "is not a date"),
            "bad GLN": ({"gln": "6901234000079"}, "GLN"),
            "own GLN": ({"gln": "6901234000009"}, "is yours or ours"),
            "no name": ({"name": ""}, "give the name of the consignee"),
        }
        for case, (row, message) in cases.items():
            response = self._onward(**row)
            self.assertEqual(response.status_code, 400, case)
            self.assertIn(message, response.text, case)
        self.assertEqual(self._snapshot(), before)

    def test_onward_name_with_markup_is_shown_as_text(self):
        self._acknowledge()
        self._onward(name="<img src=x onerror=alert(1)>")
        response = self.url_open(self.url)
        self.assertNotIn("<img src=x onerror=alert(1)>", response.text)
        self.assertIn("&lt;img src=x onerror=alert(1)&gt;", response.text)
        activity = self.campaign.activity_ids
        self.assertNotIn("<img", activity.note)
