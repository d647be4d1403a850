"""The buttons of quality_capa, implant_registry and the per-unit genealogy of trace_events, as
each role that sees them clicks them (entries of ``BUTTONS`` and their preparations).

Three roles join the suite's for these paths (for this test class only): a CAPA approver (a
Management System Approving User, hence an auditor, and a Traceability user), a Patient Data
Reader, and a production user (Manufacturing and Inventory user, no traceability group)."""

import base64
import io
import zipfile
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.quality_capa.tests.common import CapaCommon
from odoo.addons.trace_events.tests.genealogy_common import GenealogyCommon

from .common import ROLES

PASSWORD = "signature_password"
ACTION, DONE = "action", "done"
CAPA_APPROVER = "mgmtsystem.group_mgmtsystem_user_manager"
PATIENT_READER = "implant_registry.group_patient_data_reader"
MRP_USER = "mrp.group_mrp_user"
PATIENT, CONTACT = "RJ-2026-000417", "+86 21 6437 0045"

CAPA_IMPLANT_ROLES = {
    "path_capa_approver": "capa-approver-password",
    "path_patient_reader": "patient-reader-password",
    "path_production": "production-password",
}

#: (model, method) -> (preparation, expected outcome, required group), as ``BUTTONS``
CAPA_IMPLANT_BUTTONS = {
    # quality_capa: the complaint's and the recall's nonconformity (created on the first click)
    ("helpdesk.ticket", "action_open_nonconformity"): ("_prep_capa_ticket", ACTION, None),
    ("recall.campaign", "action_capa_root_cause"): ("_prep_capa_campaign", ACTION, None),
    ("recall.campaign", "action_open_capa_nonconformities"): ("_prep_capa_campaign", ACTION, None),
    ("product.template", "action_open_capa_nonconformities"): ("_prep_capa_device", ACTION, None),
    ("stock.lot", "action_open_capa_nonconformities"): ("_prep_capa_lot", ACTION, None),
    # implant_registry: the implanted units of a recall, grouped by facility
    ("recall.campaign", "action_open_implant_lines"): ("_prep_sent_campaign", ACTION, None),
    # the CAPA: effectiveness verified (auditors), closure signed (approvers)
    ("mgmtsystem.nonconformity", "action_capa_verify_effectiveness"): (
        "_prep_capa_to_verify",
        DONE,
        None,
    ),
    ("mgmtsystem.nonconformity", "action_capa_close"): ("_prep_capa_closable", ACTION, None),
    ("mgmtsystem.nonconformity", "action_open_capa_closure"): ("_prep_capa_closed", ACTION, None),
    ("quality.capa.sign.wizard", "action_sign"): ("_prep_capa_sign_wizard", DONE, CAPA_APPROVER),
    # implant_registry: staff record an implantation; the tracking report; the erasure
    ("implant.record.wizard", "action_record"): ("_prep_implant_wizard", ACTION, None),
    ("product.template", "action_implant_tracking"): ("_prep_implant_device", ACTION, None),
    ("product.template", "action_implant_tracking_xlsx"): ("_prep_implant_xlsx", ACTION, None),
    ("implant.record", "action_erase_patient_data"): ("_prep_implant_record", ACTION, None),
    ("implant.erase.wizard", "action_erase"): ("_prep_implant_erase_wizard", DONE, PATIENT_READER),
    # trace_events: per-unit genealogy of a done manufacturing order
    ("mrp.production", "action_open_unit_genealogy"): ("_prep_done_order", ACTION, None),
    ("trace.unit.genealogy.wizard", "action_record"): ("_prep_genealogy_wizard", ACTION, MRP_USER),
}


