from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    """Per-unit genealogy facts stored on the events: compute ``genealogy_shared`` (the input
    lines of manufacturing orders' events that consumed several lots of one component) and
    ``unit_genealogy`` (the order events of orders with per-unit events) for the events
    recorded before, so that the trace walk reads them instead of running subqueries."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["trace.event"]._trace_genealogy_flags_sql(SQL("true"), SQL("true"))
