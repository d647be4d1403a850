{
    "name": "Audit Seal",
    "version": "19.0.1.2.0",
    "category": "Inventory/Traceability",
    "summary": "Tamper-evident, signed ledger any model can use: hash chain, Ed25519 "
    "checkpoints, key rotation, verification in Odoo and offline, sealed change log",
    "author": "UDI Traceability Suite",
    "website": "https://example.invalid/udi-traceability",
    "license": "LGPL-3",
    "depends": ["base", "mail", "auditlog"],
    "external_dependencies": {"python": ["cryptography"]},
    "data": [
        "security/audit_seal_security.xml",
        "security/ir.model.access.csv",
        "data/audit_seal_retention_data.xml",
        "data/ir_cron_data.xml",
        "data/auditlog_rule_data.xml",
        "views/audit_seal_entry_views.xml",
        "views/audit_seal_checkpoint_views.xml",
        "views/audit_seal_key_views.xml",
        "views/audit_seal_verification_views.xml",
        "views/audit_seal_published_head_views.xml",
        "views/audit_seal_retention_views.xml",
        "views/audit_seal_model_views.xml",
        "views/audit_seal_demo_record_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/audit_seal_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "audit_seal/static/src/views/*",
        ],
    },
    "uninstall_hook": "uninstall_hook",
    "application": True,
    "installable": True,
}
