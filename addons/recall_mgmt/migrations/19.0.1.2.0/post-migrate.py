"""19.0.1.2.0: passwords typed in the signing dialogs leave the database.

``recall.sign.wizard`` and ``recall.response.wizard`` no longer store the password typed in
their dialog (it travels in the button's context only, as Odoo's ``res.users.identitycheck``
does). Their tables, in a database that ran an earlier version, still have the ``password``
column the web client filled every time it saved the dialog, right and wrong passwords
alike: it is dropped, with every password in it.
"""

import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

#: tables of the signing dialogs that once stored the typed password
WIZARD_TABLES = ("recall_sign_wizard", "recall_response_wizard")


def migrate(cr, version):
    if not version:
        return
    for table in drop_password_columns(cr):
        _logger.info("recall_mgmt: dropped the stored passwords of %s", table)


def drop_password_columns(cr):
    """Drop the ``password`` column of the signing dialogs' tables where it exists; returns
    the tables it was dropped from."""
    cr.execute(
        "SELECT table_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ANY(%s) "
        "AND column_name = 'password' ORDER BY table_name",
        [list(WIZARD_TABLES)],
    )
    tables = [row[0] for row in cr.fetchall()]
    for table in tables:
        cr.execute(SQL("ALTER TABLE %s DROP COLUMN password", SQL.identifier(table)))
    return tables
