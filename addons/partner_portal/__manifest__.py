{
    "name": "Recall Partner Portal",
    "version": "19.0.1.0.0",
    "category": "Inventory/Traceability",
    "summary": "Distributors see their recall notices in the portal, acknowledge them with an "
    "electronic signature, report quantities, evidence, returns and onward consignees, "
    "in the browser or over the API",
    "author": "UDI Traceability Suite",
    "website": "https://example.invalid/udi-traceability",
    "license": "LGPL-3",
    "depends": ["recall_mgmt", "portal"],
    "data": [
        "security/partner_portal_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "views/recall_notice_views.xml",
        "views/stock_picking_views.xml",
        "views/portal_templates.xml",
        "views/trace_webhook_endpoint_views.xml",
        "views/portal_webhook_templates.xml",
    ],
    "demo": [
        "demo/partner_portal_demo.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "partner_portal/static/src/scss/*.scss",
        ],
        "web.assets_tests": [
            "partner_portal/static/tests/tours/*.js",
        ],
    },
    "application": False,
    "installable": True,
}
