from odoo.addons.trace_events.tests.common import TraceCommon


class SelfAssessmentCommon(TraceCommon):
    """TraceCommon's devices and partners, with helpers that run one rule (or all) for the
    company and read what it found."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["udi.compliance.run"]
        cls.china = cls.env.ref("base.cn")
        cls.usa = cls.env.ref("base.us")
        cls.distributor.country_id = cls.china
        cls.hospital.country_id = cls.china

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
