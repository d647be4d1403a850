from odoo.tests import new_test_user

from odoo.addons.trace_events.tests.common import TraceCommon

QM_PASSWORD = "sa-qm-password-1"


class SelfAssessmentCommon(TraceCommon):
    """TraceCommon's devices and partners, with helpers that run one rule (or all) for the
    company and read what it found. The company's shipping block (``udi_change_control``) is off:
    the rules judge what was shipped anyway (before the block, or with it switched off)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["udi.compliance.run"]
        cls.china = cls.env.ref("base.cn")
        cls.usa = cls.env.ref("base.us")
        cls.distributor.country_id = cls.china
        cls.hospital.country_id = cls.china
        cls.company.udi_block_unpublished_shipping = False
        cls.quality_manager = new_test_user(
            cls.env,
            "sa_qm",
            password=QM_PASSWORD,
            name="Zhou Min",
            groups="base.group_user,udi_master.group_trace_manager,stock.group_stock_manager,"
            "product.group_product_manager",
        )

    def _rule(self, code):
        return self.env["udi.compliance.rule"].search([("code", "=", code)])

    def _run(self, company=None):
        return self.Run._compliance_execute(company or self.env.company)

    def _found(self, code, company=None):
        """{(model, id): detail} of the findings of rule ``code`` in a new run."""
        run = self._run(company)
        result = run.result_ids.filtered(lambda r: r.code == code)
        self.assertEqual(len(result), 1, f"rule {code} ran once")
        return {(f.res_model, f.res_id): f.detail for f in result.finding_ids}

    def _publish(self, template, database, day):
        """``template``'s base-unit DI published in ``database`` on ``day`` through the change
        control buttons, as the quality manager: submitted, approved with a signature (password
        dialog) when still a draft, then the Publish dialog. Returns the base DI."""
        di = template.udi_di_ids.filtered(lambda d: d.packaging_level == "base")
        di = di.with_user(self.quality_manager)
        if di.state == "draft":
            di.action_submit_review()
            action = di.action_approve()
            sign = self.env[action["res_model"]].with_user(self.quality_manager)
            sign.browse(action["res_id"]).with_context(signature_password=QM_PASSWORD).action_sign()
        action = di.action_publish()
        wizard = self.env[action["res_model"]].with_user(self.quality_manager)
        wizard = wizard.browse(action["res_id"])
        wizard.write({"database": database, "publish_date": day})
        wizard.action_publish()
        return di
