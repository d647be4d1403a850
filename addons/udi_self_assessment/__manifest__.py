{
    "name": "UDI Compliance Self-Assessment",
    "version": "19.0.1.0.0",
    "category": "Inventory/Traceability",
    "summary": "Compliance rules as data, run against live data on demand and nightly: findings "
    "per rule with drill-down to the offending records, trend and data-error rate",
    "author": "UDI Traceability Suite",
    "website": "https://example.invalid/udi-traceability",
    "license": "LGPL-3",
    "depends": ["trace_events", "recall_mgmt", "udi_change_control"],
    "data": [
        "security/udi_self_assessment_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/udi_compliance_rule_data.xml",
        "data/ir_cron_data.xml",
        "views/udi_compliance_rule_views.xml",
        "views/udi_compliance_finding_views.xml",
        "views/udi_compliance_result_views.xml",
        "views/udi_compliance_run_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/udi_self_assessment_demo.xml",
    ],
    "application": False,
    "installable": True,
}
