"""Change control of a published DI: trigger attributes locked on every path, the new DI version,
the approval signature and the workflow guard, another company."""

import hashlib

from odoo.tests import new_test_user, tagged

from odoo.addons.audit_seal.lib.canonical import canonical_json

from .common import QM_PASSWORD, ChangeControlHttpCommon


@tagged("post_install", "-at_install")
class TestLockedAttributes(ChangeControlHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._approve(cls.base_di)
        cls._publish(cls.base_di, "gudid")
        cls._seal()

    def test_trigger_attribute_refused_over_json2(self):
        response = self._json2(
            self.manager,
            "product.template",
            "write",
            {"ids": self.catheter.ids, "vals": {"udi_brand": "VenaLine Plus"}},
        )
        self.assertEqual(response.status_code, 422, response.text)
        message = self._body(response)["message"]
        for part in ("Brand Name", "FDA GUDID", "06901234567892", "New DI version", "2025-03-03"):
            self.assertIn(part, message)
        self.catheter.invalidate_recordset()
        self.assertEqual(self.catheter.udi_brand, "VenaLine")

    def test_trigger_attribute_refused_from_the_form(self):
        _result, error = self._web_save(
            "cc_qm", QM_PASSWORD, "product.template", self.catheter.id, {"udi_model": "8Fr"}
        )
        self.assertIn("Version or Model", error)
        self.assertIn("New DI version", error)
        self.catheter.invalidate_recordset()
        self.assertEqual(self.catheter.udi_model, "7Fr 20 cm, triple lumen")

    def test_trigger_attribute_refused_on_import(self):
        xmlid = (
            self.catheter.get_external_id()[self.catheter.id]
            or self.catheter.export_data(["id"])["datas"][0][0]
        )
        result = (
            self.env["product.template"]
            .with_user(self.manager)
            .load(["id", "udi_single_use"], [[xmlid, "False"]])
        )
        self.assertFalse(result["ids"])
        self.assertIn("For Single-Use", result["messages"][0]["message"])
        self.catheter.invalidate_recordset()
        self.assertTrue(self.catheter.udi_single_use)

    def test_di_trigger_refused_on_the_di_itself(self):
        response = self._json2(
            self.manager,
            "udi.di",
            "write",
            {"ids": self.base_di.ids, "vals": {"di": "06901234600018"}},
        )
        self.assertEqual(response.status_code, 422, response.text)
        self.assertIn("Primary DI Number", self._body(response)["message"])
        self.base_di.invalidate_recordset()
        self.assertEqual(self.base_di.di, "06901234567892")

    def test_attribute_bound_by_approval_refused_through_the_variant(self):
        """The internal reference is no GUDID trigger, but the approval binds it: refused when
        written on the variant over JSON-2."""
        response = self._json2(
            self.manager,
            "product.product",
            "write",
            {"ids": self.catheter_variant.ids, "vals": {"default_code": "CVC-NEW"}},
        )
        self.assertEqual(response.status_code, 422, response.text)
        self.assertIn("approved with this value", self._body(response)["message"])

    def test_unchanged_trigger_value_is_accepted(self):
        """Saving a form that sends the same value changes nothing and is not refused."""
        self.catheter.with_user(self.manager).write({"udi_brand": "VenaLine"})
        self.assertFalse(self.base_di.submission_ids)

    def test_workflow_state_cannot_be_written_over_json2(self):
        other = self.implant.udi_di_ids[:1]
        for vals in ({"state": "draft"}, {"previous_di_id": other.id}):
            body = {"ids": self.base_di.ids, "vals": vals, "context": {"udi_workflow": True}}
            response = self._json2(self.manager, "udi.di", "write", body)
            self.assertEqual(response.status_code, 403, response.text)
        response = self._json2(
            self.manager,
            "udi.di",
            "create",
            {
                "vals_list": [
                    {
                        "di": "06901234600018",
                        "product_tmpl_id": self.implant.id,
                        "packaging_level": "unit_of_use",
                        "state": "published",
                    }
                ]
            },
        )
        self.assertEqual(response.status_code, 403, response.text)
        response = self._json2(
            self.manager,
            "udi.di.publication",
            "create",
            {
                "vals_list": [
                    {"di_id": self.base_di.id, "database": "nmpa", "publish_date": "2025-01-01"}
                ]
            },
        )
        self.assertEqual(response.status_code, 403, response.text)
        self.base_di.invalidate_recordset()
        self.assertEqual(self.base_di.state, "published")
        self.assertEqual(self.base_di.publication_ids.mapped("database"), ["gudid"])


@tagged("post_install", "-at_install")
class TestNewVersion(ChangeControlHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._approve(cls.base_di)
        cls._publish(cls.base_di, "nmpa")
        cls._seal()

    def test_new_version_created_linked_and_supersedes_on_publication(self):
        action, error = self._call_button(
            "cc_qm", QM_PASSWORD, "udi.di", "action_new_version", self.base_di.ids
        )
        self.assertFalse(error)
        wizard_id = action["res_id"]
        _result, error = self._web_save(
            "cc_qm",
            QM_PASSWORD,
            "udi.di.version.wizard",
            wizard_id,
            {"new_di": "06901234600025", "name": "Central venous catheter 8Fr"},
        )
        self.assertFalse(error)
        action, error = self._call_button(
            "cc_qm", QM_PASSWORD, "udi.di.version.wizard", "action_create", [wizard_id]
        )
        self.assertFalse(error)
        new = self.env["udi.di"].browse(action["res_id"])
        self.assertEqual(new.di, "06901234600025")
        self.assertEqual(new.previous_di_id, self.base_di)
        self.assertEqual(self.base_di.next_di_id, new)
        self.assertEqual(new.state, "draft")
        device = new.product_tmpl_id
        self.assertNotEqual(device, self.catheter)
        self.assertEqual(device.udi_brand, "VenaLine")
        # the new device record takes the new value (draft: not locked)
        device.with_user(self.manager).write({"udi_model": "8Fr 20 cm, triple lumen"})
        self._approve(new)
        self.assertEqual(self.base_di.state, "published")
        self._publish(new, "nmpa")
        self.assertEqual(new.state, "published")
        self.assertEqual(self.base_di.state, "superseded")
        step = self.base_di.transition_ids.filtered(lambda t: t.to_state == "superseded")
        self.assertIn("06901234600025", step.note)
        self.assertEqual(self.catheter.udi_model, "7Fr 20 cm, triple lumen")


@tagged("post_install", "-at_install")
class TestApprovalSignature(ChangeControlHttpCommon):
    def test_wrong_password_records_a_failure_and_changes_nothing(self):
        self.base_di.with_user(self.manager).action_submit_review()
        action, error = self._call_button(
            "cc_qm", QM_PASSWORD, "udi.di", "action_approve", self.base_di.ids
        )
        self.assertFalse(error)
        _result, error = self._call_button(
            "cc_qm",
            QM_PASSWORD,
            "udi.di.sign.wizard",
            "action_sign",
            [action["res_id"]],
            {"signature_password": "not-my-password"},
        )
        self.assertIn("Wrong password", error)
        self.base_di.invalidate_recordset()
        self.assertEqual(self.base_di.state, "review")
        self.assertFalse(self.base_di.approval_signature_id)
        failures = self.env["recall.signature.failure"].search(
            [("res_model", "=", "udi.di"), ("res_id", "=", self.base_di.id)]
        )
        self.assertEqual(len(failures), 1)
        self.assertEqual(failures.meaning, "udi_di_approve")
        # the right password signs
        _result, error = self._call_button(
            "cc_qm",
            QM_PASSWORD,
            "udi.di.sign.wizard",
            "action_sign",
            [action["res_id"]],
            {"signature_password": QM_PASSWORD},
        )
        self.assertFalse(error)
        self.base_di.invalidate_recordset()
        self.assertEqual(self.base_di.state, "approved")

    def test_signature_digest_binds_the_regulated_attributes(self):
        self._approve(self.base_di)
        signature = self.base_di.approval_signature_id
        self.assertEqual(signature.meaning, "udi_di_approve")
        self.assertEqual(signature.user_id, self.manager)
        self.assertEqual(signature.company_id, self.company)
        content = self.base_di._recall_signed_content()
        self.assertEqual(content["device"]["udi_brand"], "VenaLine")
        self.assertEqual(content["di"], "06901234567892")
        self.assertEqual(
            signature.content_digest, hashlib.sha256(canonical_json(content)).hexdigest()
        )
        self.assertIsNone(signature._recall_binding_problem())
        # a change made behind the ORM's back is found by the binding check
        self.env.cr.execute(
            "UPDATE product_template SET udi_brand = 'Forged' WHERE id = %s", [self.catheter.id]
        )
        self.catheter.invalidate_recordset()
        self.assertIn("no longer matches", signature._recall_binding_problem())

    def test_clerk_cannot_approve(self):
        self.base_di.with_user(self.manager).action_submit_review()
        _result, error = self._call_button(
            "cc_clerk", "cc-clerk-password-1", "udi.di", "action_approve", self.base_di.ids
        )
        self.assertTrue(error)
        self.assertEqual(self.base_di.state, "review")


@tagged("post_install", "-at_install")
class TestOtherCompany(ChangeControlHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._approve(cls.base_di)
        cls._publish(cls.base_di, "gudid")
        cls.catheter.with_user(cls.manager).write({"udi_gmdn_code": "35210"})
        cls._seal()
        cls.company_b = cls.env["res.company"].create({"name": "Lingnan Devices Ltd."})
        cls.user_b = new_test_user(
            cls.env,
            "cc_manager_b",
            password="cc-manager-b-pw1",
            groups="base.group_user,udi_master.group_trace_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )

    def test_second_company_sees_none_of_it(self):
        self.assertTrue(self.base_di.submission_ids)
        for model in ("udi.di.publication", "udi.di.transition", "udi.di.submission"):
            response = self._json2(
                self.user_b, model, "search_read", {"domain": [], "fields": ["display_name"]}
            )
            self.assertEqual(response.status_code, 200, response.text)
            self.assertEqual(self._body(response), [], model)
        response = self._json2(
            self.user_b, "udi.di", "action_discontinue", {"ids": self.base_di.ids}
        )
        self.assertEqual(response.status_code, 403, response.text)
        self.assertEqual(self.base_di.state, "published")
        # company B ships with its own setting: on by default for a new company
        self.assertTrue(self.company_b.udi_block_unpublished_shipping)
