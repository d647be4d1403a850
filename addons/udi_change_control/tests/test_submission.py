"""Submission tasks on the regulatory clocks: opened by a change to a published record, due on
the database's clock, alerted and escalated, closed by the export."""

import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.recall_mgmt.models.recall_jurisdiction import MILESTONES
from odoo.addons.recall_mgmt.tests.common import RecallCommon
from odoo.addons.recall_mgmt.tools import zoned_time

from .common import ChangeControlCommon


def business_days_after(day, count):
    """The ``count``-th Monday-to-Friday day after ``day`` (no holidays)."""
    while count:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


@tagged("post_install", "-at_install")
class TestSubmissionTasks(ChangeControlCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._approve(cls.base_di)
        cls._publish(cls.base_di, "gudid")
        cls._publish(cls.base_di, "nmpa")
        cls._seal()

    def _tasks(self, database=None):
        tasks = self.base_di.submission_ids
        return tasks.filtered(lambda t: t.database == database) if database else tasks

    @freeze_time("2026-03-04 15:00:00")  # a Wednesday, 10:00 in New York
    def test_change_opens_a_task_due_in_ten_business_days_for_gudid(self):
        self.catheter.with_user(self.manager).write({"udi_fda_product_code": "FOZ"})
        task = self._tasks("gudid")
        self.assertEqual(len(task), 1)
        self.assertFalse(self._tasks("nmpa"), "an FDA-only field opens no NMPA task")
        self.assertEqual(task.rule_id, self.env.ref("udi_change_control.rule_gudid_record_update"))
        due = zoned_time.to_local(task.due_at, "America/New_York")
        self.assertEqual(due.date(), business_days_after(datetime.date(2026, 3, 4), 10))
        self.assertEqual(due.date(), datetime.date(2026, 3, 18))
        self.assertIn("FDA product code", task.changed_fields)
        self.assertEqual(task.opened_by_id, self.manager)
        self.assertEqual(task.deadline_state, "on_time")

    def test_an_eudamed_field_opens_no_task_for_nmpa_or_gudid(self):
        self.catheter.with_user(self.manager).write(
            {"udi_emdn_code": "C0104", "udi_eu_manufacturer_srn": "DE-MF-000012345"}
        )
        self.assertFalse(self._tasks(), "the DI is published in NMPA and GUDID only")

    def test_change_of_a_field_of_every_database_opens_one_task_each(self):
        self.catheter.with_user(self.manager).write({"udi_gmdn_code": "35210"})
        self.assertEqual(sorted(self._tasks().mapped("database")), ["gudid", "nmpa"])
        # a second change joins the open task
        self.catheter.with_user(self.manager).write({"udi_description": "Triple lumen CVC"})
        task = self._tasks("gudid")
        self.assertEqual(len(task), 1)
        self.assertIn("GMDN code", task.changed_fields)
        self.assertIn("Device description", task.changed_fields)

    def test_export_closes_the_tasks_of_its_database(self):
        self.catheter.with_user(self.manager).write({"udi_gmdn_code": "35210"})
        # stands in for udi_master's udi.di.export until the export branch is merged
        export = self.env["ir.attachment"].create({"name": "GUDID SPL 2026-03-05.xml"})
        self.base_di._udi_exported("gudid", export)
        gudid, nmpa = self._tasks("gudid"), self._tasks("nmpa")
        self.assertEqual(gudid.state, "done")
        self.assertEqual(gudid.deadline_state, "done")
        self.assertEqual((gudid.export_model, gudid.export_id), ("ir.attachment", export.id))
        self.assertEqual(nmpa.state, "open")
        # the next change opens a new task
        self.catheter.with_user(self.manager).write({"udi_gmdn_code": "35211"})
        self.assertEqual(len(self._tasks("gudid").filtered(lambda t: t.state == "open")), 1)

    def test_late_and_due_soon_filters_alerts_and_escalation(self):
        with freeze_time("2026-03-04 15:00:00"):
            self.catheter.with_user(self.manager).write({"udi_fda_product_code": "FOZ"})
        task = self._tasks("gudid")
        Task = self.env["udi.di.submission"]
        with freeze_time("2026-03-17 12:00:00"):
            self.assertEqual(Task.search([("deadline_state", "=", "due_soon")]), task)
            Task._cron_udi_submission_deadlines()
            self.assertTrue(task.alerted_at)
            activity = self.catheter.activity_ids.filtered(lambda a: "Due soon" in a.summary)
            self.assertEqual(activity.user_id, self.manager)
        with freeze_time("2026-03-20 12:00:00"):
            self.assertEqual(Task.search([("deadline_state", "=", "late")]), task)
            Task._cron_udi_submission_deadlines()
            self.assertTrue(task.escalated_at)
            self.assertTrue(
                self.catheter.message_ids.filtered(
                    lambda m: "Submission deadline missed" in (m.body or "")
                )
            )

    def test_new_packaging_level_of_a_published_device_opens_tasks(self):
        box = (
            self.env["udi.di"]
            .with_user(self.manager)
            .create(
                {
                    "di": "16901234567899",
                    "product_tmpl_id": self.catheter.id,
                    "packaging_level": "package",
                    "contained_di_id": self.base_di.id,
                    "contained_qty": 10,
                }
            )
        )
        self.assertEqual(box.state, "published")
        self.assertIn("New packaging level 16901234567899", self._tasks("nmpa").changed_fields)
        with self.assertRaisesRegex(Exception, "Quantity per Package"):
            box.with_user(self.manager).write({"contained_qty": 12})


@tagged("post_install", "-at_install")
class TestRecallDeadlinesUnchanged(RecallCommon):
    def test_recall_campaigns_take_recall_milestones_only(self):
        """The UDI clocks share the rule table with the recall clocks; an approved recall gets
        no UDI database deadline."""
        fda = self.env.ref("recall_mgmt.jurisdiction_fda")
        self.assertIn("udi_record_update", fda.rule_ids.mapped("milestone"))
        campaign = self._approved(jurisdiction_ids=[(6, 0, fda.ids)])
        self.assertTrue(campaign.deadline_ids)
        self.assertNotIn("udi_record_update", campaign.deadline_ids.mapped("milestone"))
        self.assertNotIn("udi_record_update", [key for key, _label in MILESTONES])
