{
    "name": "UDI Traceability Suite: Demo",
    "version": "19.0.1.0.0",
    "category": "Hidden",
    "summary": "The demo of the suite: device histories, recalls and a sealed reference model, "
    "built through the flows users run (demo-only module, never install it in production)",
    "author": "UDI Traceability Suite",
    "website": "https://example.invalid/udi-traceability",
    "license": "LGPL-3",
    "depends": [
        "udi_master",
        "audit_seal",
        "trace_events",
        "recall_mgmt",
        "partner_portal",
        "udi_change_control",
        "udi_inspection",
        "udi_self_assessment",
    ],
    "data": [
        "security/ir.model.access.csv",
        "views/audit_seal_demo_record_views.xml",
    ],
    "demo": [
        "demo/audit_seal_demo.xml",
        "demo/trace_demo.xml",
        "demo/recall_demo.xml",
        "demo/inspection_demo.xml",
        "demo/self_assessment_demo.xml",
    ],
    "application": False,
    "installable": True,
}
