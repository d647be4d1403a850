from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import PoFileReader, TranslationModuleReader


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_user_facing_term_has_a_simplified_chinese_translation(self):
        terms = {
            source
            for module, _type, _name, _res_id, source, _value, _comments in TranslationModuleReader(
                self.env.cr, modules=["audit_seal"]
            )
            if module == "audit_seal"
        }
        with open(file_path("audit_seal/i18n/zh_CN.po"), "rb") as po:
            translated = {entry["src"] for entry in PoFileReader(po) if entry["value"]}
        missing = sorted(terms - translated)
        self.assertFalse(missing, "terms without a zh_CN translation:\n" + "\n".join(missing))
