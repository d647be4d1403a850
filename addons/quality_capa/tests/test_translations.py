from odoo.tests import TransactionCase, tagged

from odoo.addons.udi_master.tests.common import untranslated_terms


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_user_facing_term_has_a_simplified_chinese_translation(self):
        missing = untranslated_terms(self.env.cr, "quality_capa")
        self.assertFalse(missing, "terms without a zh_CN translation:\n" + "\n".join(missing))

    def test_oca_labels_shown_on_capa_screens_are_in_simplified_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["quality_capa"], ["zh_CN"], True)
        stage = self.env.ref("mgmtsystem_nonconformity.stage_pending").with_context(lang="zh_CN")
        self.assertEqual(stage.name, "措施计划")
        field = self.env["ir.model.fields"]._get("mgmtsystem.nonconformity", "action_comments")
        self.assertEqual(field.with_context(lang="zh_CN").field_description, "措施计划意见")
