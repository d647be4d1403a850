"""The whole demo as bin/demo builds it: the demo data of the suite's addons, then this module's
(loaded here when the database was installed without demo data, as bin/test does), with
Simplified Chinese loaded; then finished as bin/demo finishes it once the server runs."""

import base64
import json
import subprocess

from odoo.tests import HttpCase, tagged
from odoo.tools import convert_file, mute_logger

from odoo.addons.udi_trace_demo.lib.finish_demo import FinishError, WebClient, finish

#: (module, demo file, a record it makes): the demo data bin/demo installs, in install order
DEMO_FILES = (
    ("udi_master", "demo/udi_master_demo.xml", "udi_master.product_pacemaker"),
    ("partner_portal", "demo/partner_portal_demo.xml", "partner_portal.user_pacific"),
    ("udi_trace_demo", "demo/audit_seal_demo.xml", "udi_trace_demo.demo_record_receipt"),
    ("udi_trace_demo", "demo/trace_demo.xml", "udi_trace_demo.demo_production_pacemaker_1"),
    ("udi_trace_demo", "demo/recall_demo.xml", "udi_trace_demo.demo_recall_cells"),
)


def load_demo(env):
    """Load the demo data that is not there yet, as an install with demo data does."""
    for module, path, xmlid in DEMO_FILES:
        if not env.ref(xmlid, raise_if_not_found=False):
            convert_file(env, module, path, {}, mode="init", noupdate=True)


