from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Holdings per company: add the company column (when the update did not) and rebuild the
    holdings read model from the events, each company's holdings from its own events."""
    cr.execute("ALTER TABLE trace_holding ADD COLUMN IF NOT EXISTS company_id int4")
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["trace.holding"]._trace_rebuild()
