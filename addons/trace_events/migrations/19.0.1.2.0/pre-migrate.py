from odoo.tools.sql import table_exists


def migrate(cr, version):
    """Empty the holdings read model before its company column and unique index are added.

    The holdings are derived data: the post-migration rebuilds them, per company, from the
    events. Emptied first, the column is created NOT NULL and the index on the new key
    without going through rows that have no company yet.
    """
    if table_exists(cr, "trace_holding"):
        cr.execute("DELETE FROM trace_holding")
