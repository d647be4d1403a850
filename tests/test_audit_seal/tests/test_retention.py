from datetime import date

from dateutil.relativedelta import relativedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time

from .common import SealCase


class TestRetention(SealCase):
    def test_default_periods_per_jurisdiction(self):
        periods = {p.jurisdiction: p for p in self.env["audit.seal.retention"].search([])}
        self.assertEqual(periods["nmpa"].years, 5)
        self.assertTrue(periods["nmpa"].implantable_permanent)
        self.assertEqual(periods["fda"].years, 2)
        self.assertEqual((periods["eu_mdr"].years, periods["eu_mdr"].implantable_years), (10, 15))

    def test_longest_active_period_applies_and_is_shown(self):
        record = self.seal()
        start = record.create_date.date()
        self.assertEqual(record.seal_retention_until, start + relativedelta(years=10))
        self.env.ref("audit_seal.retention_eu_mdr").active = False
        record.invalidate_recordset(["seal_retention_until"])
        self.assertEqual(record.seal_retention_until, start + relativedelta(years=5))
        self.assertEqual(self.entry_of(record).retention_until, start + relativedelta(years=5))

    def test_purge_before_retention_is_refused_and_deletes_nothing(self):
        records = self.seal(2)
        before = self.head_seq()
        with self.assertRaisesRegex(UserError, "still under retention"):
            records._seal_purge()
        self.assertEqual(len(records.exists()), 2)
        self.env["audit.seal.entry"]._seal_run_pending()
        self.assertEqual(self.head_seq(), before)

    def test_purge_after_retention_leaves_a_sealed_tombstone(self):
        records = self.seal(2)
        later = date.today() + relativedelta(years=10, days=1)
        with freeze_time(later):
            records.with_user(self.manager)._seal_purge()
        self.assertFalse(records.exists())
        self.env["audit.seal.entry"]._seal_run_pending()
        purge = self.Entry.search([("op", "=", "purge"), ("res_id", "in", records.ids)])
        self.assertEqual(len(purge), 2)
        self.assertTrue(self.verify()["ok"], "purged records are not reported as deleted")

    def test_purge_is_for_managers(self):
        records = self.seal()
        with freeze_time(date.today() + relativedelta(years=11)):
            with self.assertRaisesRegex(UserError, "Only an Audit Seal manager"):
                records.with_user(self.clerk)._seal_purge()

    def test_permanent_period_blocks_purge_forever(self):
        self.env["audit.seal.retention"].create(
            {"name": "Implant registry", "jurisdiction": "other", "permanent": True, "years": 0}
        )
        record = self.seal()
        self.assertTrue(record.seal_retention_permanent)
        with freeze_time(date.today() + relativedelta(years=80)):
            with self.assertRaisesRegex(UserError, "kept permanently"):
                record._seal_purge()

    def test_period_must_be_at_least_a_year(self):
        with self.assertRaises(ValidationError):
            self.env["audit.seal.retention"].create({"name": "Too short", "years": 0})
