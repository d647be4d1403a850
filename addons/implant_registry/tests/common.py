import os
import tempfile
from unittest.mock import patch

from odoo.tools import config

from odoo.addons.implant_registry.lib.keyring import Keyring, write_keyring
from odoo.addons.implant_registry.models.implant_keyring import CONFIG_KEYRING_FILE
from odoo.addons.trace_events.tests.common import TraceCommon

PATIENT = "RJ-2026-000417"
CONTACT = "+86 21 6437 0045"


def gs1(di, serial):
    return f"(01){di}(21){serial}"


class ImplantCommon(TraceCommon):
    """The pacemaker as a tracked device: six serials received, four delivered to Ruijin
    Hospital, one to the distributor, one left in stock; a keyring in a temporary file named
    by the configuration; a staff user, a Patient Data Reader and a second company's user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key_dir = tempfile.mkdtemp(prefix="implant_keyring_")
        cls.keyring_path = os.path.join(cls.key_dir, "keyring.json")
        cls.keyring = Keyring.generate()
        write_keyring(cls.keyring_path, cls.keyring)
        cls.startClassPatcher(patch.dict(config.options, {CONFIG_KEYRING_FILE: cls.keyring_path}))
        cls.implant.implant_tracked = True
        cls.implant.udi_life_years = 10
        cls.pacemaker = cls.implant.product_variant_id
        cls.di = "06901234500011"
        cls.hospital.write(
            {
                "tz": "Asia/Shanghai",
                "udi_licence_number": "PDY00001231010112A1001",
                "udi_licence_expiry": cls._date(365),
            }
        )
        cls.us_hospital = cls.env["res.partner"].create(
            {
                "name": "Mercy General Hospital",
                "is_company": True,
                "tz": "America/Chicago",
                "udi_licence_number": "IL-HOSP-0004567",
                "udi_licence_expiry": cls._date(365),
                "udi_role_ids": [(6, 0, cls.env.ref("udi_master.partner_role_healthcare").ids)],
            }
        )
        names = [f"PM-T{n:03d}" for n in range(1, 7)]
        cls._receive([(cls.pacemaker, name, 1) for name in names])
        cls.units = {name: cls._lot_named(cls.pacemaker, name) for name in names}
        cls._deliver(cls.hospital, [(cls.pacemaker, cls.units[n], 1) for n in names[:4]])
        cls._deliver(cls.distributor, [(cls.pacemaker, cls.units[names[4]], 1)])
        users = cls.env["res.users"].with_context(no_reset_password=True)
        trace_user = cls.env.ref("udi_master.group_trace_user")
        cls.staff = users.create(
            {
                "name": "Wang Fang",
                "login": "implant_staff",
                "password": "implant_staff",
                # a clerk allowed to export lists: exports are a route to attack
                "group_ids": [(6, 0, (trace_user | cls.env.ref("base.group_allow_export")).ids)],
            }
        )
        cls.reader = users.create(
            {
                "name": "Dr. Privacy Officer",
                "login": "implant_reader",
                "password": "implant_reader",
                "group_ids": [
                    (6, 0, cls.env.ref("implant_registry.group_patient_data_reader").ids)
                ],
            }
        )
        cls.Record = cls.env["implant.record"]
        cls.other_company = cls.env["res.company"].create({"name": "Other Devices Inc."})
        cls.other_user = users.create(
            {
                "name": "Other Company Clerk",
                "login": "implant_other",
                "password": "implant_other",
                "company_id": cls.other_company.id,
                "company_ids": [(6, 0, cls.other_company.ids)],
                "group_ids": [(6, 0, trace_user.ids)],
            }
        )

    @classmethod
    def _implant(
        cls, serial, facility=None, day="2026-11-20", patient=PATIENT, user=None, **kwargs
    ):
        Record = cls.Record.with_user(user or cls.staff)
        result = Record.record_implant(
            gs1(cls.di, serial), (facility or cls.hospital).id, day, patient, **kwargs
        )
        return cls.Record.browse(result["id"])
