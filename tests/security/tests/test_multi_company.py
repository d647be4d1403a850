"""A second company reads nothing of the first: traces over JSON-2, search_read, recall analysis.

Company A (the main company) holds PortalCommon's recall (campaign, notices, impact lines,
deadlines, log, signatures, quarantine, a distributor's acknowledgement), its receipts and
deliveries, a lot of its own product, and a transformation of a lot shared by all companies
(a product without company). Company B made the same shared lot into its own serial. A
Traceability Manager of company B only, with an API key, must see none of A's records, holders,
partners, documents or lots; A's own manager still sees all of them.
"""

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.partner_portal.tests.common import PortalCommon

#: models of the suite holding company data, with the domain (as superuser) of A's records
COMPANY_MODELS = {
    "trace.event": "company_id",
    "trace.event.line": "event_id.company_id",
    "trace.holding": "company_id",
    "recall.campaign": "company_id",
    "recall.campaign.line": "company_id",
    "recall.notice": "company_id",
    "recall.response": "company_id",
    "recall.signature": "company_id",
    "recall.campaign.log": "company_id",
    "recall.campaign.deadline": "company_id",
    "recall.quarantine": "company_id",
    "udi.di": "company_id",
}


def gtin14(body):
    """``body`` (13 digits) with its GS1 check digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


@tagged("post_install", "-at_install")
class TestMultiCompany(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Lingnan Devices Ltd."})
        cls.stock_b = (
            cls.env["stock.warehouse"]
            .search([("company_id", "=", cls.company_b.id)], limit=1)
            .lot_stock_id
        )
        cls.user_b = new_test_user(
            cls.env,
            "mc_manager_b",
            password="mc-manager-b-pw1",
            name="Chen Jie",
            groups="base.group_user,udi_master.group_trace_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )
        cls.user_ab = new_test_user(
            cls.env,
            "mc_manager_ab",
            password="mc-manager-ab-pw1",
            groups="base.group_user,udi_master.group_trace_manager",
            company_id=cls.company_a.id,
            company_ids=[(6, 0, (cls.company_a | cls.company_b).ids)],
        )
        cls.key_b = cls._api_key(cls.user_b)
        cls.key_a = cls._api_key(cls.manager)
        cls.key_ab = cls._api_key(cls.user_ab)
        # a distributor's acknowledgement: a response and a signature of company A
        cls.notice_a.with_user(cls.user_a).portal_acknowledge("dist-a-password")
        # a product of company A only, with its DI, received and partly shipped
        cls.product_a = cls.env["product.product"].create(
            {
                "name": "Ablation catheter (Company A)",
                "is_storable": True,
                "tracking": "lot",
                "company_id": cls.company_a.id,
                "udi_di_ids": [(0, 0, {"di": gtin14("0690123450099"), "packaging_level": "base"})],
            }
        )
        cls.receipt_a = cls._receive([(cls.product_a, "MC-A-ONLY", 5)])
        cls.lot_a = cls._lot_named(cls.product_a, "MC-A-ONLY")
        cls.delivery_a = cls._deliver(cls.distributor, [(cls.product_a, cls.lot_a, 2)])
        # a shared component lot made into a serial by each company
        cls.component = cls._lot(cls.catheter_variant, "MC-COMP-01", expiry=cls._date(700))
        implant = cls.implant.product_variant_id
        cls.serial_a = cls._lot(implant, "MC-SN-A")
        cls.serial_b = cls._lot(implant, "MC-SN-B")
        cls.event_a = cls._transformation(cls.company_a, cls.stock_location, cls.serial_a, "MO-A")
        cls.event_b = cls._transformation(cls.company_b, cls.stock_b, cls.serial_b, "MO-B")
        # what B must never see: A's partner names, documents and own serial
        cls.secrets_of_a = [
            cls.distributor.name,
            cls.hospital.name,
            cls.supplier.name,
            cls.to_distributor.name,
            cls.to_hospital.name,
            cls.delivery_a.name,
            "MO-A",
            "MC-SN-A",
            "MC-A-ONLY",
        ]

    @classmethod
    def _transformation(cls, company, location, serial, document):
        now = fields.Datetime.now()
        return cls.env["trace.event"]._trace_create(
            [
                {
                    "event_type": "transformation",
                    "event_time": now,
                    "origin": "capture",
                    "biz_transaction": document,
                    "company_id": company.id,
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "role": "input",
                                "product_id": cls.catheter_variant.id,
                                "lot_id": cls.component.id,
                                "lot_name": cls.component.name,
                                "quantity": 1,
                                "location_id": location.id,
                            },
                        ),
                        (
                            0,
                            0,
                            {
                                "role": "output",
                                "product_id": serial.product_id.id,
                                "lot_id": serial.id,
                                "lot_name": serial.name,
                                "quantity": 1,
                                "location_dest_id": location.id,
                            },
                        ),
                    ],
                }
            ]
        )

    def _call(self, key, method, model="trace.event", **params):
        return self._json2(key, model, method, **params)

    def _ok(self, key, method, model="trace.event", **params):
        response = self._call(key, method, model=model, **params)
        self.assertEqual(response.status_code, 200, response.text)
        return response

    def _assert_nothing_of_a(self, response):
        for secret in self.secrets_of_a:
            self.assertNotIn(secret, response.text, f"{secret!r} of company A reached B")

    # ------------------------------------------------------------------ traces of B

    def test_forward_of_shared_lot_follows_only_own_company_events(self):
        response = self._ok(self.key_b, "trace_forward", lot_ids=self.component.ids)
        body = response.json()
        self.assertEqual(
            [row["lot_id"] for row in body["lots"]], [self.component.id, self.serial_b.id]
        )
        self.assertEqual(
            {(row["lot_id"], row["location_id"]) for row in body["holders"]},
            {(self.serial_b.id, self.stock_b.id)},
        )
        self.assertEqual({row["company_id"] for row in body["holders"]}, {self.company_b.id})
        self._assert_nothing_of_a(response)

    def test_forward_of_lot_shipped_by_a_shows_b_no_holder(self):
        for method in ("trace_forward", "trace_backward"):
            response = self._ok(self.key_b, method, lot_ids=self.lot.ids)
            body = response.json()
            self.assertEqual([row["lot_id"] for row in body["lots"]], self.lot.ids)
            self.assertEqual(body["holders"], [], method)
            self._assert_nothing_of_a(response)

    def test_backward_of_shared_serial_does_not_cross_into_a(self):
        response = self._ok(self.key_b, "trace_backward", lot_ids=self.serial_a.ids)
        body = response.json()
        # the serial is shared (its product has no company), what A did with it is not
        self.assertEqual([row["lot_id"] for row in body["lots"]], self.serial_a.ids)
        self.assertEqual(body["holders"], [])
        response = self._ok(self.key_b, "trace_backward", lot_ids=self.serial_b.ids)
        self.assertEqual(
            [row["lot_id"] for row in response.json()["lots"]],
            [self.serial_b.id, self.component.id],
        )

    def test_trace_tree_shows_b_only_its_own_graph(self):
        for lots in (self.component, self.lot, self.other_lot | self.lot_b):
            for direction in ("forward", "backward"):
                response = self._ok(self.key_b, "trace_tree", lot_ids=lots.ids, direction=direction)
                body = response.json()
                self._assert_nothing_of_a(response)
                self.assertFalse(
                    {row["id"] for row in body["events"]} - set(self.event_b.ids),
                    "an event of company A reached B",
                )
                self.assertFalse(body["sources"])
                self.assertEqual(
                    {h["company_id"] for h in body["holders"]} - set(self.company_b.ids), set()
                )
        body = self._ok(
            self.key_b, "trace_tree", lot_ids=self.component.ids, direction="forward"
        ).json()
        self.assertEqual({lot["id"] for lot in body["lots"]}, {self.component.id, self.serial_b.id})
        self.assertEqual([edge["event_id"] for edge in body["edges"]], self.event_b.ids)
        self.assertEqual([loc["id"] for loc in body["locations"]], self.stock_b.ids)
        self.assertEqual(body["partners"], [])

    @mute_logger("odoo.http")
    def test_lot_of_company_a_is_answered_as_an_unknown_id(self):
        unknown = self.env["stock.lot"].search([], order="id desc", limit=1).id + 1000
        for method, params in (
            ("trace_forward", {}),
            ("trace_backward", {}),
            ("trace_tree", {"direction": "forward"}),
        ):
            of_a = self._call(self.key_b, method, lot_ids=self.lot_a.ids, **params)
            missing = self._call(self.key_b, method, lot_ids=[unknown], **params)
            self.assertEqual(missing.status_code, 422, missing.text)
            self.assertEqual(of_a.status_code, missing.status_code, of_a.text)
            self.assertEqual(
                of_a.json()["message"].replace(str(self.lot_a.id), "<id>"),
                missing.json()["message"].replace(str(unknown), "<id>"),
            )
            self._assert_nothing_of_a(of_a)

    @mute_logger("odoo.http")
    def test_context_cannot_open_company_a(self):
        response = self._call(
            self.key_b,
            "trace_forward",
            lot_ids=self.component.ids,
            context={"allowed_company_ids": self.company_a.ids},
        )
        self.assertNotEqual(response.status_code, 200)
        self._assert_nothing_of_a(response)

    def test_allowed_companies_of_the_request_decide(self):
        """A user of both companies sees what the request's allowed companies moved."""

        def reached(company_ids):
            response = self._ok(
                self.key_ab,
                "trace_forward",
                lot_ids=self.component.ids,
                context={"allowed_company_ids": company_ids},
            )
            return {row["lot_id"] for row in response.json()["lots"]}

        self.assertEqual(reached(self.company_b.ids), {self.component.id, self.serial_b.id})
        self.assertEqual(reached(self.company_a.ids), {self.component.id, self.serial_a.id})
        self.assertEqual(
            reached((self.company_a | self.company_b).ids),
            {self.component.id, self.serial_a.id, self.serial_b.id},
        )

    # ------------------------------------------------------------------ records

    def _ids_of_a(self, model):
        return set(
            self.env[model].sudo().search([(COMPANY_MODELS[model], "=", self.company_a.id)]).ids
        )

    def test_search_read_gives_b_no_record_of_a(self):
        for model in COMPANY_MODELS:
            with self.subTest(model=model):
                of_a = self._ids_of_a(model)
                self.assertTrue(of_a, f"the fixture has no {model} of company A")
                response = self._ok(
                    self.key_b, "search_read", model=model, domain=[], fields=["id"]
                )
                seen = {row["id"] for row in response.json()}
                self.assertFalse(seen & of_a, f"{model}: B reads records of A")
        # B reads its own
        response = self._ok(
            self.key_b, "search_read", model="trace.event", domain=[], fields=["id"]
        )
        self.assertEqual({row["id"] for row in response.json()}, set(self.event_b.ids))

    def test_holdings_are_per_company_and_consistent(self):
        holdings = (
            self.env["trace.holding"]
            .sudo()
            .search([("lot_id", "in", (self.serial_a | self.serial_b | self.component).ids)])
        )
        self.assertEqual(
            {(h.lot_id, h.company_id) for h in holdings if h.lot_id != self.component},
            {(self.serial_a, self.company_a), (self.serial_b, self.company_b)},
        )
        self.assertEqual(self.env["trace.holding"].sudo()._trace_differences(), 0)
        consistency = self.env["trace.event"].sudo().check_consistency()
        self.assertEqual(consistency["holdings_mismatched"], 0)

    # ------------------------------------------------------------------ company A's view

    def test_company_a_still_sees_everything_of_its_own(self):
        body = self._ok(self.key_a, "trace_forward", lot_ids=self.component.ids).json()
        self.assertEqual(
            [row["lot_id"] for row in body["lots"]], [self.component.id, self.serial_a.id]
        )
        response = self._ok(self.key_a, "trace_forward", lot_ids=self.lot.ids)
        holders = {row["partner_id"] for row in response.json()["holders"]}
        self.assertTrue({self.distributor.id, self.hospital.id} <= holders)
        response = self._ok(self.key_a, "trace_tree", lot_ids=self.lot.ids, direction="backward")
        self.assertIn(self.supplier.name, response.text)
        self.assertIn(self.to_distributor.name, response.text)
        response = self._ok(self.key_a, "trace_forward", lot_ids=self.lot_a.ids)
        self.assertIn(self.delivery_a.name, response.text)
        for model in COMPANY_MODELS:
            with self.subTest(model=model):
                response = self._ok(
                    self.key_a, "search_read", model=model, domain=[], fields=["id"]
                )
                seen = {row["id"] for row in response.json()}
                self.assertEqual(seen & self._ids_of_a(model), self._ids_of_a(model))
                if model in ("trace.event", "trace.holding"):
                    self.assertFalse(
                        seen
                        & set(
                            self.env[model]
                            .sudo()
                            .search([("company_id", "=", self.company_b.id)])
                            .ids
                        ),
                        f"{model}: A reads records of B",
                    )

    # ------------------------------------------------------------------ recall analysis

    def test_recall_analysis_sees_only_the_campaign_company_events(self):
        campaign = self.Campaign.create(
            {
                "title": "Component lot MC-COMP-01 out of specification",
                "reason": "Seal strength below specification.",
                "recall_class": "2",
                "jurisdiction_ids": [(6, 0, self.env.ref("recall_mgmt.jurisdiction_nmpa").ids)],
                "lot_ids": [(6, 0, self.component.ids)],
            }
        )
        self.authenticate("recall_qm", "qm-password")
        self.make_jsonrpc_request(
            "/web/dataset/call_button/recall.campaign/action_analyze_impact",
            {
                "model": "recall.campaign",
                "method": "action_analyze_impact",
                "args": [campaign.ids],
                "kwargs": {"context": {}},
            },
        )
        campaign.invalidate_recordset()
        self.assertEqual(campaign.scope_lot_ids, self.component | self.serial_a)
        self.assertEqual(campaign.line_ids.lot_id, self.serial_a)
        self.assertNotIn(self.stock_b, campaign.line_ids.location_id)

    def test_signature_takes_the_company_of_the_signed_document(self):
        signatures = (
            self.env["recall.signature"]
            .sudo()
            .search([("res_model", "=", "recall.campaign"), ("res_id", "=", self.campaign.id)])
        )
        self.assertTrue(signatures)
        self.assertEqual(signatures.company_id, self.company_a)
        ack = self.notice_a.response_ids.filtered(lambda r: r.kind == "acknowledgement")
        self.assertEqual(ack.company_id, self.company_a)
        self.assertEqual(ack.signature_id.company_id, self.company_a)
