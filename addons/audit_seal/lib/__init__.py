"""Plain-Python sealed-ledger logic (no Odoo import).

Shared by the ``audit_seal`` addon and by the offline verifier (``verify_cli.py``), which runs on
a machine with only Python 3.10+ and ``cryptography``. Modules use relative imports only.
"""
