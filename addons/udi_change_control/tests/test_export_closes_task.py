"""The whole path: a change to a published record opens a task per database; the DI export
wizard (udi_master) records the export and closes the task of that database only."""

from odoo import fields
from odoo.tests import tagged

from odoo.addons.audit_seal.tools.workflow import workflow_writes
from odoo.addons.udi_master.tests.test_di_export import DiExportCase


@tagged("post_install", "-at_install")
class TestExportClosesTask(DiExportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.base_di = cls.catheter.udi_di_ids.filtered(lambda di: di.packaging_level == "base")
        with workflow_writes():  # the signed approval is TestLifeCycle's
            cls.base_di.state = "approved"
        cls.base_di._udi_publish("nmpa", fields.Date.today())
        cls.base_di._udi_publish("gudid", fields.Date.today())

    def test_the_gudid_export_closes_the_gudid_task_and_leaves_the_nmpa_one_open(self):
        self.catheter.write({"udi_gmdn_code": "35210"})
        tasks = self.base_di.submission_ids
        self.assertEqual(sorted(tasks.mapped("database")), ["gudid", "nmpa"])
        wizard, _data = self._export(self.catheter, database="gudid")
        gudid = tasks.filtered(lambda task: task.database == "gudid")
        nmpa = tasks - gudid
        self.assertEqual((gudid.state, nmpa.state), ("done", "open"))
        self.assertEqual(
            (gudid.export_model, gudid.export_id), ("udi.di.export", wizard.export_id.id)
        )

    def test_a_draft_export_closes_nothing(self):
        self.catheter.write({"udi_gmdn_code": False})  # GUDID needs it: the export is a draft
        wizard, _data = self._export(self.catheter, database="gudid", allow_draft=True)
        self.assertTrue(wizard.export_filename.startswith("DRAFT_"))
        self.assertEqual(set(self.base_di.submission_ids.mapped("state")), {"open"})
