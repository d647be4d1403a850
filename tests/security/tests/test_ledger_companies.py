"""The sealed ledger of a database with two companies, as company B's Traceability Manager.

A Traceability Manager is an Audit Seal manager (the group implies it). Company B's must not
read company A's ledger entries (their payloads hold A's serials, quantities and partners) or
the heads given out with A's documents, over JSON-2 or the export; verification still walks the
whole chain for it, naming A's records by model and id only; the export still verifies end to
end, A's entries being given by their hashes alone. Entries sealed before the company was
sealed get theirs from the 19.0.1.2.0 migration.
"""

import json
from unittest.mock import patch

import psycopg2

from odoo.modules.module import load_script
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.audit_seal.lib.export import REDACTED_VERSION, verify_export
from odoo.addons.audit_seal.lib.keys import parse_public_key
from odoo.addons.audit_seal.models import audit_seal_entry
from odoo.addons.udi_master.tests.json2 import api_key, post_json2

from .test_capture_companies import shipping_event

SECRET_A = "LDG-A-SECRET1"
OWN_B = "LDG-B-OWN1"
MIGRATION = "audit_seal/migrations/19.0.1.2.0/post-migrate.py"


@tagged("post_install", "-at_install")
class TestLedgerCompanies(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Ledger Second Maker Ltd."})
        cls.env["product.template"].create(
            {
                "name": "Dual-chamber pacemaker",
                "is_storable": True,
                "tracking": "serial",
                "udi_regulated": True,
                "udi_pi_serial": True,
                "company_id": False,
                "udi_di_ids": [(0, 0, {"di": "06901234500011", "packaging_level": "base"})],
            }
        )
        cls.env["res.partner"].create(
            [
                {"name": "Distributor", "is_company": True, "udi_gln": "6901234000009"},
                {"name": "Hospital", "is_company": True, "udi_gln": "6901234000023"},
            ]
        )
        cls.user_a, cls.key_a = cls._manager("ledger_manager_a", cls.company_a)
        cls.user_b, cls.key_b = cls._manager("ledger_manager_b", cls.company_b)
        cls.Entry = cls.env["audit.seal.entry"]
        cls.event_a = cls._capture(cls.company_a, "urn:uuid:ledger-a-1", SECRET_A)
        cls.event_b = cls._capture(cls.company_b, "urn:uuid:ledger-b-1", OWN_B)
        cls.Entry._seal_run_pending()
        cls.entry_a = cls._entry(cls.event_a)
        cls.entry_b = cls._entry(cls.event_b)
        Head = cls.env["audit.seal.published.head"]
        cls.head_a = Head._seal_publish(f"RC/A/1 to {SECRET_A}@a.example", company=cls.company_a)
        cls.head_b = Head._seal_publish(f"RC/B/1 to {OWN_B}@b.example", company=cls.company_b)

    @classmethod
    def _manager(cls, login, company):
        user = new_test_user(
            cls.env,
            login,
            password=f"{login}-pw1",
            groups="base.group_user,udi_master.group_trace_manager",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
        )
        return user, api_key(cls.env, user, "ERP link")

    @classmethod
    def _capture(cls, company, event_id, serial):
        Event = cls.env["trace.event"].with_company(company)
        Event.capture([shipping_event(event_id, serial)])
        return Event.search([("event_uid", "=", event_id), ("company_id", "=", company.id)])

    @classmethod
    def _entry(cls, record):
        return cls.Entry.search([("res_model", "=", record._name), ("res_id", "=", record.id)])

    def _json2(self, key, model, method, **params):
        return post_json2(self, f"/json/2/{model}/{method}", params, key)

    def _ok(self, key, model, method, **params):
        response = self._json2(key, model, method, **params)
        self.assertEqual(response.status_code, 200, response.text[:2000])
        return response

    # ------------------------------------------------------------------ reading

    def test_entries_carry_the_company_of_their_record(self):
        self.assertEqual(self.entry_a.company_id, self.company_a)
        self.assertEqual(self.entry_b.company_id, self.company_b)
        self.assertEqual(json.loads(self.entry_a.payload)["company"], self.company_a.id)
        self.assertIn(SECRET_A, self.entry_a.payload)

    def test_b_search_reads_no_entry_of_a(self):
        fields = ["seq", "res_model", "res_id", "payload", "company_id"]
        response = self._ok(self.key_b, "audit.seal.entry", "search_read", domain=[], fields=fields)
        seen = {row["id"] for row in response.json()}
        self.assertNotIn(self.entry_a.id, seen)
        self.assertIn(self.entry_b.id, seen)
        self.assertNotIn(SECRET_A, response.text)
        self.assertIn(OWN_B, response.text)
        # and A reads its own, not B's
        response = self._ok(self.key_a, "audit.seal.entry", "search_read", domain=[], fields=fields)
        seen = {row["id"] for row in response.json()}
        self.assertEqual((self.entry_a.id in seen, self.entry_b.id in seen), (True, False))

    @mute_logger("odoo.http")
    def test_b_reads_no_entry_of_a_by_its_id(self):
        response = self._json2(
            self.key_b, "audit.seal.entry", "read", ids=self.entry_a.ids, fields=["payload"]
        )
        self.assertEqual(response.status_code, 403, response.text[:2000])
        self.assertNotIn(SECRET_A, response.text)

    @mute_logger("odoo.http")
    def test_b_reads_no_published_head_of_a(self):
        response = self._ok(
            self.key_b,
            "audit.seal.published.head",
            "search_read",
            domain=[],
            fields=["seq", "document", "company_id"],
        )
        seen = {row["id"] for row in response.json()}
        self.assertEqual((self.head_a.id in seen, self.head_b.id in seen), (False, True))
        self.assertNotIn(SECRET_A, response.text)
        response = self._json2(
            self.key_b,
            "audit.seal.published.head",
            "read",
            ids=self.head_a.ids,
            fields=["document"],
        )
        self.assertEqual(response.status_code, 403, response.text[:2000])
        self.assertNotIn(SECRET_A, response.text)

    # ------------------------------------------------------------------ verification

    def test_b_verifies_the_whole_chain(self):
        result = self._ok(self.key_b, "audit.seal.entry", "verify_chain").json()
        self.assertTrue(result["ok"], result["reason"])
        self.assertEqual(result["entries"], self.Entry.sudo().search_count([]))
        self.assertEqual(result["head_seq"], max(self.Entry.sudo().search([]).mapped("seq")))

    def test_b_is_told_of_a_problem_of_a_without_its_content(self):
        self.env["audit.seal.published.head"].sudo().create(
            {
                "seq": self.entry_a.seq,
                "head_hash": "e" * 64,
                "signature": "c2ln",
                "key_id": "k",
                "document": f"RC/A/2 to {SECRET_A}@a.example",
                "company_id": self.company_a.id,
            }
        )
        response = self._ok(self.key_b, "audit.seal.entry", "verify_chain")
        result = response.json()
        self.assertFalse(result["ok"])
        self.assertIn(f"entry {self.entry_a.seq} with hash eeeeeeeeeeeeeeee", result["reason"])
        self.assertIn("another company", result["reason"])
        self.assertNotIn(SECRET_A, response.text)
        result = self._ok(self.key_a, "audit.seal.entry", "verify_chain").json()
        self.assertIn(f"RC/A/2 to {SECRET_A}@a.example", result["reason"])

    # ------------------------------------------------------------------ export

    def _export(self, login):
        self.authenticate(login, f"{login}-pw1")
        response = self.url_open("/audit_seal/export")
        self.assertEqual(response.status_code, 200, response.text[:2000])
        lines = response.content.splitlines(keepends=True)
        keys = self.env["audit.seal.key"].sudo().search([])
        trusted = [parse_public_key(key.public_key) for key in keys]
        return response, [json.loads(line) for line in lines], verify_export(lines, trusted)

    def test_b_exports_a_chain_that_verifies_with_entries_of_a_redacted(self):
        response, records, result = self._export("ledger_manager_b")
        self.assertTrue(result["ok"], result["reason"])
        self.assertEqual(records[0]["v"], REDACTED_VERSION)
        self.assertEqual(result["entries"], self.Entry.sudo().search_count([]))
        not_b = self.Entry.sudo().search_count(
            [("company_id", "!=", False), ("company_id", "!=", self.company_b.id)]
        )
        self.assertEqual(result["redacted"], not_b)
        self.assertGreaterEqual(not_b, 1)
        self.assertNotIn(SECRET_A, response.text)
        self.assertIn(OWN_B, response.text)
        by_seq = {record.get("seq"): record for record in records}
        self.assertEqual(
            by_seq[self.entry_a.seq],
            {
                "type": "redacted",
                "seq": self.entry_a.seq,
                "prev_hash": self.entry_a.prev_hash,
                "hash": self.entry_a.entry_hash,
            },
        )
        # A's manager gets A's entries whole and B's redacted
        response, _records, result = self._export("ledger_manager_a")
        self.assertTrue(result["ok"], result["reason"])
        self.assertIn(SECRET_A, response.text)
        self.assertNotIn(OWN_B, response.text)

    # ------------------------------------------------------------------ migration

    def test_migration_gives_entries_sealed_before_it_their_record_company(self):
        """Entries appended before 19.0.1.2.0 have no company in their envelope and the update
        adds their column empty: readable by every company's managers until the migration
        gives them their record's company (from the sealed payload for a record gone since)."""
        with patch.object(audit_seal_entry, "ENVELOPE_VERSION", 1):
            old_a = self._capture(self.company_a, "urn:uuid:ledger-a-old", "LDG-A-OLD1")
            gone_a = self._capture(self.company_a, "urn:uuid:ledger-a-gone", "LDG-A-GONE1")
            old_b = self._capture(self.company_b, "urn:uuid:ledger-b-old", "LDG-B-OLD1")
            shared = self.env["audit.seal.demo.record"].create({"name": "No company"})
            self.Entry._seal_run_pending()
        old = {record: self._entry(record) for record in (old_a, gone_a, old_b, shared)}
        self.assertTrue(all(entry.payload.startswith('{"data":') for entry in old.values()))
        cr = self.env.cr
        cr.execute("SET LOCAL session_replication_role = replica")  # as before the update
        cr.execute("UPDATE audit_seal_entry SET company_id = NULL WHERE payload LIKE '{\"data\":%'")
        cr.execute("DELETE FROM trace_event_line WHERE event_id = %s", gone_a.ids)
        cr.execute("DELETE FROM trace_event WHERE id = %s", gone_a.ids)
        cr.execute("SET LOCAL session_replication_role = origin")
        self.env.invalidate_all()
        seen = self.Entry.with_user(self.user_b).search([])
        self.assertIn(old[old_a], seen, "before the migration, B reads A's old entries")

        script = load_script(MIGRATION, "audit_seal_entry_companies")
        script.migrate(cr, "19.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(
            {record: entry.company_id for record, entry in old.items()},
            {
                old_a: self.company_a,
                gone_a: self.company_a,
                old_b: self.company_b,
                shared: self.env["res.company"],
            },
        )
        seen = self.Entry.with_user(self.user_b).search([])
        self.assertFalse(seen & (old[old_a] | old[gone_a]))
        self.assertTrue(old[old_b] in seen and old[shared] in seen)
        # the chain and every column still verify; the envelopes of old entries hold no company
        result = self.Entry.verify_chain(check_records=False)
        self.assertTrue(result["ok"], result["reason"])
        # the ledger is closed again, and a second run has nothing left to do
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaisesRegex(psycopg2.Error, "on ledger table"),
            cr.savepoint(),
        ):
            cr.execute(
                "UPDATE audit_seal_entry SET company_id = NULL WHERE id = %s", [old[old_a].id]
            )
        self.assertEqual(script.fill_entry_companies(self.env), 0)
