from odoo.tests import tagged

from .common import TraceCommon


@tagged("post_install", "-at_install")
class TestMasterDataLog(TraceCommon):
    """The UDI master data is subscribed to audit_seal's sealed change log at install."""

    def _log_lines(self, record):
        logs = self.env["auditlog.log"].search(
            [("model_model", "=", record._name), ("res_id", "=", record.id),
             ("method", "=", "write")]
        )
        return {line.field_name: line for line in logs.line_ids}

    def test_device_udi_fields_changes_are_logged_with_old_and_new_value(self):
        self.catheter.write({"udi_registration_number": "国械注准20243030001",
                             "description_sale": "not master data"})
        lines = self._log_lines(self.catheter)
        self.assertIn("udi_registration_number", lines)
        self.assertEqual(lines["udi_registration_number"].new_value_text, "国械注准20243030001")
        self.assertNotIn("description_sale", lines)

    def test_lot_expiry_change_is_logged(self):
        lot = self._lot(self.catheter_variant, "LOG01", expiry=self._date(300))
        lot.udi_expiry_date = self._date(200)
        self.assertIn("expiration_date", self._log_lines(lot))

    def test_partner_roles_and_licence_changes_are_logged(self):
        self.distributor.write({
            "udi_licence_expiry": self._date(10),
            "udi_role_ids": [(4, self.env.ref("udi_master.partner_role_healthcare").id)],
        })
        lines = self._log_lines(self.distributor)
        self.assertIn("udi_licence_expiry", lines)
        self.assertIn("udi_role_ids", lines)

    def test_the_change_log_entries_are_sealed_at_commit(self):
        self.distributor.udi_licence_number = "苏药监械经营许20240002号"
        log = self.env["auditlog.log"].search(
            [("model_model", "=", "res.partner"), ("res_id", "=", self.distributor.id),
             ("method", "=", "write")]
        )
        self.assertTrue(log)
        pending = self.env["audit.seal.entry"]._seal_pending_ids("auditlog.log")
        self.assertTrue(set(log.ids) <= pending, "queued for the ledger at commit")

    def test_creating_a_contact_of_a_company_still_works(self):
        """OCA auditlog's create snapshot must not lose computed fields (commercial partner)."""
        ward = self.env["res.partner"].create({"name": "Cardiology", "parent_id": self.hospital.id})
        self.env.flush_all()
        self.assertEqual(ward.commercial_partner_id, self.hospital)
        self.env.cr.execute(
            "SELECT commercial_partner_id FROM res_partner WHERE id = %s", [ward.id]
        )
        self.assertEqual(self.env.cr.fetchone()[0], self.hospital.id)

    def test_a_lot_create_logs_the_fields_of_the_rule_as_it_is_now(self):
        """The fields a rule excludes are cached; a manager editing the rule's excluded fields
        changes what the next lot's log says."""

        def create_log_fields(name):
            lot = self.env["stock.lot"].create(
                {"name": name, "product_id": self.catheter_variant.id, "note": "<p>N</p>"}
            )
            log = self.env["auditlog.log"].search(
                [("model_model", "=", "stock.lot"), ("res_id", "=", lot.id),
                 ("method", "=", "create")]
            )
            return set(log.line_ids.mapped("field_name"))

        self.assertNotIn("note", create_log_fields("LOGRULE1"))
        rule = self.env["auditlog.rule"].search([("model_id.model", "=", "stock.lot")])
        note = self.env["ir.model.fields"]._get("stock.lot", "note")
        rule.write({"fields_to_exclude_ids": [(3, note.id)]})
        self.assertIn("note", create_log_fields("LOGRULE2"))
