{
    "name": "Vigilance Management",
    "version": "19.0.1.0.0",
    "category": "Inventory/Traceability",
    "summary": "Complaints assessed and signed, reportable ones become vigilance reports on the "
    "regulators' clocks (EU MDR Art. 87/88, FDA 21 CFR 803, NMPA Order No. 1): initial, "
    "follow-up and final reports, review, signed approval, issue and filing, trend reports",
    "author": "UDI Traceability Suite",
    "website": "https://example.invalid/udi-traceability",
    "license": "LGPL-3",
    "depends": ["recall_mgmt", "helpdesk_mgmt", "udi_master", "trace_events"],
    "data": [
        "security/vigilance_mgmt_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/recall_deadline_rule_data.xml",
        "data/ir_cron_data.xml",
        "wizard/vigilance_assess_wizard_views.xml",
        "wizard/vigilance_report_sign_wizard_views.xml",
        "wizard/vigilance_report_file_wizard_views.xml",
        "views/vigilance_assessment_views.xml",
        "views/vigilance_report_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/recall_deadline_rule_views.xml",
        "views/vigilance_trend_views.xml",
        "views/menus.xml",
        "data/vigilance_report_document_data.xml",
        "report/vigilance_report_documents.xml",
        "report/vigilance_report_document_templates.xml",
        "views/vigilance_report_document_views.xml",
    ],
    "demo": [
        "demo/vigilance_mgmt_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "vigilance_mgmt/static/tests/tours/*.js",
        ],
    },
    "application": False,
    "installable": True,
}
