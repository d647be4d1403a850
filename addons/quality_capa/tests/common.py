from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.recall_mgmt.tests.common import RecallCommon

APPROVER_PASSWORD = "approver-password"


class CapaCommon(RecallCommon):
    """RecallCommon's catheter lot and quality manager, and the CAPA roles: an engineer who
    opens nonconformities and actions, an auditor who verifies effectiveness, an approver
    (password ``approver-password``) who signs closures, and an approver of a second
    company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.engineer = new_test_user(
            cls.env,
            "capa_engineer",
            name="Zhao Min",
            groups="base.group_user,mgmtsystem.group_mgmtsystem_user,udi_master.group_trace_user",
        )
        cls.auditor = new_test_user(
            cls.env,
            "capa_auditor",
            name="Sun Jie",
            groups="base.group_user,mgmtsystem.group_mgmtsystem_auditor",
        )
        cls.approver = new_test_user(
            cls.env,
            "capa_approver",
            password=APPROVER_PASSWORD,
            name="Wang Fang",
            groups="base.group_user,mgmtsystem.group_mgmtsystem_user_manager",
        )
        cls.other_company = cls.env["res.company"].create({"name": "Pacific MedSupply Ltd."})
        cls.other_approver = new_test_user(
            cls.env,
            "capa_other_approver",
            password=APPROVER_PASSWORD,
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
            groups="base.group_user,mgmtsystem.group_mgmtsystem_user_manager",
        )

    @classmethod
    def _nc(cls, **vals):
        """A draft nonconformity of the catheter lot, opened by the engineer."""
        NC = cls.env["mgmtsystem.nonconformity"].with_user(cls.engineer)
        return NC.create(
            {
                "name": "Catheter hub cracks",
                "partner_id": cls.hospital.id,
                "responsible_user_id": cls.engineer.id,
                "manager_user_id": cls.approver.id,
                "origin_ids": [
                    Command.set(
                        cls.env.ref("mgmtsystem_nonconformity.nc_origin_external_client").ids
                    )
                ],
                "description": "Two hubs cracked at 300 psi injection.",
                **NC._capa_device_links(cls.env["product.product"], cls.lot),
                **vals,
            }
        )

    @classmethod
    def _in_progress(cls):
        """A nonconformity analysed, with a corrective action owned by the engineer, in
        progress (its action plan approved)."""
        stage = cls.env.ref
        nc = cls._nc()
        nc.write(
            {
                "stage_id": stage("mgmtsystem_nonconformity.stage_analysis").id,
                "analysis": "Moulding temperature drifted on line 2.",
            }
        )
        action = (
            cls.env["mgmtsystem.action"]
            .with_user(cls.engineer)
            .create(
                {
                    "name": "Add a temperature alarm to the moulding line",
                    "type_action": "correction",
                    "user_id": cls.engineer.id,
                    "date_deadline": fields.Date.today() + timedelta(days=30),
                }
            )
        )
        nc.write(
            {
                "stage_id": stage("mgmtsystem_nonconformity.stage_pending").id,
                "action_ids": [Command.link(action.id)],
                "action_comments": "Alarm on the moulding temperature.",
            }
        )
        nc.write({"stage_id": stage("mgmtsystem_nonconformity.stage_open").id})
        return nc

    @classmethod
    def _actions_done(cls, nc):
        nc.action_ids.with_user(cls.engineer).write(
            {"stage_id": cls.env.ref("mgmtsystem_action.stage_close").id}
        )

    @classmethod
    def _effectiveness(cls, nc, result="effective"):
        """The auditor records the check and verifies it."""
        nc = nc.with_user(cls.auditor)
        # the auditor uploads the evidence on the nonconformity's form
        cls.evidence = (
            cls.env["ir.attachment"]
            .with_user(cls.auditor)
            .create(
                {
                    "name": "complaint-trend-q3.csv",
                    "raw": b"month,complaints\n7,0\n8,0\n9,0\n",
                    "res_model": nc._name,
                    "res_id": nc.id,
                }
            )
        )
        nc.write(
            {
                "evaluation_comments": "No cracked hub since the alarm.",
                "effectiveness_method": "Complaint trend over 3 months; accepted at 0 cracks.",
                "effectiveness_result": result,
                "effectiveness_evidence_ids": [Command.set(cls.evidence.ids)],
            }
        )
        nc.action_capa_verify_effectiveness()

    @classmethod
    def _closable(cls):
        nc = cls._in_progress()
        cls._actions_done(nc)
        cls._effectiveness(nc)
        return nc

    def _sign_closure(self, nc, user=None, password=APPROVER_PASSWORD):
        user = user or self.approver
        action = nc.with_user(user).action_capa_close()
        wizard = self.env["quality.capa.sign.wizard"].with_user(user).browse(action["res_id"])
        return wizard.with_context(signature_password=password).action_sign()
