"""Plain-Python UDI logic (no Odoo import), shared by the addon and its pure tests."""
