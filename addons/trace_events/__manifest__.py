{
    "name": "Trace Events",
    "version": "19.0.1.3.0",
    "category": "Inventory/Traceability",
    "summary": "Every movement of a medical device as a sealed GS1 EPCIS 2.0 event: stock moves, "
    "manufacturing, repairs, service tickets, external capture; forward and backward trace",
    "author": "UDI Traceability Suite",
    "website": "https://example.invalid/udi-traceability",
    "license": "LGPL-3",
    "depends": ["udi_master", "audit_seal", "stock", "mrp", "repair", "helpdesk_mgmt"],
    "external_dependencies": {"python": ["jsonschema"]},
    "data": [
        "security/trace_events_security.xml",
        "security/ir.model.access.csv",
        "data/auditlog_rule_data.xml",
        "views/trace_event_views.xml",
        "views/trace_event_line_views.xml",
        "views/trace_holding_views.xml",
        "views/stock_lot_views.xml",
        "views/helpdesk_ticket_views.xml",
        "wizard/trace_epcis_import_wizard_views.xml",
        "wizard/trace_lot_wizard_views.xml",
        "wizard/trace_unit_genealogy_wizard_views.xml",
        "views/mrp_production_views.xml",
        "views/menus.xml",
    ],
    "post_init_hook": "post_init_hook",
    "assets": {
        "web.assets_backend": [
            "trace_events/static/src/**/*",
        ],
        "web.assets_tests": [
            "trace_events/static/tests/tours/*.js",
        ],
    },
    "application": False,
    "installable": True,
}
