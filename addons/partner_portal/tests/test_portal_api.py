"""A distributor's own system answers its notice over JSON-2 and XML-RPC with an API key."""

import base64
import datetime

from odoo.tests import tagged

from .common import PortalCommon


@tagged("post_install", "-at_install")
class TestPortalApi(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls._api_key(cls.user_a)

    def _call(self, method, ids=None, **params):
        if ids is not None:
            params["ids"] = ids
        return self._json2(self.key, "recall.notice", method, **params)

    def _acknowledge(self):
        return self._call("portal_acknowledge", ids=self.notice_a.ids,
                          password="dist-a-password")

    def test_list_gives_own_notices_with_units(self):
        response = self._call("portal_list")
        self.assertEqual(response.status_code, 200)
        [notice] = response.json()
        self.assertEqual(notice["id"], self.notice_a.id)
        self.assertEqual(notice["state"], "sent")
        self.assertIn("Hub cracks", notice["reason"])
        [unit] = notice["units"]
        self.assertEqual((unit["lot"], unit["shipped"]), ("RC-L1", 30))
        self.assertEqual(unit["udi_di"], "06901234567892")

    def test_acknowledge_over_json2(self):
        response = self._acknowledge()
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["state"], "acknowledged")
        ack = self.notice_a.response_ids.filtered(lambda r: r.kind == "acknowledgement")
        self.assertEqual(ack.channel, "api")
        self.assertEqual(ack.signature_id.user_id, self.user_a)

    def test_acknowledge_with_api_key_as_password_refused(self):
        before = self._snapshot()
        response = self._call("portal_acknowledge", ids=self.notice_a.ids, password=self.key)
        self.assertEqual(response.status_code, 422)
        self.assertIn("Wrong password", response.json()["message"])
        self.assertEqual(self._snapshot(), before)

    def test_report_over_json2_by_lot_name(self):
        self._acknowledge()
        response = self._call("portal_report", ids=self.notice_a.ids, reports=[
            {"lot": "RC-L1", "qty_on_hand": 12, "qty_returned": 18},
        ])
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["state"], "completed")
        self.assertEqual(self.campaign.units_located, 30)

    def test_report_bad_input_over_json2_changes_nothing(self):
        self._acknowledge()
        before = self._snapshot()
        for reports, message in (
            ([{"lot": "RC-L1", "qty_on_hand": "12"}], "must be a number"),
            ([{"lot": "RC-L1", "qty_on_hand": -1}], "cannot be negative"),
            ([{"lot": "RC-L1", "qty_on_hand": 31}], "only 30"),
            ([{"lot": "NOPE", "qty_on_hand": 1}], "is not in this notice"),
            ([{"lot_id": self.lot_b.id, "qty_on_hand": 1}], "is not in this notice"),
            ([{"lot": "RC-L1", "qty_on_hand": 1, "price": 3}], "unknown key"),
            ("RC-L1", "list of rows"),
        ):
            response = self._call("portal_report", ids=self.notice_a.ids, reports=reports)
            self.assertEqual(response.status_code, 422, reports)
            self.assertIn(message, response.json()["message"], reports)
            self.assertNotIn("PCF7731X", response.text)
        self.assertEqual(self._snapshot(), before)

    def test_onward_over_json2(self):
        self._acknowledge()
        response = self._call("portal_report_onward", ids=self.notice_a.ids, onward=[
            {"name": "Hangzhou First Hospital", "gln": "6901234000078", "lot": "RC-L1",
             "quantity": 4, "date": datetime.date.today().isoformat()},
        ])
        self.assertEqual(response.status_code, 200, response.text)
        result = response.json()
        self.assertEqual(len(result["event_ids"]), 1)
        hospital = self.env["res.partner"].browse(result["partner_ids"])
        self.assertTrue(self.campaign.notice_ids.filtered(lambda n: n.partner_id == hospital))

    def test_evidence_over_json2(self):
        self._acknowledge()
        content = base64.b64encode(b"%PDF-1.4 destruction certificate").decode()
        response = self._call("portal_attach_evidence", ids=self.notice_a.ids,
                              files=[{"name": "certificate.pdf", "content": content}])
        self.assertEqual(response.status_code, 200, response.text)
        response = self._call("portal_attach_evidence", ids=self.notice_a.ids,
                              files=[{"name": "x.pdf", "content": "not base64!"}])
        self.assertEqual(response.status_code, 422)

    def test_xmlrpc_acknowledge_and_report(self):
        proxy = self.xmlrpc_object
        db, uid = self.env.cr.dbname, self.user_a.id
        result = proxy.execute_kw(db, uid, self.key, "recall.notice", "portal_acknowledge",
                                  [self.notice_a.ids, "dist-a-password"])
        self.assertEqual(result["state"], "acknowledged")
        result = proxy.execute_kw(db, uid, self.key, "recall.notice", "portal_report",
                                  [self.notice_a.ids, [{"lot": "RC-L1", "qty_destroyed": 30}]])
        self.assertEqual(result["state"], "completed")

    def test_several_notices_at_once_refused(self):
        before = self._snapshot()
        response = self._call("portal_acknowledge", ids=[self.notice_a.id, self.notice_a.id + 1],
                              password="dist-a-password")
        self.assertEqual(response.status_code, 422)
        self.assertIn("exactly one recall notice", response.json()["message"])
        self.assertEqual(self._snapshot(), before)
