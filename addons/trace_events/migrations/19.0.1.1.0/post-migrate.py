from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Fill the new holdings read model from the events recorded so far."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["trace.holding"]._trace_rebuild()
