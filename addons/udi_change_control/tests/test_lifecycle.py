"""The life cycle buttons, their guards, packaging levels and the install-time publication."""

import datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ChangeControlCommon


@tagged("post_install", "-at_install")
class TestLifecycle(ChangeControlCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.box = cls.env["udi.di"].create(
            {
                "di": "16901234567899",
                "product_tmpl_id": cls.catheter.id,
                "packaging_level": "package",
                "contained_di_id": cls.base_di.id,
                "contained_qty": 10,
            }
        )

    def test_steps_are_recorded_and_packaging_levels_follow(self):
        self._approve(self.base_di)
        self.assertEqual(self.base_di.state, "approved")
        self.assertEqual(self.box.state, "approved")
        self._publish(self.base_di, "nmpa", datetime.date(2025, 1, 6))
        self._publish(self.base_di, "gudid", datetime.date(2025, 2, 3))
        self.assertEqual(self.base_di.state, "published")
        self.assertEqual(self.box.state, "published")
        self.assertEqual(self.catheter.udi_nmpa_publish_date, datetime.date(2025, 1, 6))
        self.assertEqual(self.catheter.udi_di_state, "published")
        steps = self.base_di.transition_ids.sorted("id")
        self.assertEqual(
            [(s.from_state, s.to_state, s.database or None) for s in steps],
            [
                ("draft", "review", None),
                ("review", "approved", None),
                ("approved", "published", "nmpa"),
                ("published", "published", "gudid"),
            ],
        )
        self.assertEqual(steps[1].signature_id, self.base_di.approval_signature_id)
        self.assertEqual(steps.user_id, self.manager)
        self.base_di.with_user(self.manager).action_discontinue()
        self.assertEqual(self.box.state, "discontinued")

    def test_buttons_refuse_a_wrong_state_or_level_or_role(self):
        with self.assertRaisesRegex(UserError, "applies to a DI that is"):
            self.base_di.with_user(self.manager).action_publish()
        with self.assertRaisesRegex(UserError, "follows the life cycle of its base-unit DI"):
            self.box.with_user(self.manager).action_submit_review()
        with self.assertRaises(AccessError):
            self.base_di.with_user(self.clerk).action_submit_review()
        self.base_di.with_user(self.manager).action_submit_review()
        self.base_di.with_user(self.manager).action_reset_draft()
        self.assertEqual(self.base_di.state, "draft")

    def test_publication_twice_in_one_database_is_refused(self):
        self._approve(self.base_di)
        self._publish(self.base_di, "nmpa")
        with self.assertRaisesRegex(UserError, "already published in NMPA"):
            self._publish(self.base_di, "nmpa")

    def test_published_di_cannot_be_deleted(self):
        self._approve(self.base_di)
        self._publish(self.base_di, "nmpa")
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.box.unlink()
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.base_di.unlink()

    def test_devices_with_a_publication_date_count_as_published_at_install(self):
        self.implant.udi_gudid_publish_date = datetime.date(2024, 6, 1)
        self.env["udi.di"]._udi_publish_legacy()
        base = self.implant.udi_di_ids.filtered(lambda d: d.packaging_level == "base")
        self.assertEqual(base.state, "published")
        self.assertEqual(
            [(p.database, p.publish_date) for p in base.publication_ids],
            [("gudid", datetime.date(2024, 6, 1))],
        )
        self.assertEqual(self.base_di.state, "draft")

    def test_every_transition_and_field_change_goes_to_the_sealed_change_log(self):
        def logged(record):
            logs = self.env["auditlog.log"].search(
                [("model_model", "=", record._name), ("res_id", "=", record.id)]
            )
            return set(logs.line_ids.mapped("field_name"))

        self._approve(self.base_di)
        self.assertTrue({"state", "approval_signature_id"} <= logged(self.base_di))
        self.catheter.with_user(self.manager).write({"udi_gmdn_code": "35210"})
        self.box.with_user(self.manager).write({"active": False})
        self.assertIn("udi_gmdn_code", logged(self.catheter))
        self.assertIn("active", logged(self.box))
        # the steps themselves are sealed records
        step = self.base_di.transition_ids[:1]
        self.assertIn(step.id, self.env["audit.seal.entry"]._seal_pending_ids("udi.di.transition"))
