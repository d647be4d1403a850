"""Runs as people start them: the button as the web client calls it, the nightly cron; who may
run and read; another company; rules and runs attacked over JSON-2."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.udi_master.tests.json2 import api_key, post_json2

from .common import SelfAssessmentCommon

MANAGER_PASSWORD = "sa-manager-pw1"
USER_PASSWORD = "sa-user-pw1"


@tagged("post_install", "-at_install")
class TestComplianceRuns(HttpCase, SelfAssessmentCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            "sa_manager",
            password=MANAGER_PASSWORD,
            name="Li Na",
            groups="base.group_user,udi_master.group_trace_manager",
        )
        cls.user = new_test_user(
            cls.env,
            "sa_user",
            password=USER_PASSWORD,
            groups="base.group_user,udi_master.group_trace_user",
        )
        # a party of trace events without a GLN: every run of the company finds it
        cls._receive([(cls.catheter_variant, "RUN-LOT", 10)], partner=cls.supplier)

    def _call_button(self, method, ids, model="udi.compliance.run"):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_button/{model}/{method}",
            {"model": model, "method": method, "args": [ids], "kwargs": {"context": {}}},
        )

    def test_manager_runs_the_self_assessment_with_the_list_button(self):
        self.authenticate("sa_manager", MANAGER_PASSWORD)
        action = self._call_button("action_run_self_assessment", [])
        run = self.Run.browse(action["res_id"])
        self.assertEqual(action["res_model"], "udi.compliance.run")
        self.assertEqual(
            (run.user_id, run.trigger, run.company_id), (self.manager, "manual", self.company)
        )
        rules = self.env["udi.compliance.rule"].search([])
        self.assertEqual(run.result_ids.rule_id, rules)
        gln = run.result_ids.filtered(lambda r: r.code == "GLN")
        self.assertIn(self.supplier.id, gln.finding_ids.mapped("res_id"))
        self.assertEqual(run.finding_count, sum(run.result_ids.mapped("finding_count")))
        self.assertAlmostEqual(run.error_rate, run.finding_count / run.population)
        self.assertAlmostEqual(gln.error_rate, gln.finding_count / gln.population)

    def test_manager_runs_it_from_the_dashboard_and_opens_the_offending_records(self):
        self.authenticate("sa_manager", MANAGER_PASSWORD)
        action = self._call_button("action_run_self_assessment", [], "udi.compliance.result")
        gln = self.Run.browse(action["res_id"]).result_ids.filtered(lambda r: r.code == "GLN")
        self.assertTrue(gln.is_latest)
        records = self._call_button("action_open_records", gln.ids, "udi.compliance.result")
        self.assertEqual(records["res_model"], "res.partner")
        self.assertIn(self.supplier.id, records["domain"][0][2])
        finding = gln.finding_ids.filtered(lambda f: f.res_id == self.supplier.id)
        opened = self._call_button("action_open_record", finding.ids, "udi.compliance.finding")
        self.assertEqual((opened["res_model"], opened["res_id"]), ("res.partner", self.supplier.id))

    @mute_logger("odoo.http")
    def test_traceability_user_reads_runs_but_cannot_start_one(self):
        run = self._run()
        self.authenticate("sa_user", USER_PASSWORD)
        with self.assertRaises(JsonRpcException) as caught:
            self._call_button("action_run_self_assessment", [])
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.AccessError")
        self.assertEqual(self.Run.search_count([]), 1)
        seen = self.Run.with_user(self.user).search([])
        self.assertEqual(seen, run)
        self.assertTrue(seen.with_user(self.user).result_ids.finding_ids)

    def test_second_company_sees_none_of_the_first_companys_findings(self):
        run = self._run()
        self.assertTrue(run.finding_ids)
        other = self.env["res.company"].create({"name": "Suzhou Second Device Co."})
        outsider = new_test_user(
            self.env,
            "sa_outsider",
            groups="base.group_user,udi_master.group_trace_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        Finding = self.env["udi.compliance.finding"].with_user(outsider)
        self.assertFalse(Finding.search([]))
        self.assertFalse(self.Run.with_user(outsider).search([]))
        self.assertFalse(self.env["udi.compliance.result"].with_user(outsider).search([]))
        with self.assertRaises(AccessError):
            run.finding_ids[:1].with_user(outsider).read(["name", "detail"])
        # the other company's own run finds nothing of the first company
        own = self.Run._compliance_execute(other)
        self.assertTrue(all(finding.company_id == other for finding in own.finding_ids))
        self.assertNotIn(self.supplier.id, own.finding_ids.mapped("res_id"))
        self.assertEqual(Finding.search([]), own.finding_ids)

    def test_nightly_cron_runs_once_per_company(self):
        other = self.env["res.company"].create({"name": "Nanjing Night Shift Ltd."})
        self.env.ref("udi_self_assessment.ir_cron_udi_compliance_run").method_direct_trigger()
        runs = self.Run.search([("trigger", "=", "cron")])
        self.assertEqual(runs.company_id, self.env["res.company"].search([]))
        self.assertIn(other, runs.company_id)
        ours = runs.filtered(lambda r: r.company_id == self.company)
        self.assertIn(self.supplier.id, ours.finding_ids.mapped("res_id"))

    @mute_logger("odoo.http")
    def test_a_rule_cannot_be_pointed_to_another_method_over_json2(self):
        rule = self._rule("GLN")
        key = api_key(self.env, self.manager)
        for method in (
            "_compliance_execute",
            "unlink",
            "_check_chronology ",
            "action_view_results",
        ):
            response = post_json2(
                self,
                "/json/2/udi.compliance.rule/write",
                {"ids": rule.ids, "vals": {"check_method": method}},
                key,
            )
            self.assertNotEqual(response.status_code, 200, method)
            self.assertEqual(rule.check_method, "_check_event_glns")
        response = post_json2(
            self,
            "/json/2/udi.compliance.rule/create",
            {
                "vals_list": [
                    {"code": "X1", "name": "X", "statement_ref": "-", "check_method": "unlink"}
                ]
            },
            key,
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertFalse(self._rule("X1"))
        # a whitelisted check can be chosen
        response = post_json2(
            self,
            "/json/2/udi.compliance.rule/write",
            {"ids": rule.ids, "vals": {"check_method": "_check_chronology", "severity": "major"}},
            key,
        )
        self.assertEqual(response.status_code, 200, response.text)

    def test_engine_refuses_a_check_outside_the_whitelist_whatever_the_database_says(self):
        rule = self._rule("GLN")
        self.env.cr.execute(
            "UPDATE udi_compliance_rule SET check_method = 'unlink' WHERE id = %s", rule.ids
        )
        rule.invalidate_recordset()
        with self.assertRaises(ValidationError):
            rule._compliance_check_function()
        self.assertTrue(rule.exists())

    def test_a_finding_changed_after_the_run_no_longer_matches_the_sealed_digest(self):
        run = self._run()
        gln = run.result_ids.filtered(lambda r: r.code == "GLN")
        self.assertEqual(gln.action_verify_findings()["params"]["type"], "success")
        self.env.cr.execute(
            "UPDATE udi_compliance_finding SET detail = 'fine' WHERE id = %s",
            [gln.finding_ids[0].id],
        )
        with self.assertRaisesRegex(UserError, "no longer match"):
            gln.action_verify_findings()

    @mute_logger("odoo.http")
    def test_runs_and_findings_cannot_be_written_or_made_over_json2(self):
        run = self._run()
        key = api_key(self.env, self.manager)
        attempts = [
            ("udi.compliance.run/write", {"ids": run.ids, "vals": {"finding_count": 0}}),
            ("udi.compliance.run/create", {"vals_list": [{"name": "forged"}]}),
            ("udi.compliance.finding/unlink", {"ids": run.finding_ids.ids}),
            ("udi.compliance.result/write", {"ids": run.result_ids.ids, "vals": {"population": 1}}),
            ("udi.compliance.run/_compliance_execute", {"company": self.company.id}),
        ]
        counts = (run.finding_count, len(run.finding_ids))
        for path, body in attempts:
            response = post_json2(self, f"/json/2/{path}", body, key)
            self.assertNotEqual(response.status_code, 200, path)
        run.invalidate_recordset()
        self.assertEqual((run.finding_count, len(run.finding_ids)), counts)
        self.assertEqual(self.Run.search_count([]), 1)