class CapaImplantPaths:
    """Mixin of the user path test case: the roles, records and preparations of the CAPA,
    implant registry and per-unit genealogy buttons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(patch.dict(ROLES, CAPA_IMPLANT_ROLES))
        groups = {
            "path_capa_approver": f"base.group_user,udi_master.group_trace_user,{CAPA_APPROVER}",
            "path_patient_reader": f"base.group_user,{PATIENT_READER}",
            "path_production": f"base.group_user,{MRP_USER},stock.group_stock_user",
        }
        for login, password in CAPA_IMPLANT_ROLES.items():
            cls.users[login] = new_test_user(
                cls.env, login, password=password, groups=groups[login], name=login
            )
        # CapaCommon's helpers: the approver opens, verifies and signs
        cls.engineer = cls.auditor = cls.approver = cls.users["path_capa_approver"]
        cls._setup_genealogy()
        cls._setup_implants()

    @classmethod
    def _setup_implants(cls):
        """The pacemaker tracked (as ImplantCommon), one unit implanted at the hospital."""
        cls.implant.write({"implant_tracked": True, "udi_life_years": 10})
        # the units are made in house and delivered to the hospital
        order = GenealogyCommon._make_order.__func__(cls, [f"UP-PM-{n:03d}" for n in range(1, 13)])
        cls.unit_pool = list(order.lot_producing_ids.sorted("name"))
        cls._deliver(cls.hospital, [(cls.pacemaker, lot, 1) for lot in cls.unit_pool])
        cls.implanted = cls._implant_unit(cls.path_clerk)

    @classmethod
    def _setup_genealogy(cls):
        """GenealogyCommon's bill of materials: a pacemaker from a catheter and a lead."""
        cls.pacemaker = cls.implant.product_variant_id
        cls.env.ref("base.group_user").write(
            {"implied_ids": [Command.link(cls.env.ref("stock.group_production_lot").id)]}
        )
        cls.lead = cls.env["product.product"].create(
            {"name": "Bipolar pacing lead", "is_storable": True, "tracking": "lot"}
        )
        cls.bom = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.implant.id,
                "product_qty": 1,
                "type": "normal",
                "consumption": "flexible",
                "bom_line_ids": [
                    Command.create({"product_id": cls.catheter_variant.id, "product_qty": 1}),
                    Command.create({"product_id": cls.lead.id, "product_qty": 1}),
                ],
            }
        )
        cls._receive([(cls.lead, "UP-LEAD-1", 30)])
        cls.done_order = cls._done_order()

    @classmethod
    def _next(cls, prefix):
        cls._serial_count = getattr(cls, "_serial_count", 0) + 1
        return f"{prefix}-{cls._serial_count:03d}"

    @classmethod
    def _new_unit(cls):
        """A pacemaker serial delivered to the hospital, not implanted yet."""
        return cls.unit_pool.pop(0)

    @classmethod
    def _implant_wizard(cls, user, lot):
        return (
            cls.env["implant.record.wizard"]
            .with_user(user)
            .create(
                {
                    "lot_id": lot.id,
                    "facility_id": cls.hospital.id,
                    "event_date": fields.Date.today(),
                    "physician": "Dr. Liu Yang",
                    "patient_ref": PATIENT,
                    "patient_contact": CONTACT,
                }
            )
        )

    @classmethod
    def _implant_unit(cls, user):
        action = cls._implant_wizard(user, cls._new_unit()).action_record()
        return cls.env["implant.record"].browse(action["res_id"])

    @classmethod
    def _done_order(cls):
        return GenealogyCommon._make_order.__func__(cls, [cls._next("UP-GEN")])

    # ------------------------------------------------------------------ quality_capa

    # CapaCommon's helpers (they call each other on the class)
    _nc = CapaCommon.__dict__["_nc"]
    _in_progress = CapaCommon.__dict__["_in_progress"]
    _actions_done = CapaCommon.__dict__["_actions_done"]
    _effectiveness = CapaCommon.__dict__["_effectiveness"]
    _closable = CapaCommon.__dict__["_closable"]
    _sign_closure = CapaCommon._sign_closure

    def _prep_capa_ticket(self, user):
        def check(_result):
            nc = self.ticket.capa_nonconformity_ids
            self.assertEqual(len(nc), 1, "one nonconformity per complaint")
            self.assertEqual(nc.capa_source, "complaint")

        return self.ticket, {}, check

    def _prep_capa_campaign(self, user):
        def check(result):
            if result.get("res_model") == "mgmtsystem.nonconformity" and result.get("res_id"):
                nc = self.env["mgmtsystem.nonconformity"].browse(result["res_id"])
                self.assertEqual(nc.recall_campaign_id, self.campaign)
                self.assertEqual(nc.capa_source, "recall")

        return self.campaign, {}, check

    def _prep_capa_device(self, user):
        return self.catheter, {}

    def _prep_capa_lot(self, user):
        return self.lot, {}

    def _prep_capa_to_verify(self, user):
        """An open CAPA whose effectiveness check is filled in, not verified yet."""
        nc = self._in_progress()
        evidence = self.env["ir.attachment"].create(
            {
                "name": "complaint-trend-q3.csv",
                "raw": b"month,complaints\n7,0\n8,0\n9,0\n",
                "res_model": nc._name,
                "res_id": nc.id,
            }
        )
        nc.write(
            {
                "evaluation_comments": "No cracked hub since the alarm.",
                "effectiveness_method": "Complaint trend over 3 months; accepted at 0 cracks.",
                "effectiveness_result": "effective",
                "effectiveness_evidence_ids": [Command.set(evidence.ids)],
            }
        )

        def check(_result):
            self.assertEqual(nc.effectiveness_verified_by_id, user)

        return nc, {}, check

    def _prep_capa_closable(self, user):
        return self._closable(), {}

    def _prep_capa_closed(self, user):
        nc = self._closable()
        self._sign_closure(nc, password=ROLES[self.approver.login])
        self.assertTrue(nc.capa_closure_id)
        return nc, {}

    def _prep_capa_sign_wizard(self, user):
        nc = self._closable()
        action = nc.with_user(user).action_capa_close()
        wizard = self.env["quality.capa.sign.wizard"].with_user(user).browse(action["res_id"])

        def check(_result):
            self.assertTrue(nc.capa_closure_id)
            self.assertEqual(nc.state, "done")

        return wizard, {PASSWORD: ROLES[user.login]}, check

    # ------------------------------------------------------------------ implant_registry

    def _assert_patient_shown(self, user, record):
        """What the role's web client reads of ``record``: the patient id in clear for a
        Patient Data Reader only, the token for anyone else."""
        [values] = self.call_kw(
            "implant.record",
            "web_read",
            [record.ids],
            {"specification": {"patient_ref": {}, "patient_contact": {}, "patient_token": {}}},
        )
        if user.has_group(PATIENT_READER):
            self.assertEqual(values["patient_ref"], PATIENT)
            self.assertEqual(values["patient_contact"], CONTACT)
        else:
            self.assertTrue(values["patient_token"])
            self.assertEqual(values["patient_ref"], values["patient_token"])
            self.assertNotIn(PATIENT, str(values))
            self.assertNotIn(CONTACT, str(values))

    def _prep_implant_wizard(self, user):
        wizard = self._implant_wizard(user, self._new_unit())

        def check(result):
            record = self.env["implant.record"].browse(result["res_id"])
            self.assertEqual(record.state, "implanted")
            self.assertEqual(record.reporter_id, user)
            self.assertFalse(wizard.sudo().patient_ref, "the clear id leaves the wizard")
            self._assert_patient_shown(user, record)

        return wizard, {}, check

    def _prep_implant_device(self, user):
        def check(_result):
            self._assert_patient_shown(user, self.implanted)

        return self.implant, {}, check

    def _prep_implant_xlsx(self, user):
        def check(result):
            attachment = self.env["ir.attachment"].browse(
                int(result["url"].split("/web/content/")[1].split("?")[0])
            )
            with zipfile.ZipFile(io.BytesIO(base64.b64decode(attachment.datas))) as book:
                content = b"".join(book.read(name) for name in book.namelist())
            self.assertIn(self.implanted.patient_token.encode(), content)
            self.assertNotIn(PATIENT.encode(), content, "no clear patient id in the report")

        return self.implant, {}, check

    def _prep_implant_record(self, user):
        return self.implanted, {}

    def _prep_implant_erase_wizard(self, user):
        record = self._implant_unit(self.path_clerk)
        action = record.with_user(user).action_erase_patient_data()
        wizard = (
            self.env["implant.erase.wizard"]
            .with_user(user)
            .with_context(**action["context"])
            .create(
                {
                    "reason": "The patient asked for the erasure (PIPL art. 47).",
                    "override_retention": True,
                }
            )
        )

        def check(_result):
            self.assertTrue(record.erased_at)
            self.assertFalse(record.patient_token)
            self.assertEqual(record.erased_by_id, user)

        return wizard, {}, check

    # ------------------------------------------------------------------ per-unit genealogy

    def _prep_done_order(self, user):
        return self.done_order, {}

    def _prep_genealogy_wizard(self, user):
        order = self._done_order()
        wizard = (
            self.env["trace.unit.genealogy.wizard"]
            .with_user(user)
            .create({"production_id": order.id})
        )
        unit = wizard.made_lot_ids
        wizard.line_ids = [
            Command.create({"unit_id": unit.id, "component_id": lot.id, "quantity": 1.0})
            for lot in wizard.consumed_lot_ids
        ]

        def check(_result):
            events = self.env["trace.event"].search(
                [("origin", "=", "unit_genealogy"), ("production_id", "=", order.id)]
            )
            self.assertEqual(len(events), 1, "one sealed event for the unit")

        return wizard, {}, check
