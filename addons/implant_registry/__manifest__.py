{
    "name": "Implant Registry",
    "version": "19.0.1.0.0",
    "category": "Inventory/Traceability",
    "summary": "Tracked devices (21 CFR 821) to the patient: implantation and explantation "
    "records with encrypted patient pseudonyms, a privacy group with a sealed read log, EPCIS "
    "events and tracking reports on demand",
    "author": "UDI Traceability Suite",
    "website": "https://example.invalid/udi-traceability",
    "license": "LGPL-3",
    "depends": ["recall_mgmt", "partner_portal"],
    "external_dependencies": {"python": ["cryptography", "xlsxwriter"]},
    "data": [
        "security/implant_registry_security.xml",
        "security/ir.model.access.csv",
        "security/portal_security.xml",
        "data/ir_sequence_data.xml",
        "data/implant_retention_rule_data.xml",
        "data/ir_cron_data.xml",
        "wizard/implant_record_wizard_views.xml",
        "wizard/implant_erase_wizard_views.xml",
        "views/implant_record_views.xml",
        "views/implant_retention_rule_views.xml",
        "views/implant_tracking_line_views.xml",
        "report/implant_tracking_templates.xml",
        "views/implant_patient_access_views.xml",
        "views/product_template_views.xml",
        "views/menus.xml",
        "views/recall_implant_line_views.xml",
        "views/portal_templates.xml",
        "views/portal_recall_templates.xml",
    ],
    "demo": [
        "demo/implant_registry_demo.xml",
        "demo/portal_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "implant_registry/static/tests/tours/*.js",
        ],
    },
    "application": False,
    "installable": True,
}
