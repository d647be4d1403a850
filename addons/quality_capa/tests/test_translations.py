from odoo.tests import TransactionCase, tagged

from odoo.addons.udi_master.tests.common import untranslated_terms


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_user_facing_term_has_a_simplified_chinese_translation(self):
        missing = untranslated_terms(self.env.cr, "quality_capa")
        self.assertFalse(missing, "terms without a zh_CN translation:\n" + "\n".join(missing))
