import json
import os
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import config

from odoo.addons.implant_registry.lib.keyring import read_keyring, write_keyring
from odoo.addons.implant_registry.models.implant_keyring import CONFIG_KEYRING_FILE

from .common import CONTACT, PATIENT, ImplantCommon

ENC_COLUMNS = ("patient_key_enc", "patient_ref_enc", "patient_contact_enc")


@tagged("post_install", "-at_install")
class TestPatientData(ImplantCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.record = cls._implant("PM-T001", patient_contact=CONTACT)
        cls.env["audit.seal.entry"]._seal_run_pending()

    def _raw(self, record, columns=ENC_COLUMNS + ("patient_token",)):
        self.env.flush_all()
        self.env.cr.execute(
            f"SELECT {', '.join(columns)} FROM implant_record WHERE id = %s", [record.id]
        )
        return dict(zip(columns, self.env.cr.fetchone(), strict=True))

    def test_database_holds_ciphertext_only(self):
        raw = self._raw(self.record)
        self.assertTrue(all(raw[c] for c in ENC_COLUMNS))
        self.env.cr.execute(
            "SELECT row_to_json(r)::text FROM implant_record r WHERE id = %s", [self.record.id]
        )
        row = self.env.cr.fetchone()[0]
        for clear in (PATIENT, CONTACT, PATIENT.lower(), "2026-000417", "6437 0045"):
            self.assertNotIn(clear, row)
        self.assertTrue(raw["patient_key_enc"].startswith(f"kid.{self.keyring.current}."))
        self.assertEqual(self.record.patient_key_id, self.keyring.current)

    def test_reader_sees_clear_values_and_every_read_is_logged(self):
        Access = self.env["implant.patient.access"]
        before = Access.search_count([])
        record = self.record.with_user(self.reader).with_context(
            implant_access_reason="Recall 2026-07 patient follow-up"
        )
        self.assertEqual(record.patient_ref, PATIENT)
        self.assertEqual(record.patient_contact, CONTACT)
        logs = Access.search([], limit=Access.search_count([]) - before)
        self.assertEqual(len(logs), 1)
        self.assertEqual(logs.user_id, self.reader)
        self.assertEqual(logs.record_id, self.record)
        self.assertEqual(logs.field_names, "patient_ref,patient_contact")
        self.assertEqual(logs.reason, "Recall 2026-07 patient follow-up")
        self.assertEqual(logs.route, "server")
        self.env["audit.seal.entry"]._seal_run_pending()
        self.assertIn(logs.seal_status, ("sealed", "verified"))
        with self.assertRaises(UserError):
            logs.sudo().unlink()

    def test_explicit_read_needs_group_and_reason(self):
        rows = self.record.with_user(self.reader).read_patient_data("Vigilance case V-12")
        self.assertEqual(rows[0]["patient_ref"], PATIENT)
        with self.assertRaises(UserError):
            self.record.with_user(self.reader).read_patient_data("  ")
        with self.assertRaises(AccessError):
            self.record.with_user(self.staff).read_patient_data("curious")

    def test_user_without_group_sees_the_token_by_every_orm_route(self):
        record = self.record.with_user(self.staff)
        token = self.record.patient_token
        self.assertTrue(token.startswith("P-"))
        self.assertEqual(record.patient_ref, token)
        self.assertEqual(record.patient_contact, "***")
        self.assertEqual(record.read(["patient_ref", "patient_contact"])[0]["patient_ref"], token)
        exported = record.export_data(["patient_ref", "patient_contact", "patient_token"])
        self.assertNotIn(PATIENT, json.dumps(exported))
        self.assertNotIn(CONTACT, json.dumps(exported))
        with self.assertRaises(AccessError):
            record.read(["patient_ref_enc"])
        with self.assertRaises(AccessError):
            record.export_data(["patient_key_enc"])
        self.assertFalse(
            self.env["implant.patient.access"].search([("user_id", "=", self.staff.id)])
        )

    def test_search_on_the_patient_id_is_refused_without_group(self):
        Record = self.Record.with_user(self.staff)
        for domain in (
            [("patient_ref", "=", PATIENT)],
            [("patient_ref", "in", [PATIENT])],
            [("patient_ref", "ilike", "RJ-2026")],
        ):
            with self.assertRaises(Exception):  # noqa: B017 any refusal, never an answer
                Record.search(domain)
        for domain in ([("patient_ref_enc", "!=", False)], [("patient_key_enc", "like", "kid")]):
            with self.assertRaises(AccessError):
                Record.search(domain)
        # the token is searchable (it is what they see)
        self.assertEqual(
            Record.search([("patient_ref", "=", self.record.patient_token)]), self.record
        )

    def test_reader_finds_the_patient_by_id(self):
        Record = self.Record.with_user(self.reader)
        self.assertEqual(Record.search([("patient_ref", "=", f" {PATIENT.lower()}")]), self.record)

    def test_read_group_cannot_group_by_the_patient_fields(self):
        Record = self.Record.with_user(self.staff)
        with self.assertRaises(Exception):  # noqa: B017 a non-stored field is not groupable
            Record.formatted_read_group([], ["patient_ref"], ["__count"])
        with self.assertRaises(AccessError):
            Record.formatted_read_group([], ["patient_ref_enc"], ["__count"])
        groups = Record.formatted_read_group([], ["patient_token"], ["__count"])
        self.assertNotIn(PATIENT, json.dumps(groups, default=str))

    def test_epcis_events_hold_no_patient_data(self):
        document = (
            self.env["trace.event"]
            .with_user(self.staff)
            .export_epcis(self.record.trace_event_id.ids)
        )
        text = json.dumps(document)
        self.assertIn("installing", text)
        for clear in (PATIENT, CONTACT, self.record.patient_token):
            self.assertNotIn(clear, text)

    def test_key_rotation_keeps_old_rows_readable(self):
        rotated = read_keyring(self.keyring_path).rotated()
        path = os.path.join(self.key_dir, "rotated.json")
        write_keyring(path, rotated)
        with patch.dict(config.options, {CONFIG_KEYRING_FILE: path}):
            new = self._implant("PM-T002", patient="RJ-NEW-1")
            self.assertEqual(new.patient_key_id, rotated.current)
            self.assertNotEqual(rotated.current, self.keyring.current)
            self.env.invalidate_all()
            both = (self.record | new).with_user(self.reader)
            self.assertEqual(both.mapped("patient_ref"), [PATIENT, "RJ-NEW-1"])
            # the patient's token survives the rotation: the explant finds its patient
            self.Record.with_user(self.staff).record_explant(
                f"(01){self.di}(21)PM-T001", self.hospital.id, "2026-11-28", patient_ref=PATIENT
            )
        # without the old key the old row cannot be read (and says why)
        alone = rotated.__class__(
            rotated.current, {rotated.current: rotated.keys[rotated.current]}, rotated.token_key
        )
        write_keyring(path, alone)
        with patch.dict(config.options, {CONFIG_KEYRING_FILE: path}):
            self.env.invalidate_all()
            with self.assertRaisesRegex(UserError, "not in the keyring"):
                self.record.with_user(self.reader).patient_ref  # noqa: B018

    def test_missing_keyring_file_stops_recording(self):
        with patch.dict(config.options, {CONFIG_KEYRING_FILE: "/nonexistent/keyring.json"}):
            with self.assertRaisesRegex(UserError, "cannot read its keyring"):
                self._implant("PM-T003")
        self.assertFalse(self.Record.search([("lot_id", "=", self.units["PM-T003"].id)]))

    def test_erasure_crypto_shreds_and_is_sealed_with_its_reason(self):
        explant = self.Record.browse(
            self.Record.with_user(self.staff).record_explant(
                f"(01){self.di}(21)PM-T001", self.hospital.id, "2026-11-28"
            )["id"]
        )
        with self.assertRaises(AccessError):
            self.record.with_user(self.staff)._implant_erase_patient("no", override=True)
        with self.assertRaisesRegex(UserError, "retention period has not ended"):
            self.record.with_user(self.reader)._implant_erase_patient("patient request")
        erasure = self.record.with_user(self.reader)._implant_erase_patient(
            "Patient's erasure request (GDPR Art. 17(1)), case DP-2026-3", override=True
        )
        self.assertEqual(erasure.record_ids, self.record | explant)
        for record in (self.record, explant):
            raw = self._raw(record)
            self.assertEqual(set(raw.values()), {None})
        self.env.invalidate_all()
        self.assertEqual(self.record.with_user(self.reader).patient_ref, False)
        self.assertEqual(self.record.with_user(self.staff).patient_ref, "(erased)")
        self.env["audit.seal.entry"]._seal_run_pending()
        self.assertIn(erasure.seal_status, ("sealed", "verified"))
        # the facts stay: the unit, the facility, the dates
        self.assertEqual(self.record.lot_id, self.units["PM-T001"])

    def test_retention_purge_erases_after_the_rules_period(self):
        explant = self.Record.browse(
            self.Record.with_user(self.staff).record_explant(
                f"(01){self.di}(21)PM-T001", self.hospital.id, "2026-11-28"
            )["id"]
        )
        self.assertEqual(str(self.record.retention_until), "2041-11-28")  # EU MDR 15 years
        self.assertFalse(self.Record._implant_retention_purge())
        rules = self.env["implant.retention.rule"].search([])
        rules.write({"years": 0, "basis": "implant"})
        done = self.Record._implant_retention_purge()
        self.assertEqual(done, self.record)
        self.assertTrue(explant.erased_at)
        erasure = self.env["implant.patient.erasure"].search([], limit=1)
        self.assertIn("Retention period ended", erasure.reason)
        self.assertTrue(erasure.rule_id)
