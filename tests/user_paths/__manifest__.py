{
    "name": "UDI Traceability Suite: User Path Tests",
    "version": "19.0.1.0.0",
    "summary": "Every menu, view, button, report and server action of the suite as each role "
    "reaches it in the web client, and the portal pages (test-only module, never install it "
    "in production)",
    "category": "Hidden/Tests",
    "depends": [
        "partner_portal",
        "udi_change_control",
        "udi_inspection",
        "udi_self_assessment",
        "quality_capa",
        "vigilance_mgmt",
        "recall_documents",
        "implant_registry",
    ],
    "data": [],
    "installable": True,
    "license": "LGPL-3",
    "author": "UDI Traceability Suite",
}
