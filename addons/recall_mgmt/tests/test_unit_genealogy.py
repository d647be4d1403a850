"""A component recall's impact analysis with and without per-unit genealogy: the exact units
with it, every unit of the order with the stated warning without it (the known assignment of
trace_events' genealogy fixture)."""

from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.trace_events.tests.genealogy_common import GenealogyCommon


@tagged("post_install", "-at_install")
class TestRecallUnitGenealogy(HttpCase, GenealogyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            "genealogy_qm",
            password="genealogy-qm-pw1",
            groups="base.group_user,udi_master.group_trace_manager,stock.group_stock_manager",
        )

    def _analyse(self, lot):
        campaign = (
            self.env["recall.campaign"]
            .with_user(self.manager)
            .create(
                {
                    "title": "Catheter hub may crack inside the pacemaker header",
                    "reason": "Supplier notice SN-2026-14: hub cracks in lot " + lot.name,
                    "recall_class": "2",
                    "jurisdiction_ids": [(6, 0, self.env.ref("recall_mgmt.jurisdiction_nmpa").ids)],
                    "component_lot_ids": [(6, 0, lot.ids)],
                }
            )
        )
        self.authenticate("genealogy_qm", "genealogy-qm-pw1")
        self.make_jsonrpc_request(
            "/web/dataset/call_button/recall.campaign/action_analyze_impact",
            {
                "model": "recall.campaign",
                "method": "action_analyze_impact",
                "args": [campaign.ids],
                "kwargs": {"context": {}},
            },
        )
        campaign.invalidate_recordset()
        return campaign

    def _units_in_scope(self, campaign):
        return campaign.scope_lot_ids.filtered(lambda lot: lot.product_id == self.pacemaker)

    def test_without_unit_data_the_impact_reaches_every_unit_and_says_so(self):
        campaign = self._analyse(self.cath_a)
        self.assertEqual(self._units_in_scope(campaign), self.units)
        self.assertEqual(campaign.scope_widened_count, 4)
        self.assertIn("per-unit data missing for 4 units", campaign.scope_warning)
        widened = campaign.line_ids.filtered("scope_widened")
        self.assertEqual(widened.lot_id, self.units)
        notes = " ".join(note for note in campaign.log_ids.mapped("note") if note)
        self.assertIn("per-unit data missing for 4 units", notes)

    def test_with_unit_data_the_impact_is_exactly_the_units_that_contain_the_lot(self):
        self._record_truth()
        for lot, units in self.truth.items():
            campaign = self._analyse(lot)
            self.assertEqual(self._units_in_scope(campaign), units, lot.name)
            self.assertEqual(campaign.scope_widened_count, 0)
            self.assertFalse(campaign.scope_warning)
            self.assertFalse(campaign.line_ids.filtered("scope_widened"))

    def test_mixed_data_gives_the_exact_units_plus_the_rest_with_their_number(self):
        self._record_truth(self.units[0] | self.units[2])
        campaign = self._analyse(self.cath_a)
        self.assertEqual(
            self._units_in_scope(campaign), self.units[0] | self.units[1] | self.units[3]
        )
        self.assertEqual(campaign.scope_widened_count, 2)
        self.assertEqual(campaign.scope_widened_lot_ids, self.units[1] | self.units[3])
        self.assertIn("per-unit data missing for 2 units", campaign.scope_warning)

    def test_the_campaign_form_shows_the_warning(self):
        arch = self.env["recall.campaign"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("o_recall_scope_widened", arch)
        self.assertIn('name="scope_warning"', arch)
