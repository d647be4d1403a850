"""A portal user of distributor A attacks distributor B's notice over real HTTP."""

import xmlrpc.client

from odoo.tests import tagged

from .common import PortalCommon


@tagged("post_install", "-at_install")
class TestPortalSecurity(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token_a = cls.notice_a.sudo()._portal_ensure_token()
        cls.token_b = cls.notice_b.sudo()._portal_ensure_token()
        cls.url_b = f"/my/recalls/{cls.notice_b.id}"

    def setUp(self):
        super().setUp()
        self.authenticate("dist_a", "dist-a-password")

    def assertNoLeak(self, response):
        self.assertNotIn("PCF7731X", response.text)
        self.assertNotIn(self.notice_b.name, response.text)
        self.assertNotIn("Pacific", response.text)

    # ------------------------------------------------------------------ reading

    def test_other_notice_page_redirects_without_data(self):
        response = self.url_open(self.url_b, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertNoLeak(response)

    def test_other_notice_with_own_token_redirects(self):
        response = self.url_open(f"{self.url_b}?access_token={self.token_a}",
                                 allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertNoLeak(response)

    def test_other_notice_with_forged_token_redirects_visitor(self):
        self.logout()
        forged = self.token_b[:-4] + ("0000" if not self.token_b.endswith("0000") else "1111")
        response = self.url_open(f"{self.url_b}?access_token={forged}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertNoLeak(response)

    def test_other_notice_pdf_and_csv_redirect(self):
        for url in (f"{self.url_b}/pdf", f"{self.url_b}/pdf?access_token={self.token_a}",
                    f"{self.url_b}/units.csv"):
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)
            self.assertNoLeak(response)

    def test_list_shows_only_own_notices(self):
        response = self.url_open("/my/recalls?filterby=all")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.notice_a.name, response.text)
        self.assertNoLeak(response)

    def test_list_search_by_other_lot_finds_nothing(self):
        response = self.url_open("/my/recalls?filterby=all&search=PCF7731X&search_in=lot")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(self.notice_b.name, response.text)
        self.assertIn("o_recall_empty", response.text)

    def test_own_notice_page_lists_only_own_units(self):
        response = self.url_open(f"/my/recalls/{self.notice_a.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("RC-L1", response.text)
        self.assertNoLeak(response)

    # ------------------------------------------------------------------ acting

    def test_every_answer_route_refuses_other_consignee(self):
        before = self._snapshot()
        posts = {
            "acknowledge": {"password": "dist-a-password", "confirm": "on",
                            "access_token": self.token_b},
            "report": {f"qty_on_hand-{self.lot_b.id}": "12"},
            "report_csv": {},
            "evidence": {"note": "certificate"},
            "return": {"note": "please collect"},
            "onward": {"onward_name_0": "Some Hospital", "onward_lot_0": "PCF7731X",
                       "onward_quantity_0": "1", "onward_date_0": "2026-01-05"},
        }
        files = {
            "report_csv": {"report_file": ("units.csv", b"lot,on_hand,used,returned,destroyed\n"
                                           b"PCF7731X,12,0,0,0\n", "text/csv")},
            "evidence": {"files": ("cert.pdf", b"%PDF-1.4 certificate", "application/pdf")},
        }
        for route, data in posts.items():
            response = self._post(f"{self.url_b}/{route}", data, files=files.get(route))
            self.assertEqual(response.status_code, 303, route)
            self.assertTrue(response.headers["Location"].endswith("/my"), route)
            self.assertNoLeak(response)
        self.assertEqual(self._snapshot(), before)
        self.assertEqual(self.notice_b.state, "sent")

    def test_acknowledge_with_other_user_password_refused(self):
        """A's session cannot sign as B even with B's password and B's token."""
        before = self._snapshot()
        response = self._post(f"{self.url_b}/acknowledge", {
            "password": "dist-b-password", "confirm": "on", "access_token": self.token_b,
        })
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self._snapshot(), before)

    def test_post_without_csrf_token_refused(self):
        before = self._snapshot()
        response = self._post(f"/my/recalls/{self.notice_a.id}/acknowledge",
                              {"password": "dist-a-password", "confirm": "on"}, csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._snapshot(), before)
        self.assertEqual(self.notice_a.state, "sent")

    def test_visitor_with_token_cannot_acknowledge(self):
        self.logout()
        before = self._snapshot()
        response = self._post(f"/my/recalls/{self.notice_a.id}/acknowledge", {
            "password": "dist-a-password", "confirm": "on", "access_token": self.token_a,
        })
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])
        self.assertEqual(self._snapshot(), before)

    # ------------------------------------------------------------------ RPC

    def test_json2_campaigns_refused(self):
        key = self._api_key(self.user_a)
        response = self._json2(key, "recall.campaign", "search_read", domain=[],
                               fields=["name", "line_ids"])
        self.assertEqual(response.status_code, 403)
        self.assertNoLeak(response)

    def test_json2_lines_of_other_notice_invisible(self):
        key = self._api_key(self.user_a)
        lines_b = self.notice_b.line_ids
        response = self._json2(key, "recall.campaign.line", "search_read",
                               domain=[("notice_id", "=", self.notice_b.id)],
                               fields=["lot_id", "received_quantity"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), [])
        response = self._json2(key, "recall.campaign.line", "search_read", domain=[],
                               fields=["lot_id", "notice_id"])
        self.assertEqual({row["notice_id"][0] for row in response.json()}, {self.notice_a.id})
        self.assertNoLeak(response)
        response = self._json2(key, "recall.campaign.line", "read", ids=lines_b.ids,
                               fields=["lot_id"])
        self.assertEqual(response.status_code, 403)
        self.assertNoLeak(response)

    def test_json2_other_notice_and_responses_refused(self):
        key = self._api_key(self.user_a)
        response = self._json2(key, "recall.notice", "read", ids=self.notice_b.ids,
                               fields=["name", "line_ids"])
        self.assertEqual(response.status_code, 403)
        self.assertNoLeak(response)
        response = self._json2(key, "recall.response", "search_read", domain=[],
                               fields=["notice_id", "lot_id"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), [])

    def test_json2_answers_on_other_notice_refused(self):
        key = self._api_key(self.user_a)
        before = self._snapshot()
        calls = {
            "portal_acknowledge": {"password": "dist-a-password"},
            "portal_report": {"reports": [{"lot": "PCF7731X", "qty_on_hand": 12}]},
            "portal_report_onward": {"onward": [{"name": "X", "lot": "PCF7731X",
                                                 "quantity": 1, "date": "2026-01-05"}]},
            "portal_request_return": {},
            "portal_attach_evidence": {"files": [{"name": "a.pdf", "content": "JVBERi0="}]},
        }
        for method, params in calls.items():
            response = self._json2(key, "recall.notice", method, ids=self.notice_b.ids, **params)
            self.assertEqual(response.status_code, 403, method)
            self.assertNoLeak(response)
        self.assertEqual(self._snapshot(), before)

    def test_json2_backend_methods_refused(self):
        """Backend buttons and writes on one's own notice stay out of reach."""
        key = self._api_key(self.user_a)
        before = self._snapshot()
        for method, params in (
            ("action_create_return", {}),
            ("action_mark_verified", {}),
            ("action_record_response", {}),
            ("write", {"vals": {"state": "completed"}}),
            ("_recall_acknowledge", {"signature": 1}),
        ):
            response = self._json2(key, "recall.notice", method, ids=self.notice_a.ids, **params)
            self.assertIn(response.status_code, (403, 404, 422), method)
        self.assertEqual(self._snapshot(), before)

    def test_json2_internal_fields_refused(self):
        key = self._api_key(self.user_a)
        response = self._json2(key, "recall.notice", "read", ids=self.notice_a.ids,
                               fields=["effectiveness_note"])
        self.assertEqual(response.status_code, 403)

    def test_xmlrpc_execute_kw_refused(self):
        key = self._api_key(self.user_a)
        db = self.env.cr.dbname
        proxy = self.xmlrpc_object
        uid = self.user_a.id
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            proxy.execute_kw(db, uid, key, "recall.campaign", "search_read", [[]], {})
        self.assertNotIn("PCF7731X", caught.exception.faultString)
        with self.assertRaises(xmlrpc.client.Fault):
            proxy.execute_kw(db, uid, key, "recall.notice", "read", [self.notice_b.ids],
                             {"fields": ["name"]})
        before = self._snapshot()
        with self.assertRaises(xmlrpc.client.Fault):
            proxy.execute_kw(db, uid, key, "recall.notice", "portal_acknowledge",
                             [self.notice_b.ids, "dist-a-password"])
        self.assertEqual(self._snapshot(), before)
        notices = proxy.execute_kw(db, uid, key, "recall.notice", "portal_list", [], {})
        self.assertEqual([notice["id"] for notice in notices], self.notice_a.ids)
        self.assertNotIn("PCF7731X", str(notices))
