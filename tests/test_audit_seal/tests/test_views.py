from odoo.exceptions import AccessError, UserError

from .common import SealCase

MODELS = (
    "audit.seal.entry",
    "audit.seal.checkpoint",
    "audit.seal.key",
    "audit.seal.verification",
    "audit.seal.retention",
    "audit.seal.model",
)


class TestViews(SealCase):
    def test_manager_loads_every_ledger_view(self):
        self.seal(2)
        for model in MODELS:
            with self.subTest(model=model):
                env_model = self.env[model].with_user(self.manager)
                views = env_model.get_views([(False, "list"), (False, "form"), (False, "search")])
                self.assertEqual(set(views["views"]), {"list", "form", "search"})
                env_model.search_read([], limit=5)

    def test_ledger_lists_carry_the_demo_banner_view(self):
        for model in (
            "audit.seal.entry",
            "audit.seal.checkpoint",
            "audit.seal.key",
            "audit.seal.verification",
        ):
            arch = (
                self.env[model]
                .with_user(self.manager)
                .get_views([(False, "list")])["views"]["list"]["arch"]
            )
            self.assertIn('js_class="audit_seal_list"', arch)

    def test_menu_is_visible_to_managers_only(self):
        root = self.env.ref("audit_seal.audit_seal_menu_root")
        visible = self.env["ir.ui.menu"].with_user(self.manager)._visible_menu_ids()
        self.assertIn(root.id, visible)
        hidden = self.env["ir.ui.menu"].with_user(self.clerk)._visible_menu_ids()
        self.assertNotIn(root.id, hidden)

    def test_other_users_cannot_read_the_ledger(self):
        for model in (
            "audit.seal.entry",
            "audit.seal.checkpoint",
            "audit.seal.key",
            "audit.seal.verification",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.clerk).search_read([], limit=1)

    def test_simplified_chinese_translation_is_loaded(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["audit_seal"], ["zh_CN"], overwrite=True)
        env_zh = self.env(context={"lang": "zh_CN"})
        menu = env_zh.ref("audit_seal.audit_seal_menu_root")
        self.assertEqual(menu.name, "审计封存")
        fields_zh = env_zh["audit.seal.entry"].fields_get(["entry_hash"])
        self.assertEqual(fields_zh["entry_hash"]["string"], "哈希值")
        record = self.seal()
        with self.assertRaisesRegex(UserError, "已封存于审计台账"):
            record.with_context(lang="zh_CN").write({"name": "x"})
