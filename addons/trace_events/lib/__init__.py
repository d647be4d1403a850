"""Plain-Python parts of trace_events (no Odoo import): CBV vocabulary, EPCIS mapping."""
