{
    "name": "Audit Seal: Tests",
    "version": "19.0.1.0.0",
    "summary": "The tests of the sealed ledger, on a small sealed test model "
    "(test-only module, never install it in production)",
    "category": "Hidden/Tests",
    "depends": ["audit_seal"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
    "license": "LGPL-3",
    "author": "UDI Traceability Suite",
}
