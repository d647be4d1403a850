import datetime

from odoo import fields
from odoo.tests import new_test_user

from odoo.addons.recall_mgmt.tests.common import RecallCommon

from .common_documents import FORM_VALUES, fill_form_master_data

PASSWORD = "qm-password"


class VigilanceCommon(RecallCommon):
    """RecallCommon's catheter lot RC-L1 (shipped: 30 units to the distributor, 20 to the
    hospital, both in China) and its quality manager ``recall_qm`` (Traceability Manager); a
    Traceability User who reads; a complaint from the hospital naming the lot."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        china = cls.env.ref("base.cn")
        (cls.hospital | cls.distributor).write({"country_id": china.id})
        cls.reader = new_test_user(
            cls.env,
            "vig_reader",
            password="reader-password",
            name="Zhou Min",
            groups="base.group_user,udi_master.group_trace_user",
        )
        cls.nmpa = cls.env.ref("recall_mgmt.jurisdiction_nmpa")
        cls.fda = cls.env.ref("recall_mgmt.jurisdiction_fda")
        cls.eu = cls.env.ref("recall_mgmt.jurisdiction_eu")
        cls.ticket = cls._complaint("Catheter hub cracked during infusion")
        cls.Report = cls.env["vigilance.report"]
        # what the regulators' forms take from the company and the device
        fill_form_master_data(cls.env.company, cls.catheter)

    @classmethod
    def _complaint(cls, name, lot=None):
        return cls.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": "<p>The hub cracked during a pressure injection; the patient "
                "needed a second line.</p>",
                "partner_id": cls.hospital.id,
                "trace_service_type": "complaint",
                "trace_lot_id": (lot or cls.lot).id,
            }
        )

    @staticmethod
    def _ago(**delta):
        return fields.Datetime.now().replace(microsecond=0) - datetime.timedelta(**delta)

    def _assess(self, ticket=None, user=None, password=PASSWORD, **values):
        """The quality manager opens the assessment dialog from the complaint and signs it."""
        ticket = ticket or self.ticket
        user = user or self.manager
        action = ticket.with_user(user).action_vigilance_assess()
        wizard = self.env["vigilance.assess.wizard"].with_user(user).browse(action["res_id"])
        vals = {
            "reportable": True,
            "severity": "serious_injury",
            "reason": "Hub rupture needing a second line: serious injury (MDR Art. 2(65)).",
            "awareness_date": self._ago(days=1),
            "jurisdiction_ids": [(6, 0, (self.eu | self.fda).ids)],
        }
        vals.update(values)
        wizard.write(vals)
        wizard.with_context(signature_password=password).action_sign()
        return ticket.vigilance_assessment_ids.sorted("id")[-1:]

    def _complete(self, report):
        """What the quality manager fills in before the review."""
        report.with_user(self.manager).write(
            {
                "event_date": fields.Date.today(),
                "narrative": "Hub cracked at 320 psi during contrast injection.",
                "root_cause": report.root_cause
                or "Preliminary: the returned hub is under investigation.",
                **FORM_VALUES,
                "form_event_country_id": self.env.ref("base.cn").id,
                "patient_ids": [
                    (
                        0,
                        0,
                        {
                            "pseudonym": "RJ-2026-118",
                            "age": 64,
                            "sex": "female",
                            "outcome": "intervention",
                        },
                    )
                ],
            }
        )

    def _approve(self, report, password=PASSWORD):
        action = report.with_user(self.manager).action_approve()
        wizard = (
            self.env["vigilance.report.sign.wizard"]
            .with_user(self.manager)
            .browse(action["res_id"])
        )
        return wizard.with_context(signature_password=password).action_sign()

    def _issued(self, report):
        self._complete(report)
        report.with_user(self.manager).action_submit_review()
        self._approve(report)
        report.with_user(self.manager).action_issue()
        return report

    def _file(self, report, reference="EU-MIR-2026-0042", filed_at=None):
        action = report.with_user(self.manager).action_file()
        wizard = (
            self.env["vigilance.report.file.wizard"]
            .with_user(self.manager)
            .browse(action["res_id"])
        )
        wizard.write(
            {"regulator_reference": reference, "filed_at": filed_at or fields.Datetime.now()}
        )
        return wizard.action_file()
