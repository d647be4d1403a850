from lxml import etree

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.udi_master.tests.json2 import api_key, post_json2

from .common import INSPECTOR_PASSWORD, InspectionCommon


class ButtonError(Exception):
    """The error a button call returned to the web client."""


@tagged("post_install", "-at_install")
class TestInspectionOverHttp(InspectionCommon, HttpCase):
    """The paths people take: the form's buttons as the web client calls them, JSON-2 as an
    integrator calls it, and a user of the second company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receipt, cls.inspections = cls._receive_two_lots()
        cls.inspection_a, cls.inspection_b = cls.inspections
        cls.lot_a = cls._lot_named(cls.catheter_variant, "IQC-A")
        cls.other_company = cls.env["res.company"].create({"name": "Pacific MedSupply Ltd."})
        cls.other_user = new_test_user(
            cls.env,
            "iqc_other",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
            groups="base.group_user,stock.group_stock_user,udi_inspection.group_udi_inspector",
        )

    def _call_button(self, model, method, ids, context=None):
        """Call a button as the web client does; an error comes back as ButtonError with the
        message the user sees."""
        response = self.opener.post(
            f"{self.base_url()}/web/dataset/call_button/{model}/{method}",
            json={
                "id": 0,
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "model": model,
                    "method": method,
                    "args": [ids],
                    "kwargs": {"context": context or {}},
                },
            },
            timeout=30,
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            raise ButtonError(body["error"]["data"]["message"])
        return body.get("result")

    def test_inspector_releases_through_the_form_buttons(self):
        self.authenticate("iqc_clerk", "iqc_clerk")
        self._attach_certificate(self.inspection_a)
        manual = self.inspection_a.check_ids.filtered(lambda c: not c.automatic)
        self._call_button("udi.inspection.check", "action_pass", manual.ids)
        self.assertEqual(set(manual.mapped("result")), {"pass"})
        self.assertEqual(manual.user_id, self.clerk)
        self.authenticate("iqc_inspector", INSPECTOR_PASSWORD)
        action = self._call_button("udi.inspection", "action_release", self.inspection_a.ids)
        self.assertEqual(action["res_model"], "udi.inspection.sign.wizard")
        self._call_button(
            "udi.inspection.sign.wizard",
            "action_sign",
            [action["res_id"]],
            {"signature_password": INSPECTOR_PASSWORD},
        )
        self.assertEqual(self.inspection_a.state, "released")
        self.assertEqual(self._quant_qty(self.lot_a, self.stock_location), 30)

    @mute_logger("odoo.http")
    def test_clerk_cannot_release_through_the_button(self):
        self.authenticate("iqc_clerk", "iqc_clerk")
        with self.assertRaisesRegex(ButtonError, "Only an Inspector"):
            self._call_button("udi.inspection", "action_release", self.inspection_a.ids)
        self.assertEqual(self.inspection_a.state, "pending")

    @mute_logger("odoo.http")
    def test_reject_from_the_receipt_list_needs_the_signature(self):
        self.authenticate("iqc_inspector", INSPECTOR_PASSWORD)
        action = self._call_button("udi.inspection", "action_reject", self.inspection_b.ids)
        wizard_id = action["res_id"]
        self.env["udi.inspection.sign.wizard"].browse(wizard_id).reason = "Damaged"
        with self.assertRaisesRegex(ButtonError, "Wrong password"):
            self._call_button(
                "udi.inspection.sign.wizard",
                "action_sign",
                [wizard_id],
                {"signature_password": "guess"},
            )
        self.assertEqual(self.inspection_b.state, "pending")

    def test_inspector_opens_the_nonconformity_of_a_rejection(self):
        """The Nonconformity link of a rejected inspection opens its form (as the web client:
        the form view, then its fields) for the inspector, a Management System viewer."""
        self._sign(self.inspection_b, "reject", reason="Sterile barrier torn on 3 cartons")
        nonconformity = self.inspection_b.nonconformity_id
        self.authenticate("iqc_inspector", INSPECTOR_PASSWORD)
        model = "mgmtsystem.nonconformity"
        views = self._call_kw(
            model, "get_views", [], {"views": [[False, "form"]], "options": {"toolbar": True}}
        )
        arch = etree.fromstring(views["views"]["form"]["arch"])
        fields = views["models"][model]["fields"]
        spec = {
            node.get("name"): {"fields": {"display_name": {}}}
            if fields[node.get("name")]["type"] in ("many2one", "one2many", "many2many")
            else {}
            for node in arch.iter("field")
            if node.get("name") in fields
        }
        record = self._call_kw(model, "web_read", [nonconformity.ids], {"specification": spec})
        self.assertEqual(record[0]["udi_inspection_id"]["id"], self.inspection_b.id)
        self.assertNotIn("procedure_ids", spec, "knowledge pages the inspector cannot read")

    def _call_kw(self, model, method, args, kwargs):
        response = self.opener.post(
            f"{self.base_url()}/web/dataset/call_kw/{model}/{method}",
            json={
                "id": 0,
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"model": model, "method": method, "args": args, "kwargs": kwargs},
            },
            timeout=30,
        )
        body = response.json()
        if "error" in body:
            raise ButtonError(body["error"]["data"]["message"])
        return body["result"]

    @mute_logger("odoo.http")
    def test_state_is_not_writable_over_json2(self):
        key = api_key(self.env, self.inspector)
        response = post_json2(
            self,
            "/json/2/udi.inspection/write",
            {
                "ids": self.inspection_a.ids,
                "vals": {"state": "released"},
                "context": {"udi_allow": True},
            },
            key,
        )
        self.assertEqual(response.status_code, 403, response.text)
        response = post_json2(
            self,
            "/json/2/udi.inspection.check/write",
            {"ids": self.inspection_a.check_ids.ids, "vals": {"result": "pass"}},
            key,
        )
        self.assertEqual(response.status_code, 403, response.text)
        response = post_json2(
            self,
            "/json/2/udi.inspection/_udi_release",
            {"ids": self.inspection_a.ids, "signature": False},
            key,
        )
        self.assertNotEqual(response.status_code, 200, response.text)
        self.assertEqual(self.inspection_a.state, "pending")
        self.assertFalse(
            self.inspection_a.check_ids.filtered(
                lambda c: not c.automatic and c.result != "pending"
            )
        )

    @mute_logger("odoo.http")
    def test_direct_validation_over_json2_is_refused(self):
        transfer = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.int_type_id.id,
                "location_id": self.input_location.id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.catheter_variant.id,
                            "product_uom_qty": 30,
                            "location_id": self.input_location.id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        transfer.action_confirm()
        self.env["stock.move.line"].create(
            {
                "move_id": transfer.move_ids.id,
                "picking_id": transfer.id,
                "product_id": self.catheter_variant.id,
                "lot_id": self.lot_a.id,
                "quantity": 30,
                "location_id": self.input_location.id,
                "location_dest_id": self.stock_location.id,
            }
        )
        key = api_key(self.env, self.inspector)
        response = post_json2(
            self,
            "/json/2/stock.picking/button_validate",
            {"ids": transfer.ids, "context": {"skip_backorder": True}},
            key,
        )
        self.assertEqual(response.status_code, 422, response.text)
        self.assertIn("waits for its incoming inspection", response.json()["message"])
        self.assertEqual(self._quant_qty(self.lot_a, self.input_location), 30)

    @mute_logger("odoo.http")
    def test_second_company_sees_nothing(self):
        Inspection = self.env["udi.inspection"].with_user(self.other_user)
        self.assertFalse(Inspection.search([]))
        self.assertFalse(self.env["udi.inspection.check"].with_user(self.other_user).search([]))
        key = api_key(self.env, self.other_user)
        response = post_json2(
            self,
            "/json/2/udi.inspection/read",
            {"ids": self.inspection_a.ids, "fields": ["name", "state"]},
            key,
        )
        self.assertEqual(response.status_code, 403, response.text)
        self.authenticate("iqc_other", "iqc_other")
        with self.assertRaises(ButtonError):
            self._call_button("udi.inspection", "action_release", self.inspection_a.ids)
        self.assertEqual(self.inspection_a.state, "pending")
