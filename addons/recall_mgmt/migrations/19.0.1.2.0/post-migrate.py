"""19.0.1.2.0.

* Passwords typed in the signing dialogs leave the database: ``recall.sign.wizard`` and
  ``recall.response.wizard`` no longer store the password typed in their dialog (it travels in
  the button's context only, as Odoo's ``res.users.identitycheck`` does). Their tables, in a
  database that ran an earlier version, still have the ``password`` column the web client
  filled every time it saved the dialog, right and wrong passwords alike: it is dropped.
* A notice's delivery issue is stored as facts, no longer as a sentence.
* The shipped jurisdictions get their regulator's time zone.
"""

import logging
import re

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

#: tables of the signing dialogs that once stored the typed password
WIZARD_TABLES = ("recall_sign_wizard", "recall_response_wizard")

#: the regulators' zones shipped with 19.0.1.1.0 in noupdate data: databases that had the
#: jurisdictions before got "UTC" for them
ZONES = {
    "recall_mgmt.jurisdiction_nmpa": "Asia/Shanghai",
    "recall_mgmt.jurisdiction_fda": "America/New_York",
    "recall_mgmt.jurisdiction_eu": "Europe/Brussels",
}


def migrate(cr, version):
    if not version:
        return
    for table in drop_password_columns(cr):
        _logger.info("recall_mgmt: dropped the stored passwords of %s", table)
    _delivery_issues(cr)
    _jurisdiction_zones(api.Environment(cr, SUPERUSER_ID, {}))


def _jurisdiction_zones(env):
    """Give the shipped jurisdictions their regulator's zone where it is still the default UTC
    (a zone set by the company stays); through the ORM, so the change is in the sealed log."""
    for xmlid, zone in ZONES.items():
        jurisdiction = env.ref(xmlid, raise_if_not_found=False)
        if jurisdiction and jurisdiction.tz == "UTC":
            jurisdiction.tz = zone


def _delivery_issues(cr):
    """A notice's delivery issue was stored as a sentence in the language of whoever sent the
    notice. It is now stored as facts (the kind of issue and what the mail servers answered)
    and written in the reader's language: turn the old sentences into those facts, keeping the
    servers' answers, and drop the old column."""
    cr.execute(
        "SELECT 1 FROM information_schema.columns "
        "WHERE table_name = 'recall_notice' AND column_name = 'delivery_issue'"
    )
    if not cr.fetchone():
        return
    cr.execute(
        "SELECT id, delivery_state, delivery_issue FROM recall_notice "
        "WHERE delivery_issue IS NOT NULL"
    )
    for notice_id, state, sentence in cr.fetchall():
        kind, detail = {"no_channel": ("no_channel", None), "delivered": ("drill", None)}.get(
            state, ("refused", sentence)
        )
        if kind == "refused":
            # the servers' answers were between the sentence's (full-width) brackets
            found = re.search(r"[(（](.*)[)）]", sentence, re.S)
            detail = found.group(1) if found else sentence
        cr.execute(
            "UPDATE recall_notice SET delivery_issue_kind = %s, delivery_issue_detail = %s "
            "WHERE id = %s",
            (kind, detail, notice_id),
        )
    cr.execute("ALTER TABLE recall_notice DROP COLUMN delivery_issue")


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
