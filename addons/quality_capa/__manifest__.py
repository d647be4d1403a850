{
    "name": "Nonconformity and CAPA",
    "version": "19.0.1.0.0",
    "category": "Management Systems",
    "summary": "OCA nonconformities and actions for medical devices: linked to devices, DIs and "
    "lots, raised from complaints, incoming inspection rejects, recall root causes and drill "
    "findings; effectiveness check and signed, sealed CAPA closure (ISO 13485 8.5.2)",
    "author": "UDI Traceability Suite",
    "website": "https://example.invalid/udi-traceability",
    "license": "LGPL-3",
    "depends": [
        "recall_mgmt",
        "mgmtsystem_nonconformity",
        "mgmtsystem_action",
    ],
    "data": [
        "security/quality_capa_security.xml",
        "security/ir.model.access.csv",
        "data/mgmtsystem_nonconformity_origin_data.xml",
        "wizard/quality_capa_sign_wizard_views.xml",
        "views/mgmtsystem_nonconformity_views.xml",
        "views/mgmtsystem_action_views.xml",
        "views/quality_capa_closure_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/recall_campaign_views.xml",
        "views/product_template_views.xml",
        "views/stock_lot_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/quality_capa_demo.xml",
    ],
    "application": False,
    "installable": True,
}
