{
    "name": "UDI Master Data",
    "version": "19.0.1.0.0",
    "category": "Inventory/Traceability",
    "summary": "UDI-DI / UDI-PI master data, scan parsing, GS1 labels and DI database exports "
    "for medical devices",
    "author": "UDI Traceability Suite",
    "website": "https://example.invalid/udi-traceability",
    "license": "LGPL-3",
    "depends": ["stock", "product_expiry"],
    "external_dependencies": {
        "python": ["biip", "python-barcode", "qrcode", "zxing-cpp"],
    },
    "data": [
        "security/udi_master_security.xml",
        "security/ir.model.access.csv",
        "data/udi_partner_role_data.xml",
        "views/udi_di_views.xml",
        "views/udi_di_export_views.xml",
        "views/product_template_views.xml",
        "views/product_template_udi_db_views.xml",
        "views/stock_lot_views.xml",
        "views/res_partner_views.xml",
        "views/stock_move_line_views.xml",
        "wizard/udi_label_wizard_views.xml",
        "wizard/udi_di_export_wizard_views.xml",
        "report/udi_label_report.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/udi_master_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "udi_master/static/tests/tours/*.js",
        ],
    },
    "application": True,
    "installable": True,
}