def pdf_text(pdf):
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def pdf_fonts(pdf):
    return subprocess.run(
        ["pdffonts", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


class TestWebClient(WebClient):
    """finish_demo.py's client, its requests made through the test case (its test cursor)."""

    def __init__(self, case):
        super().__init__(case.base_url())
        self.case = case

    def post(self, path, payload):
        response = self.case.url_open(
            path,
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
            timeout=300,
        )
        return response.json()


@tagged("post_install", "-at_install")
class TestDemo(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # bin/demo loads Simplified Chinese: the demo's Chinese partners get it
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["recall_mgmt"], ["zh_CN"])
        load_demo(cls.env)
        cls.ref = cls.env.ref
        cls.pacemaker = cls.ref("udi_master.product_pacemaker").product_variant_id
        cls.campaigns = {
            name: cls.ref(f"udi_trace_demo.{name}")
            for name in ("demo_recall_labels", "demo_drill_catheter", "demo_recall_cells")
        }

    def _serial(self, name):
        return self.env["stock.lot"].search(
            [("product_id", "=", self.pacemaker.id), ("name", "=", name)]
        )

    # ------------------------------------------------------------------ what the demo holds

    def test_demo_holds_the_documented_recalls(self):
        notices = {
            name: sorted((notice.partner_id.name, notice.state) for notice in campaign.notice_ids)
            for name, campaign in self.campaigns.items()
        }
        self.assertEqual(
            {name: campaign.state for name, campaign in self.campaigns.items()},
            {
                "demo_recall_labels": "closed",
                "demo_drill_catheter": "closed",
                "demo_recall_cells": "notified",
            },
        )
        huadong = "Huadong Medical Distribution Co., Ltd."
        pacific = "Pacific MedSupply Pte. Ltd."
        ruijin = "Shanghai Ruijin Cardiology Hospital"
        suzhou = "Suzhou First People's Hospital"
        self.assertEqual(
            notices,
            {
                "demo_recall_labels": [(huadong, "completed"), (pacific, "completed")],
                "demo_drill_catheter": [(pacific, "completed"), (ruijin, "completed")],
                "demo_recall_cells": [
                    (huadong, "sent"),
                    (pacific, "sent"),
                    # Ruijin reported both pacemakers used, but they are implanted there: the
                    # notice completes once Ruijin reports on each patient (portal: ruijin)
                    (ruijin, "acknowledged"),
                    (suzhou, "sent"),
                ],
            },
        )
        suzhou_ticket = self.ref("udi_trace_demo.demo_ticket_battery_suzhou")
        self.assertEqual(suzhou_ticket.trace_lot_id, self._serial("PM200-251004"))

    def test_demo_sealed_records_are_in_the_verified_ledger(self):
        records = self.env["audit.seal.demo.record"].search([])
        self.assertEqual(len(records), 3)
        self.env["audit.seal.entry"]._seal_run_pending()
        self.assertEqual(set(records.mapped("seal_status")) - {"verified"}, {"sealed"})
        result = self.env["audit.seal.entry"].verify_chain()
        self.assertFalse(result["first_bad_seq"], result)

    def test_trace_from_the_lithium_cell_lot_reaches_both_hospitals(self):
        cells = self.ref("udi_master.lot_cells_a")
        result = self.env["trace.event"].trace_forward(cells.ids)
        # (Ruijin holds none any more: it reported both pacemakers implanted in the recall)
        hospitals = {
            holder["partner_id"]
            for holder in result["holders"]
            if holder["holder_type"] == "partner" and holder["received_quantity"] > 0
        }
        self.assertLessEqual(
            {
                self.ref("udi_master.partner_hospital_ruijin").id,
                self.ref("udi_master.partner_hospital_suzhou").id,
            },
            hospitals,
        )
        reached = {row["lot_name"] for row in result["lots"]}
        self.assertLessEqual({f"PM200-25100{i}" for i in range(1, 7)}, reached)

    def test_ruijin_reported_both_pacemakers_of_the_recalled_cell_lot_implanted(self):
        implants = self.env["implant.record"].search(
            [("lot_id.name", "in", ["PM200-251001", "PM200-251002"])]
        )
        self.assertEqual(sorted(implants.mapped("lot_id.name")), ["PM200-251001", "PM200-251002"])
        self.assertEqual(implants.facility_id, self.ref("udi_master.partner_hospital_ruijin"))
        self.assertEqual(set(implants.mapped("state")), {"implanted"})
        # the administrator is no Patient Data Reader: the demo's patient ids stay masked
        self.assertFalse(
            {"RJ-CARD-2025-1187", "RJ-CARD-2025-1203"} & set(implants.mapped("patient_ref"))
        )

    def test_odoo_may_still_delete_every_repair_order(self):
        """Odoo's own TestRepair.test_search_date_category deletes every repair order first: a
        completed repair cannot be deleted (nor cancelled), so the demo leaves none."""
        self.env["repair.order"].search([]).unlink()
        self.assertFalse(self.env["repair.order"].search([]))

    def test_clerk_ends_the_demo_repair_and_the_new_cell_lot_reaches_the_pacemaker(self):
        repair = self.ref("udi_trace_demo.demo_repair_pacemaker")
        serial = self._serial("PM200-251003")
        new_cells = self.env["stock.lot"].search([("name", "=", "LI2510-203")])
        self.assertEqual((repair.state, repair.lot_id), ("under_repair", serial))
        lots = self.env["trace.event"].trace_forward(new_cells.ids)["lots"]
        self.assertNotIn(serial.id, [row["lot_id"] for row in lots], "not fitted yet")
        self.authenticate("clerk", "clerk")
        self.make_jsonrpc_request(
            "/web/dataset/call_button/repair.order/action_repair_end",
            {
                "model": "repair.order",
                "method": "action_repair_end",
                "args": [repair.ids],
                "kwargs": {"context": {}},
            },
        )
        self.env.invalidate_all()
        self.assertEqual(repair.state, "done")
        result = self.env["trace.event"].trace_forward(new_cells.ids)
        self.assertIn(serial.id, [row["lot_id"] for row in result["lots"]])

    def test_installation_ticket_records_the_pacemaker_installed_at_ruijin(self):
        ticket = self.ref("udi_trace_demo.demo_ticket_installation_ruijin")
        event = ticket.trace_event_ids
        self.assertEqual(event.biz_step, "installing")
        self.assertEqual(event.dest_partner_id, self.ref("udi_master.partner_hospital_ruijin"))
        self.assertEqual(event.line_ids.lot_id, self._serial("PM200-251001"))

    def test_demo_histories_match_the_move_lines(self):
        result = self.env["trace.event"].check_consistency()
        self.assertTrue(result["ok"], result)

    def test_scenarios_run_once(self):
        counts = [self.env[model].search_count([]) for model in ("trace.event", "recall.campaign")]
        self.assertFalse(self.env["udi.demo.trace"]._demo_scenario())
        self.assertFalse(self.env["udi.demo.recall"]._demo_scenario())
        self.assertEqual(
            [self.env[model].search_count([]) for model in ("trace.event", "recall.campaign")],
            counts,
        )

    # ------------------------------------------------------------------ finishing it

    def _mailed_notices(self):
        notices = self.env["recall.notice"].browse()
        for campaign in self.campaigns.values():
            notices |= campaign.notice_ids.filtered("notice_message_id")
        return notices

    def _pdfs(self, notice):
        return notice.notice_message_id.attachment_ids.filtered(
            lambda attachment: attachment.mimetype == "application/pdf"
        )

    def _finish(self, login="admin", password="admin"):
        """Finish the demo as bin/demo does (finish_demo.py, the web client's routes)."""
        try:
            return finish(TestWebClient(self), self.env.cr.dbname, login, password)
        finally:
            self.env.invalidate_all()

    def test_finishing_attaches_each_mailed_notice_its_pdf_once(self):
        notices = self._mailed_notices()
        self.assertEqual(len(notices), 4, "the notices of the two recalls mailed to distributors")
        self.assertFalse(notices.notice_message_id.attachment_ids, "no PDF while installing")
        self.assertEqual(self._finish(), {"notice_pdfs": 4})
        for notice in notices:
            pdf = self._pdfs(notice)
            self.assertEqual(len(pdf), 1, notice.name)
            # named as the template names it, in the notice's language
            self.assertTrue(pdf.name.endswith(f" {notice.name.replace('/', '-')}.pdf"), pdf.name)
        self.assertEqual(self._finish(), {"notice_pdfs": 0})

    def test_finished_chinese_notice_pdf_is_complete(self):
        notice = self.campaigns["demo_recall_cells"].notice_ids.filtered(
            lambda n: n.partner_id == self.ref("udi_master.partner_distributor_huadong")
        )
        self.assertEqual(notice.lang, "zh_CN")
        self._finish()
        pdf = base64.b64decode(self._pdfs(notice).datas)
        text = pdf_text(pdf)
        self.assertIn("紧急：医疗器械召回", text, "no Chinese (CJK fonts missing?)")
        self.assertIn("已交付贵单位的受影响器械", text)
        # the devices, in the report's monospace font (wkhtmltopdf draws the Lato text of the
        # style sheets as shapes: pdftotext cannot read it)
        for serial in ("PM200-251001", "PM200-251002", "PM200-251003"):
            self.assertIn(serial, text)
        self.assertIn("06901234500011", text)  # the pacemaker's UDI-DI
        # the style sheets were served: without them wkhtmltopdf falls back to a serif font
        self.assertNotIn("DejaVuSerif", pdf_fonts(pdf))

    def test_only_an_administrator_may_finish_the_demo(self):
        with (
            mute_logger("odoo.http"),
            self.assertRaisesRegex(FinishError, "Only an administrator"),
        ):
            self._finish("qm", "qm")
        self.assertFalse(self._mailed_notices().notice_message_id.attachment_ids)
