import json
from datetime import date
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo.exceptions import UserError
from odoo.tests import freeze_time

from odoo.addons.audit_seal.lib.canonical import canonical_json

from .common import SealCase


class TestSealedChangeLog(SealCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls.env["auditlog.rule"]._audit_seal_subscribe("res.partner", ["name", "ref"])
        cls.addClassCleanup(cls.rule._revert_methods)
        cls.Log = cls.env["auditlog.log"]

    def _change_partner(self):
        partner = self.env["res.partner"].create({"name": "Distributor A", "ref": "D-1"})
        partner.write({"name": "Distributor A Ltd", "ref": "D-2", "comment": "not logged"})
        self.env["audit.seal.entry"]._seal_run_pending()
        return partner, self.Log.search(
            [
                ("res_id", "=", partner.id),
                ("model_model", "=", "res.partner"),
                ("method", "=", "write"),
            ]
        )

    def test_master_data_change_is_logged_and_sealed(self):
        partner, log = self._change_partner()
        self.assertEqual(len(log), 1)
        entry = self.entry_of(log)
        self.assertEqual(len(entry), 1)
        data = json.loads(entry.payload)["data"]
        self.assertEqual(data["user_id"], "res.users,%s" % self.env.uid)
        lines = {line["field_name"]: line for line in data["line_ids"]}
        self.assertEqual(set(lines), {"name", "ref"})
        self.assertEqual(lines["ref"]["old_value"], "D-1")
        self.assertEqual(lines["ref"]["new_value"], "D-2")
        self.assertTrue(self.verify()["ok"])

    def test_fast_payload_of_logs_equals_the_general_canonical_form(self):
        partner = self.env["res.partner"].create({"name": "Hospital 医院", "ref": "H\t1"})
        partner.write({"name": "Hospital B", "ref": False})
        logs = self.Log.search([("res_id", "=", partner.id), ("model_model", "=", "res.partner")])
        self.assertEqual(len(logs), 2)
        fast = logs._seal_payload_json()
        general = logs._seal_payload_data()
        for log in logs:
            self.assertEqual(fast[log.id].encode(), canonical_json(general[log.id]))
            self.assertIn('"line_ids":[{', fast[log.id])

    def test_sealed_log_cannot_be_changed_or_deleted(self):
        _partner, log = self._change_partner()
        with self.assertRaisesRegex(UserError, "sealed"):
            log.sudo().write({"name": "hidden"})
        with self.assertRaisesRegex(UserError, "sealed"):
            log.line_ids[0].sudo().write({"new_value": "forged"})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            log.sudo().unlink()
        with self.assertRaisesSql("cannot be changed"):
            self.env.cr.execute(
                "UPDATE auditlog_log_line SET new_value = 'x' WHERE id = %s", [log.line_ids[0].id]
            )

    def test_log_line_edited_in_sql_is_detected(self):
        _partner, log = self._change_partner()
        with self.triggers_disabled():
            self.env.cr.execute(
                "UPDATE auditlog_log_line SET new_value = 'forged' WHERE id = %s",
                [log.line_ids[0].id],
            )
        result = self.verify()
        self.assertEqual(result["first_bad_seq"], self.entry_of(log).seq)

    def test_autovacuum_never_deletes_a_log_under_retention(self):
        _partner, log = self._change_partner()
        with freeze_time(date.today() + relativedelta(days=400)):
            self.env["auditlog.autovacuum"].autovacuum(days=180)
        self.assertTrue(log.exists())
        with freeze_time(date.today() + relativedelta(years=10, days=2)):
            self.env["auditlog.autovacuum"].autovacuum(days=180)
        self.assertFalse(log.exists())
        self.env["audit.seal.entry"]._seal_run_pending()
        self.assertTrue(self.verify()["ok"])

    def test_subscribe_rejects_unknown_fields(self):
        with self.assertRaisesRegex(UserError, "no field"):
            self.env["auditlog.rule"]._audit_seal_subscribe("res.partner", ["udi_nonexistent"])

    def _create_logs_shape(self, partners):
        """What the logs of ``partners``' creation say, record by record, and their entries."""
        self.env["audit.seal.entry"]._seal_run_pending()
        shape = []
        for partner in partners:
            log = self.Log.search(
                [
                    ("res_id", "=", partner.id),
                    ("model_model", "=", "res.partner"),
                    ("method", "=", "create"),
                ]
            )
            self.assertEqual(len(log), 1, "one log per created record")
            entry = self.entry_of(log)
            self.assertEqual(len(entry), 1, "each log sealed in an entry of its own")
            data = json.loads(entry.payload)["data"]
            lines = sorted(
                (line["field_name"], line["new_value_text"]) for line in data["line_ids"]
            )
            shape.append((log.name, log.user_id, log.log_type, lines))
        return shape

    def test_logs_of_a_batch_create_are_those_of_one_create_per_record(self):
        """The logs of records created together are created together (one registration for
        the ledger instead of one per record) and say what one create per record says."""
        values = [{"name": f"Distributor {i}", "ref": f"D-{i}"} for i in range(3)]
        Entry = type(self.env["audit.seal.entry"])
        registered = []
        register = Entry._seal_register_pending

        def spy(entry, records):
            if records._name == "auditlog.log":
                registered.append(len(records))
            return register(entry, records)

        with patch.object(Entry, "_seal_register_pending", spy):
            together = self.env["res.partner"].create(values)
        self.assertEqual(registered, [3], "the three logs are created in one batch")
        one_by_one = self.env["res.partner"]
        for vals in values:
            one_by_one |= self.env["res.partner"].create(vals)
        self.assertEqual(self._create_logs_shape(together), self._create_logs_shape(one_by_one))
        self.assertTrue(self.verify()["ok"])
