{
    "name": "Recall Documents",
    "version": "19.0.1.0.0",
    "category": "Inventory/Traceability",
    "summary": "Every regulatory document of a recall, due on its clock: NMPA investigation "
    "report, recall plan, progress, plan change and summary reports; FDA status reports and "
    "termination request; EU FSCA progress and final reports; signed, sealed when issued",
    "author": "UDI Traceability Suite",
    "website": "https://example.invalid/udi-traceability",
    "license": "LGPL-3",
    "depends": ["recall_mgmt"],
    "data": [
        "security/recall_documents_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/recall_deadline_rule_data.xml",
        "report/recall_document_reports.xml",
        "report/recall_document_templates.xml",
        "wizard/recall_document_sign_wizard_views.xml",
        "views/recall_document_views.xml",
        "views/recall_campaign_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/recall_documents_demo.xml"],
    "application": False,
    "installable": True,
}
