"""Plain-Python parts of partner_portal (no Odoo import): reading what a consignee types or
uploads (notes, quantities, onward shipments, evidence files), shared by the addon and its
pure tests."""
