"""The demo data loads through the buttons and the signature dialog and shows each state."""

from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file

DEMO_FILES = (
    ("udi_master", "demo/udi_master_demo.xml", "udi_master.product_pacemaker"),
    ("udi_change_control", "demo/udi_change_control_demo.xml", "udi_change_control.di_stent_base"),
)


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for module, path, xmlid in DEMO_FILES:
            if not cls.env.ref(xmlid, raise_if_not_found=False):
                convert_file(cls.env, module, path, {}, mode="init", noupdate=True)

    def test_a_device_in_each_life_cycle_state(self):
        bases = self.env["udi.di"].search([("packaging_level", "=", "base")])
        by_di = {di.di: di for di in bases}
        self.assertEqual(by_di["06901234600018"].state, "draft")
        self.assertEqual(by_di["06901234600025"].state, "review")
        self.assertEqual(by_di["06901234600032"].state, "approved")
        self.assertEqual(by_di["06901234600063"].state, "discontinued")
        old, new = by_di["06901234600049"], by_di["06901234600056"]
        self.assertEqual((old.state, new.state), ("superseded", "published"))
        self.assertEqual(new.previous_di_id, old)
        self.assertEqual(new.product_tmpl_id.udi_device_count, 10)
        pacemaker = self.env.ref("udi_master.di_pacemaker_base")
        self.assertEqual(sorted(pacemaker.publication_ids.mapped("database")), ["gudid", "nmpa"])
        self.assertEqual(
            pacemaker.approval_signature_id.user_id, self.env.ref("udi_master.user_quality_manager")
        )
        task = pacemaker.submission_ids
        self.assertEqual((task.database, task.state), ("gudid", "open"))
        self.assertTrue(self.env.ref("base.main_company").udi_block_unpublished_shipping)
