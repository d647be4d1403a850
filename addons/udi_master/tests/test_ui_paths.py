"""UDI labels and lots as a Traceability User reaches them in the web client."""

import io
import json
import subprocess
import tempfile
from urllib.parse import quote

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.pdf import PdfFileReader
from odoo.tools.safe_eval import safe_eval

from .common import UdiCommon


def report_url(action, converter="pdf"):
    """The URL the web client builds for a report action (web/.../reports/utils.js)."""
    url = f"/report/{converter}/{action['report_name']}"
    if action.get("data"):
        options = quote(json.dumps(action["data"]))
        context = quote(json.dumps(action.get("context") or {}))
        return f"{url}?options={options}&context={context}"
    return url + "/" + ",".join(str(i) for i in action["context"]["active_ids"])


def pdf_pages_text(pdf):
    """The text of each page of ``pdf`` (pdftotext, pages separated by form feeds)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        text = subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True, text=True
        ).stdout
    return text.split("\f")[:-1]


@tagged("post_install", "-at_install")
class TestLabelUiPaths(UdiCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lot = cls._lot(cls.catheter_variant, "CVUI25A", expiry=cls._date(400))
        cls.serial = cls._lot(cls.implant.product_variant_id, "PMUI-0042")
        cls.user = new_test_user(
            cls.env,
            login="label_clerk",
            password="label_clerk",
            groups="udi_master.group_trace_user",
        )

    def call_kw(self, model, method, args, kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )

    def print_labels(self, vals, context):
        """Save the wizard's form, press Print, download the PDF as the web client does."""
        [wizard] = self.call_kw(
            "udi.label.wizard", "web_save", [[], vals], {"specification": {}, "context": context}
        )
        action = self.make_jsonrpc_request(
            "/web/dataset/call_button/udi.label.wizard/action_print",
            {
                "model": "udi.label.wizard",
                "method": "action_print",
                "args": [[wizard["id"]]],
                "kwargs": {"context": context},
            },
        )
        self.assertEqual(action["type"], "ir.actions.report")
        url = report_url(action)
        response = self.url_open(
            "/report/download?"
            + "&".join(
                (
                    "data=" + quote(json.dumps([url, action["report_type"]])),
                    # the user's context; under test, Odoo renders HTML unless told to make a PDF
                    "context=" + quote(json.dumps({**context, "force_report_rendering": True})),
                )
            ),
            timeout=120,
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        return response.content

    def assert_labels(self, pdf, expected):
        """One page per label, in order; each page names its lot or serial."""
        self.assertEqual(len(PdfFileReader(io.BytesIO(pdf)).pages), len(expected))
        pages = pdf_pages_text(pdf)
        self.assertEqual(len(pages), len(expected))
        for page, name in zip(pages, expected, strict=True):
            self.assertIn(name, page)

    def test_udi_tools_menu_prints_the_chosen_lots(self):
        self.authenticate("label_clerk", "label_clerk")
        pdf = self.print_labels(
            {"lot_ids": [[6, 0, (self.lot | self.serial).ids]], "copies": 2, "layout": "thermal"},
            {"lang": "en_US"},
        )
        self.assert_labels(pdf, ["CVUI25A", "CVUI25A", "PMUI-0042", "PMUI-0042"])

    def test_lot_action_menu_prints_the_selected_lots(self):
        self.authenticate("label_clerk", "label_clerk")
        lots = self.lot | self.serial
        pdf = self.print_labels(
            {"copies": 1, "layout": "thermal", "with_qr": True},
            {
                "lang": "en_US",
                "active_model": "stock.lot",
                "active_ids": lots.ids,
                "active_id": lots[0].id,
            },
        )
        self.assert_labels(pdf, ["CVUI25A", "PMUI-0042"])


@tagged("post_install", "-at_install")
class TestLotsMenu(UdiCommon, HttpCase):
    def test_lots_menu_lists_component_lots_of_unregulated_products(self):
        """Traceability > Master Data > Lots / Serials finds every traced lot: a component lot
        (a battery cell, lot-tracked, not a regulated device) as well as device lots."""
        cell = self.env["product.product"].create(
            {"name": "Li-ion cell 3.7 V", "is_storable": True, "tracking": "lot"}
        )
        component = self._lot(cell, "LI2504-117")
        device = self._lot(self.catheter_variant, "CVMENU1", expiry=self._date(300))
        new_test_user(
            self.env,
            login="lots_clerk",
            password="lots_clerk",
            groups="udi_master.group_trace_user",
        )
        self.authenticate("lots_clerk", "lots_clerk")
        action = self.make_jsonrpc_request(
            "/web/action/load", {"action_id": "udi_master.stock_lot_action_udi"}
        )
        domain = action.get("domain") or []
        if isinstance(domain, str):
            domain = safe_eval(domain, {"uid": self.session.uid, "context": {}})
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw/stock.lot/web_search_read",
            {
                "model": "stock.lot",
                "method": "web_search_read",
                "args": [],
                "kwargs": {
                    "specification": {"name": {}, "product_id": {"fields": {"display_name": {}}}},
                    "domain": domain + [("name", "in", ["LI2504-117", "CVMENU1"])],
                    "context": {"lang": "en_US"},
                },
            },
        )
        self.assertEqual({record["id"] for record in result["records"]}, {component.id, device.id})
