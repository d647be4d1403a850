"""19.0.1.1.0: a cheaper ledger append.

* ``audit_seal_entry.user_id`` loses its foreign key (a lookup and row lock in ``res_users`` per
  appended entry); the ``audit_seal_guard_user`` trigger on ``res_users``, installed by the
  update, keeps refusing the deletion of a user who sealed entries.
* ``audit_seal_entry_record_index`` becomes an index on ``res_id`` alone (the update replaces
  it by itself: Odoo compares the index definition with the one it stored).
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "ALTER TABLE audit_seal_entry DROP CONSTRAINT IF EXISTS audit_seal_entry_user_id_fkey"
    )
    cr.execute(
        "DELETE FROM ir_model_constraint WHERE name = 'audit_seal_entry_user_id_fkey' "
        "AND type = 'f'"
    )
