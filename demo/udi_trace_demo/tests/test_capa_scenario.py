"""The demo builder runs through the flows users take (CI installs without demo data)."""

from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.ref("udi_master.user_quality_manager", raise_if_not_found=False):
            convert_file(
                cls.env, "udi_master", "demo/udi_master_demo.xml", {}, mode="init", noupdate=True
            )
        convert_file(
            cls.env, "quality_capa", "demo/quality_capa_demo.xml", {}, mode="init", noupdate=True
        )
        cls.drill = cls.env["udi.demo.capa"]._demo_scenario()

    def test_drill_findings_with_one_capa_closed_with_effectiveness_and_signature(self):
        drill = self.drill
        self.assertTrue(drill.is_drill)
        self.assertEqual(drill.state, "closed")
        findings = drill.capa_nonconformity_ids
        self.assertEqual(
            sorted(findings.mapped("drill_kpi")),
            ["coverage_acknowledged"],
            "the hospital never acknowledged: one finding",
        )
        self.assertTrue(all(f.action_ids for f in findings))
        closed = findings.filtered("capa_closure_id")
        self.assertEqual(len(closed), 1)
        self.assertEqual(closed.state, "done")
        self.assertEqual(len(closed.action_ids), 2, "the corrective and a preventive action")
        manager = self.env.ref("udi_master.user_quality_manager")
        closure = closed.capa_closure_id
        self.assertEqual(closure.signature_id.meaning, "capa_close")
        self.assertEqual(closure.signature_id.user_id, manager)
        self.assertEqual(closure.effectiveness_result, "effective")
        self.assertIn("repeat-drill-CVC2511D.txt", closure.evidence_summary)
        self.assertFalse(closure.signature_id._recall_binding_problem())

    def test_complaint_capa_with_an_overdue_action(self):
        nc = self.env["mgmtsystem.nonconformity"].search(
            [("capa_source", "=", "complaint"), ("lot_ids.name", "=", "CVC2511D")]
        )
        self.assertEqual(len(nc), 1)
        self.assertEqual(nc.state, "open")
        self.assertTrue(nc.ticket_id)
        self.assertEqual(nc.overdue_action_count, 1)

    def test_builder_runs_once(self):
        self.assertEqual(self.env["udi.demo.capa"]._demo_scenario(), self.drill)
