from odoo.tools import SQL

from .tools import seal_sql


def uninstall_hook(env):
    """Remove the guards this addon put on tables it does not own (auditlog's, res_users)."""
    for model in ("auditlog.log", "auditlog.log.line"):
        if model in env:
            seal_sql.drop_guard(env.cr, env[model]._table)
    env.cr.execute(
        SQL(
            "DROP TRIGGER IF EXISTS %s ON %s",
            SQL.identifier(seal_sql.TRIGGER_USER),
            SQL.identifier(env["res.users"]._table),
        )
    )
    env.cr.execute(
        "DROP FUNCTION IF EXISTS audit_seal_guard_row() CASCADE;"
        "DROP FUNCTION IF EXISTS audit_seal_guard_user() CASCADE;"
        "DROP FUNCTION IF EXISTS audit_seal_guard_ledger() CASCADE;"
        "DROP FUNCTION IF EXISTS audit_seal_guard_key() CASCADE;"
        "DROP FUNCTION IF EXISTS audit_seal_guard_checkpoint() CASCADE;"
        "DROP SEQUENCE IF EXISTS audit_seal_head_seq;"
    )
