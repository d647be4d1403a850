from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.recall_mgmt.tests.common import RecallCommon


class RecallDocumentCommon(RecallCommon):
    """A class II catheter recall under the NMPA, FDA and EU rules, approved by the quality
    manager (``recall_qm``, password ``qm-password``) and notified; a recall user
    (``rdoc_user``) prepares the documents."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nmpa = cls.env.ref("recall_mgmt.jurisdiction_nmpa")
        cls.fda = cls.env.ref("recall_mgmt.jurisdiction_fda")
        cls.eu = cls.env.ref("recall_mgmt.jurisdiction_eu")
        cls.recall_user = new_test_user(
            cls.env,
            "rdoc_user",
            password="rdoc-password",
            name="Zhang Min",
            groups="base.group_user,udi_master.group_trace_user",
        )
        # what the regulators' forms quote from the company and the device master data
        cls.company.write({"zip": "201203", "phone": "+86 21 6888 0100"})
        cls.catheter_variant.product_tmpl_id.write(
            {
                "udi_registration_number": "国械注准20193030789",
                "udi_nmpa_class": "3",
                "udi_model": "7Fr 20 cm, triple lumen",
            }
        )
        cls.campaign = cls._notified_campaign(
            jurisdiction_ids=[Command.set((cls.nmpa | cls.fda | cls.eu).ids)]
        )
        cls.Document = cls.env["recall.document"].with_user(cls.recall_user)

    @classmethod
    def _notified_campaign(cls, **vals):
        vals.setdefault(
            "risk_assessment", "<p>A cracked hub leaks and can admit air: temporary hazard.</p>"
        )
        campaign = RecallCommon._campaign(cls, **vals)
        campaign.action_analyze_impact()
        RecallCommon._sign(cls, campaign, "approve")
        campaign.action_notify()
        RecallCommon._deliver_mails(cls)
        return campaign

    def _document(self, kind, campaign=None):
        return self.Document.create({"campaign_id": (campaign or self.campaign).id, "kind": kind})

    def _sign_document(self, document, password="qm-password"):
        action = document.with_user(self.manager).action_sign()
        wizard = self.env["recall.document.sign.wizard"].with_user(self.manager)
        wizard = wizard.browse(action["res_id"])
        return wizard.with_context(signature_password=password).action_sign()
