"""The demo recall and its NMPA document set load through the buttons and the signature
dialog (CI installs without demo data: this test loads it)."""

from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file

DEMO_FILES = (
    ("udi_master", "demo/udi_master_demo.xml", "udi_master.product_pacemaker"),
    ("recall_documents", "demo/recall_documents_demo.xml", "recall_documents.demo_doc_summary"),
)


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for module, path, xmlid in DEMO_FILES:
            if not cls.env.ref(xmlid, raise_if_not_found=False):
                convert_file(cls.env, module, path, {}, mode="init", noupdate=True)

    def test_a_closed_recall_with_its_full_nmpa_document_set(self):
        campaign = self.env.ref("recall_documents.demo_recall_catheter_hub")
        self.assertEqual(campaign.state, "closed")
        documents = campaign.document_ids.sorted("id")
        self.assertEqual(
            documents.mapped("kind"),
            ["nmpa_investigation", "nmpa_plan", "nmpa_progress", "nmpa_progress", "nmpa_summary"],
        )
        self.assertEqual(set(documents.mapped("state")), {"issued"})
        self.assertEqual(documents.mapped("sequence_number"), [0, 0, 1, 2, 0])
        qm = self.env.ref("udi_master.user_quality_manager")
        self.assertEqual(documents.signature_id.user_id, qm)
        self.assertTrue(all(documents.mapped("issue_id.pdf_sha256")))
        answered = documents.deadline_id
        self.assertEqual(
            sorted(answered.mapped("milestone")),
            ["nmpa_summary", "regulator_plan", "status_report", "status_report"],
        )
        self.assertTrue(all(answered.mapped("done_at")), "every clock answered is met")
        consignees = campaign.notice_ids.partner_id
        self.assertEqual(len(consignees), 2)
