"""The earliest purge date of a trace event is the latest of every applicable rule
(shared/REGULATORY.md T12): device lifetime, expiry + 2 years, last unit placed on the market +
10/15 years, and the retention periods' years; a period in use cannot be deleted, and every
change to one is sealed."""

import datetime

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TraceCommon


@tagged("post_install", "-at_install")
class TestRetentionRules(TraceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = datetime.date.today()
        cls.received = today - relativedelta(years=3)
        cls.made = cls.received - relativedelta(months=1)
        cls.expiry = today + relativedelta(years=6)
        cls.catheter.udi_life_years = 12
        cls.lot = cls._lot(cls.catheter_variant, "RET-1", expiry=cls.expiry, manufactured=cls.made)
        with freeze_time(cls.received):
            cls.receipt = cls._receive([(cls.catheter_variant, cls.lot, 5)])
        cls.delivery = cls._deliver(cls.distributor, [(cls.catheter_variant, cls.lot, 2)])
        cls.event = cls.env["trace.event"].search([("move_id", "in", cls.receipt.move_ids.ids)])
        cls.Retention = cls.env["audit.seal.retention"]

    def _only(self, *codes):
        self.Retention.search([("jurisdiction", "not in", codes)]).active = False

    def _until(self):
        self.env.invalidate_all()
        return self.event.seal_retention_until

    def test_nmpa_keeps_records_for_the_device_lifetime(self):
        self._only("nmpa")
        # lifetime (12 years from manufacture) outlasts expiry + 2 and the 5-year period
        self.assertEqual(self._until(), self.made + relativedelta(years=12))
        self.catheter.udi_life_years = 0
        self.assertEqual(self._until(), self.expiry + relativedelta(years=2))

    def test_fda_keeps_two_years_beyond_the_device_life(self):
        self._only("fda")
        self.assertEqual(self._until(), self.made + relativedelta(years=14))

    def test_eu_counts_from_the_last_unit_placed_on_the_market(self):
        self._only("eu_mdr")
        self.assertEqual(self.event.event_time.date(), self.received)
        # the shipment today, not the receipt three years ago, starts the 10 years
        self.assertEqual(self._until(), datetime.date.today() + relativedelta(years=10))
        self.catheter.udi_implantable = True
        self.assertEqual(self._until(), datetime.date.today() + relativedelta(years=15))

    def test_retention_period_in_use_cannot_be_deleted_and_changes_are_sealed(self):
        policy = self.env.ref("audit_seal.retention_fda")
        self.env["audit.seal.entry"]._seal_run_pending()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            policy.unlink()
        policy.years = 3
        log = self.env["auditlog.log"].search(
            [("model_id.model", "=", "audit.seal.retention"), ("res_id", "=", policy.id)]
        )
        self.assertTrue(log, "the change of a retention period is not in the sealed change log")
        self.assertIn("years", log.line_ids.field_id.mapped("name"))
