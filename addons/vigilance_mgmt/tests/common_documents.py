import datetime

from odoo import fields
from odoo.tests import new_test_user

from odoo.addons.udi_master.tests.common import UdiCommon

#: form data a quality engineer fills in the Regulatory forms tab
FORM_VALUES = {
    "form_device_problem_code": "A0401",
    "form_clinical_code": "E0506",
    "form_health_impact_code": "F1905",
    "form_investigation_codes": "B17, C19, D0102",
    "form_device_operator": "professional",
    "form_device_usage": "initial",
    "form_device_evaluated": "yes",
    "form_report_source": "user_facility",
    "form_treatment": "中心静脉输液 Central venous infusion",
    "form_use_place": "facility",
    "form_use_process": "Inserted on day 1, infusion pump at 250 psi on day 3.",
    "form_concomitant": "None",
    "form_investigated": "yes",
    "form_causality": "related",
}


def fill_form_master_data(company, template):
    """What the forms take from the company and the product: address, phone, FDA registration,
    EU SRN; the device's EU, FDA and NMPA registration data."""
    company.write(
        {
            "name": "Shanghai Example Medical Co., Ltd.",
            "street": "88 Zhangjiang Road",
            "city": "Shanghai",
            "zip": "201203",
            "country_id": company.env.ref("base.cn").id,
            "phone": "+86 21 5555 0100",
            "email": "vigilance@example-medical.cn",
            "recall_fda_registration": "1234567",
            "recall_eu_srn": "CN-MF-000012345",
        }
    )
    company.partner_id.tz = "Asia/Shanghai"
    template.write(
        {
            "udi_brand": "VenaFlow",
            "udi_model": "CVC-7F-20",
            "default_code": "CVC7F20",
            "udi_basic_di": "690123456CVC7FQ",
            "udi_emdn_code": "C0104",
            "udi_eu_class": "3",
            "udi_eu_ar_srn": "DE-AR-000000123",
            "udi_registration_number": "国械注准20203030001",
            "udi_nmpa_class": "3",
            "udi_fda_product_code": "FOZ",
            "udi_fda_premarket_number": "K201234",
        }
    )


class VigilanceDocumentCommon(UdiCommon):
    """A catheter with its EU, FDA and NMPA registration data, a lot, a manufacturer with its
    FDA registration and EU SRN, a quality manager (password ``qm-password``) who approves and
    issues, and a reader (Traceability User) who prints."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        fill_form_master_data(cls.company, cls.catheter)
        cls.lot = cls._lot(
            cls.catheter_variant, "VG-L1", expiry=cls._date(600), manufactured=cls._date(-100)
        )
        cls.hospital = cls.env["res.partner"].create(
            {"name": "Ruijin Hospital", "is_company": True, "city": "Shanghai"}
        )
        cls.manager = new_test_user(
            cls.env,
            "vig_qm",
            password="qm-password",
            name="Li Wei",
            groups="base.group_user,udi_master.group_trace_manager",
        )
        cls.reader = new_test_user(
            cls.env,
            "vig_reader",
            password="reader-password",
            groups="base.group_user,udi_master.group_trace_user",
        )

    @classmethod
    def _report(cls, code, severity="serious_deterioration", **vals):
        """A draft initial report to ``code`` (EU, FDA, NMPA) with every form field filled."""
        jurisdiction = cls.env["recall.jurisdiction"].search([("code", "=", code)], limit=1)
        awareness = fields.Datetime.now() - datetime.timedelta(days=2)
        values = {
            "company_id": cls.company.id,
            "jurisdiction_id": jurisdiction.id,
            "report_type": "initial",
            "severity": severity,
            "awareness_date": awareness,
            "clock_start": awareness,
            "product_id": cls.catheter_variant.id,
            "udi_di_id": cls.catheter.udi_di_ids[:1].id,
            "lot_ids": [(6, 0, cls.lot.ids)],
            "event_date": awareness.date() - datetime.timedelta(days=1),
            "narrative": "The catheter hub cracked during a power injection; blood loss.",
            "root_cause": "Hub moulding weld line below specification in lot VG-L1.",
            "corrective_action": "Lot VG-L1 quarantined; moulding parameters corrected.",
            "reporter_partner_id": cls.hospital.id,
            "patient_ids": [
                (0, 0, {"pseudonym": "RJ-2026-0042", "age": 67, "sex": "female",
                        "outcome": "intervention", "note": "Transfusion of 2 units."}),
            ],
            **FORM_VALUES,
            "form_event_country_id": cls.env.ref("base.de" if code == "EU" else "base.cn").id,
            **vals,
        }  # fmt: skip
        form = {key: values.pop(key) for key in list(values) if key.startswith("form_")}
        report = cls.env["vigilance.report"].with_user(cls.manager)._vigilance_create([values])
        report.with_user(cls.manager).write(form)
        return report.with_user(cls.manager)

    @classmethod
    def _approve(cls, report):
        report.action_submit_review()
        report._vigilance_approve("qm-password")
        return report

    @classmethod
    def _issued(cls, code, **vals):
        report = cls._approve(cls._report(code, **vals))
        report.action_issue()
        return report
