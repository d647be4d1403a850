{
    "name": "UDI Incoming Inspection",
    "version": "19.0.1.0.0",
    "category": "Inventory/Traceability",
    "summary": "Receipts of regulated devices held in an inspection stage: UDI scan checks per "
    "lot/serial, signed release or rejection, nonconformity and return to the supplier, "
    "EPCIS events (GSP/GMP receiving, ISO 13485 7.4.3 and 8.2.6)",
    "author": "UDI Traceability Suite",
    "website": "https://example.invalid/udi-traceability",
    "license": "LGPL-3",
    "depends": [
        "trace_events",
        "recall_mgmt",
        "purchase_stock",
        "mgmtsystem_nonconformity",
        "quality_capa",
    ],
    "data": [
        "security/udi_inspection_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/mgmtsystem_nonconformity_origin_data.xml",
        "wizard/udi_inspection_sign_wizard_views.xml",
        "views/udi_inspection_views.xml",
        "views/stock_picking_views.xml",
        "views/stock_warehouse_views.xml",
        "views/product_template_views.xml",
        "views/mgmtsystem_nonconformity_views.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "udi_inspection/static/tests/tours/*.js",
        ],
    },
    "application": False,
    "installable": True,
}
