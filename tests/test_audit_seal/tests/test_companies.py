"""The ledger of a database with two companies: each entry carries its record's company.

A manager of company B reads the entries and published heads of B and of records without
company, never those of A. Verification still walks every entry, and names what belongs to A
by sequence, model and id only; the export gives B's manager A's entries by their hashes only,
and the offline verifier still verifies the whole chain, reporting them as redacted.
"""

import json
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from odoo.addons.audit_seal.lib.export import REDACTED_VERSION, VERSION, verify_export
from odoo.addons.audit_seal.lib.keys import parse_public_key
from odoo.addons.audit_seal.models import audit_seal_entry

from .common import SealCase

SECRET_A = "Secret Distributor A"


class TestLedgerCompanies(SealCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Seal Company B"})
        cls.manager_b = new_test_user(
            cls.env,
            login="seal_manager_b",
            groups="base.group_user,audit_seal.group_seal_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )
        rule = cls.env["auditlog.rule"]._audit_seal_subscribe("res.partner", ["name", "ref"])
        cls.addClassCleanup(rule._revert_methods)
        Partner = cls.env["res.partner"]
        cls.partner_a = Partner.create({"name": SECRET_A, "company_id": cls.company_a.id})
        cls.partner_b = Partner.create({"name": "Distributor B", "company_id": cls.company_b.id})
        cls.shared = cls.env["audit.seal.test.record"].create({"name": "No company"})
        cls.Entry._seal_run_pending()
        cls.log_a = cls.env["auditlog.log"].search([("res_id", "=", cls.partner_a.id)])
        cls.log_b = cls.env["auditlog.log"].search([("res_id", "=", cls.partner_b.id)])
        cls.entry_a = cls.Entry.search(
            [("res_model", "=", "auditlog.log"), ("res_id", "in", cls.log_a.ids)]
        )
        cls.entry_b = cls.Entry.search(
            [("res_model", "=", "auditlog.log"), ("res_id", "in", cls.log_b.ids)]
        )
        cls.entry_shared = cls.Entry.search(
            [("res_model", "=", cls.shared._name), ("res_id", "=", cls.shared.id)]
        )

    def test_entries_seal_their_record_company_in_column_and_envelope(self):
        self.assertTrue(self.entry_a and self.entry_b and self.entry_shared)
        self.assertEqual(self.entry_a.company_id, self.company_a)
        self.assertEqual(self.entry_b.company_id, self.company_b)
        self.assertFalse(self.entry_shared.company_id)
        for entry, company in (
            (self.entry_a[0], self.company_a.id),
            (self.entry_b[0], self.company_b.id),
            (self.entry_shared, None),
        ):
            envelope = json.loads(entry.payload)
            self.assertEqual((envelope["company"], envelope["v"]), (company, 2))
        self.assertIn(SECRET_A, self.entry_a[0].payload)

    def test_manager_of_b_reads_no_entry_of_a(self):
        entries = self.Entry.with_user(self.manager_b).search([])
        self.assertFalse(entries & self.entry_a)
        self.assertEqual(
            entries & (self.entry_b | self.entry_shared), self.entry_b | self.entry_shared
        )
        with self.assertRaises(AccessError):
            self.entry_a.with_user(self.manager_b).read(["payload"])
        # the manager of A reads A's and the shared entries
        entries = self.Entry.with_user(self.manager).search([])
        self.assertEqual(
            entries & (self.entry_a | self.entry_shared), self.entry_a | self.entry_shared
        )

    def test_manager_of_b_reads_no_published_head_of_a(self):
        Head = self.env["audit.seal.published.head"]
        head_a = Head.with_company(self.company_a)._seal_publish("RC/A/001 to a@a.example")
        head_b = Head._seal_publish("RC/B/001 to b@b.example", company=self.company_b)
        self.assertEqual((head_a.company_id, head_b.company_id), (self.company_a, self.company_b))
        seen = Head.with_user(self.manager_b).search([])
        self.assertEqual(seen & (head_a | head_b), head_b)
        with self.assertRaises(AccessError):
            head_a.with_user(self.manager_b).read(["document"])

    def test_verification_by_b_walks_every_entry(self):
        result = self.Entry.with_user(self.manager_b).verify_chain()
        self.assertTrue(result["ok"], result["reason"])
        self.assertEqual(result["entries"], self.head_seq())
        self.assertNotIn("problems", result)

    def _lost_head(self, company, document):
        """A head given out with a document of ``company`` that the ledger no longer holds."""
        return (
            self.env["audit.seal.published.head"]
            .sudo()
            .create(
                {
                    "seq": self.head_seq(),
                    "head_hash": "f" * 64,
                    "signature": "c2ln",
                    "key_id": "k",
                    "document": document,
                    "company_id": company.id,
                }
            )
        )

    def test_problem_of_a_is_named_to_b_without_its_content(self):
        self._lost_head(self.company_a, f"RC/A/007 to {SECRET_A}")
        result = self.Entry.with_user(self.manager_b).verify_chain()
        self.assertFalse(result["ok"])
        self.assertIn(f"entry {self.head_seq()} with hash ffffffffffffffff", result["reason"])
        self.assertIn("with a document of another company", result["reason"])
        self.assertNotIn(SECRET_A, result["reason"])
        # a user of A (the superuser here) is told which document
        self.assertIn(SECRET_A, self.Entry.verify_chain()["reason"])
        self.assertIn(SECRET_A, self.Entry.with_user(self.manager).verify_chain()["reason"])
        # the stored run is read by every manager: it names A's document to none of them
        with mute_logger("odoo.addons.audit_seal.models.audit_seal_verification"):
            action = self.Entry.with_user(self.manager_b).action_verify_chain()
        run = self.env["audit.seal.verification"].browse(action["res_id"])
        self.assertEqual(run.state, "failed")
        self.assertNotIn(SECRET_A, run.reason)

    def test_problem_of_b_is_named_to_b_in_full(self):
        self._lost_head(self.company_b, "RC/B/002 to Distributor B")
        result = self.Entry.with_user(self.manager_b).verify_chain()
        self.assertIn("RC/B/002 to Distributor B", result["reason"])

    def test_problem_of_unknown_company_is_told_to_b_without_its_text(self):
        Verification = type(self.env["audit.seal.verification"])
        with patch.object(
            Verification, "_seal_binding_problems", lambda self: [f"signed by {SECRET_A}"]
        ):
            result_b = self.Entry.with_user(self.manager_b).verify_chain()
            result_root = self.Entry.verify_chain()
        self.assertFalse(result_b["ok"])
        self.assertNotIn(SECRET_A, result_b["reason"])
        self.assertIn("does not bind what it refers to", result_b["reason"])
        self.assertIn(SECRET_A, result_root["reason"])

    def _export(self, user):
        lines = list(self.Entry.with_user(user)._seal_export_lines(chunk=3))
        keys = self.env["audit.seal.key"].search([])
        result = verify_export(lines, trusted_keys=[parse_public_key(k.public_key) for k in keys])
        return lines, [json.loads(line) for line in lines], result

    def test_export_by_b_gives_entries_of_a_by_their_hashes_only(self):
        lines, records, result = self._export(self.manager_b)
        self.assertTrue(result["ok"], result["reason"])
        self.assertEqual(records[0]["v"], REDACTED_VERSION)
        self.assertEqual(
            (result["entries"], result["redacted"]), (self.head_seq(), len(self.entry_a))
        )
        self.assertNotIn(SECRET_A.encode(), b"".join(lines))
        by_seq = {r["seq"]: r for r in records if r["type"] in ("entry", "redacted")}
        for entry in self.entry_a:
            self.assertEqual(
                by_seq[entry.seq],
                {
                    "type": "redacted",
                    "seq": entry.seq,
                    "prev_hash": entry.prev_hash,
                    "hash": entry.entry_hash,
                },
            )
        for entry in self.entry_b | self.entry_shared:
            self.assertEqual(by_seq[entry.seq]["payload"], entry.payload)
        self.assertEqual(records[-1]["redacted"], len(self.entry_a))

    def test_export_by_a_user_of_every_company_is_whole(self):
        lines, records, result = self._export(self.env.user)
        self.assertTrue(result["ok"], result["reason"])
        self.assertEqual((records[0]["v"], result["redacted"]), (VERSION, 0))
        self.assertIn(SECRET_A.encode(), b"".join(lines))

    def test_entries_sealed_before_the_company_verify_without_it(self):
        """Entries appended before 19.0.1.2.0 (envelope version 1) have no company to compare
        with their column: verification does not flag them, whatever the column holds."""
        with patch.object(audit_seal_entry, "ENVELOPE_VERSION", 1):
            record = self.seal()
        entry = self.entry_of(record)
        self.assertTrue(entry.payload.startswith('{"data":'), entry.payload)
        self.assertTrue(entry.payload.endswith(',"v":1}'), entry.payload)
        self.assertTrue(self.verify()["ok"])
        with self.triggers_disabled():
            self.env.cr.execute(
                "UPDATE audit_seal_entry SET company_id = %s WHERE id = %s",
                [self.company_b.id, entry.id],
            )
        self.assertTrue(self.verify()["ok"])
