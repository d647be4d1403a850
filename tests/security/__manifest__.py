{
    "name": "UDI Traceability Suite: Security Tests",
    "version": "19.0.1.0.0",
    "summary": "Attacks on the suite as tests: forged workflow writes, a second company, "
    "portal users of other partners, bad input (test-only module, never install it in production)",
    "category": "Hidden/Tests",
    "depends": ["partner_portal"],
    "data": [],
    "installable": True,
    "license": "LGPL-3",
    "author": "UDI Traceability Suite",
}
