"""Onward consignees reported by a distributor's portal user: what it can learn and reach.

A portal user names its own customers (form with CSRF, JSON-2 with its API key). Wildcards in a
name must not match another partner, a GLN must resolve only to an active partner, and the
answer must show what the user typed, never another partner's stored name. Another partner's
portal user cannot report on a notice that is not theirs.
"""

import datetime

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.partner_portal.tests.common import PortalCommon

SECRET_CLINIC = "Quiet Harbour Private Clinic"
ARCHIVED = "Closed Valley Hospital"


@tagged("post_install", "-at_install")
class TestPortalOnwardAttacks(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        healthcare = cls.env.ref("udi_master.partner_role_healthcare")
        Partner = cls.env["res.partner"]
        cls.secret_clinic = Partner.create(
            {
                "name": SECRET_CLINIC,
                "is_company": True,
                "udi_role_ids": [(6, 0, healthcare.ids)],
            }
        )
        cls.archived = Partner.create(
            {
                "name": ARCHIVED,
                "is_company": True,
                "udi_gln": "6901234000047",
                "udi_role_ids": [(6, 0, healthcare.ids)],
                "active": False,
            }
        )
        cls.key_a = cls._api_key(cls.user_a)
        cls.key_b = cls._api_key(cls.user_b)
        cls.notice_a.with_user(cls.user_a)._portal_acknowledge("dist-a-password")

    def _row(self, **row):
        return {
            "name": "Hangzhou First Hospital",
            "lot": "RC-L1",
            "quantity": 1,
            "date": datetime.date.today().isoformat(),
            **row,
        }

    def _onward_api(self, key, notice, **row):
        return self._json2(
            key, "recall.notice", "portal_report_onward", ids=notice.ids, onward=[self._row(**row)]
        )

    def _onward_form(self, notice, **row):
        values = {key: str(value) for key, value in self._row(**row).items()}
        return self._post(
            f"/my/recalls/{notice.id}/onward",
            {f"onward_{key}_0": value for key, value in values.items()},
        )

    def _page(self):
        return self.url_open(f"/my/recalls/{self.notice_a.id}").text

    # ------------------------------------------------------------------ names

    def test_wildcard_name_does_not_match_another_partner(self):
        self.authenticate("dist_a", "dist-a-password")
        response = self._onward_form(self.notice_a, name="%")
        self.assertEqual(response.status_code, 303, response.text[:500])
        onward = self.notice_a.response_ids.filtered(lambda r: r.kind == "onward")
        self.assertNotEqual(onward.onward_partner_id, self.secret_clinic)
        self.assertEqual(onward.onward_partner_id.name, "%")
        self.assertNotIn(SECRET_CLINIC, self._page())

    def test_underscore_name_over_json2_does_not_match_another_partner(self):
        pattern = "".join("_" if char != " " else " " for char in SECRET_CLINIC)
        response = self._onward_api(self.key_a, self.notice_a, name=pattern)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertNotIn(self.secret_clinic.id, response.json()["partner_ids"])
        self.assertEqual(response.json()["consignees"], [pattern])
        self.assertNotIn(SECRET_CLINIC, response.text)

    def test_same_name_in_other_case_is_the_same_customer_shown_as_typed(self):
        typed = SECRET_CLINIC.upper()
        response = self._onward_api(self.key_a, self.notice_a, name=typed)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["partner_ids"], self.secret_clinic.ids)
        self.assertEqual(response.json()["consignees"], [typed])
        self.authenticate("dist_a", "dist-a-password")
        page = self._page()
        self.assertIn(typed, page)
        self.assertNotIn(SECRET_CLINIC, page)

    # ------------------------------------------------------------------ GLNs

    def test_gln_of_another_partner_shows_only_the_name_typed(self):
        self.authenticate("dist_a", "dist-a-password")
        response = self._onward_form(self.notice_a, name="My customer", gln=self.hospital.udi_gln)
        self.assertEqual(response.status_code, 303, response.text[:500])
        onward = self.notice_a.response_ids.filtered(lambda r: r.kind == "onward")
        self.assertEqual(onward.onward_partner_id, self.hospital)
        page = self._page()
        self.assertIn("My customer", page)
        self.assertNotIn(self.hospital.name, page)

    def test_onward_partner_is_not_readable_over_json2(self):
        self._onward_api(self.key_a, self.notice_a, name="My customer", gln=self.hospital.udi_gln)
        with mute_logger("odoo.http"):
            response = self._json2(
                self.key_a,
                "recall.response",
                "search_read",
                domain=[],
                fields=["onward_partner_id"],
            )
        self.assertEqual(response.status_code, 403, response.text[:500])
        self.assertNotIn(self.hospital.name, response.text)
        response = self._json2(
            self.key_a,
            "recall.response",
            "search_read",
            domain=[("kind", "=", "onward")],
            fields=["onward_name"],
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertEqual([row["onward_name"] for row in response.json()], ["My customer"])

    @mute_logger("odoo.http")
    def test_gln_of_an_archived_partner_is_refused_without_naming_it(self):
        before = self._snapshot()
        response = self._onward_api(
            self.key_a, self.notice_a, name="My customer", gln=self.archived.udi_gln
        )
        self.assertEqual(response.status_code, 422, response.text[:500])
        self.assertIn("GLN 6901234000047 cannot be recorded", response.json()["message"])
        self.assertNotIn(ARCHIVED, response.text)
        self.assertEqual(self._snapshot(), before)
        self.assertFalse(self.archived.active)

    # ------------------------------------------------------------------ other consignee

    def test_other_partner_cannot_report_onward_on_a_notice_not_theirs(self):
        before = self._snapshot()
        with mute_logger("odoo.http"):
            response = self._onward_api(self.key_b, self.notice_a)
        self.assertEqual(response.status_code, 403, response.text[:500])
        self.assertNotIn("RC-L1", response.text)
        self.authenticate("dist_b", "dist-b-password")
        response = self._onward_form(self.notice_a)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertEqual(self._snapshot(), before)
