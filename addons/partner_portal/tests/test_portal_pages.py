"""The portal pages: home counters, the list and its filters, and a notice's units."""

import datetime

from odoo import fields
from odoo.tests import tagged

from odoo.addons.audit_seal.tools.workflow import workflow_writes

from .common import PortalCommon


@tagged("post_install", "-at_install")
class TestPortalPages(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 60 serials of the implant shipped to distributor A, then recalled: two pages of units
        cls.serial_names = [f"PM{number:04d}" for number in range(1, 61)]
        cls._receive([(cls.implant.product_variant_id, name, 1) for name in cls.serial_names])
        serials = cls.env["stock.lot"].search([("name", "in", cls.serial_names)])
        cls._deliver(cls.distributor, [(cls.implant.product_variant_id, lot, 1)
                                       for lot in serials])
        cls.serial_campaign = cls._portal_campaign(
            title="Pacemaker header seal", lot_ids=[(6, 0, serials.ids)]
        )
        cls.serial_notice = cls.serial_campaign.notice_ids.filtered(
            lambda n: n.partner_id == cls.distributor
        )

    def setUp(self):
        super().setUp()
        self.authenticate("dist_a", "dist-a-password")

    def _counters(self):
        response = self.url_open("/my/counters", json={"params": {"counters": [
            "recall_count", "recall_awaiting_count", "recall_overdue_count",
        ]}})
        return response.json()["result"]

    def test_home_counts_open_awaiting_and_overdue(self):
        self.assertEqual(
            self._counters(),
            {"recall_count": 2, "recall_awaiting_count": 2, "recall_overdue_count": 0},
        )
        with workflow_writes():  # arrange: the deadline has passed
            self.notice_a.deadline = fields.Datetime.now() - datetime.timedelta(hours=1)
        self.assertEqual(self._counters()["recall_overdue_count"], 1)

    def test_home_shows_the_recall_entries(self):
        response = self.url_open("/my/home")
        self.assertIn('data-placeholder_count="recall_awaiting_count"', response.text)
        self.assertIn("/my/recalls", response.text)

    def test_list_filters(self):
        with workflow_writes():  # arrange: the deadline has passed
            self.notice_a.deadline = fields.Datetime.now() - datetime.timedelta(hours=1)
        overdue = self.url_open("/my/recalls?filterby=overdue").text
        self.assertIn(self.notice_a.name, overdue)
        self.assertNotIn(self.serial_notice.name, overdue)
        completed = self.url_open("/my/recalls?filterby=completed").text
        self.assertIn("o_recall_empty", completed)

    def test_list_search_by_own_serial(self):
        response = self.url_open("/my/recalls?filterby=all&search=PM0042&search_in=lot")
        self.assertIn(self.serial_notice.name, response.text)
        self.assertNotIn(self.notice_a.name, response.text)

    def test_draft_and_silent_drill_notices_stay_hidden(self):
        drill = self._portal_campaign(title="Mock recall", is_drill=True)
        drill_notice = drill.notice_ids.filtered(lambda n: n.partner_id == self.distributor)
        self.assertEqual(drill_notice.state, "sent")
        with workflow_writes():  # arrange: a notice not sent yet
            self.serial_notice.state = "draft"
        for notice in (drill_notice, self.serial_notice):
            self.assertFalse(notice.with_user(self.user_a).has_access("read"))
            response = self.url_open(f"/my/recalls/{notice.id}", allow_redirects=False)
            self.assertEqual(response.status_code, 303)
        self.assertEqual(self._counters()["recall_count"], 1)

    def test_units_are_paginated(self):
        url = f"/my/recalls/{self.serial_notice.id}"
        first = self.url_open(url).text
        self.assertEqual(first.count('class="o_recall_unit"'), 50)
        self.assertIn("PM0001", first)
        self.assertNotIn("PM0051", first)
        second = self.url_open(f"{url}/page/2").text
        self.assertEqual(second.count('class="o_recall_unit"'), 10)
        self.assertIn("PM0060", second)

    def test_units_search(self):
        response = self.url_open(f"/my/recalls/{self.serial_notice.id}?search=PM0042")
        self.assertEqual(response.text.count('class="o_recall_unit"'), 1)
        self.assertIn("PM0042", response.text)

    def test_pdf_download(self):
        response = self.url_open(f"/my/recalls/{self.notice_a.id}/pdf")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response.headers["Content-Disposition"])

    def test_backend_preview_opens_the_portal_page_with_its_token(self):
        action = self.notice_a.with_user(self.manager).action_preview_portal()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(f"/my/recalls/{self.notice_a.id}?access_token=", action["url"])

    def test_notice_times_are_in_the_company_zone_with_the_zone_named(self):
        """The visitor's own zone (Brussels) does not change the deadline the page states."""
        self.env.company.partner_id.tz = "Asia/Shanghai"
        self.user_a.tz = "Europe/Brussels"
        with workflow_writes():  # arrange: a deadline late in the day in UTC
            self.notice_a.deadline = datetime.datetime(2026, 12, 7, 17, 22, 57)
        stated = "2026-12-08 01:22 (Asia/Shanghai, UTC+08:00)"
        page = self.url_open(f"/my/recalls/{self.notice_a.id}").text
        self.assertIn(stated, page)
        listing = self.url_open("/my/recalls").text
        self.assertIn(stated, listing)
        self.assertNotIn("12/07/2026", page + listing)
