"""19.0.1.2.0: ledger entries carry the company of their record.

Entries appended from this version on seal the record's company in their envelope
(``"company"``, envelope version 2) and in the ``company_id`` column, which the ledger's
multi-company rule filters on. Entries appended before (envelope version 1, whose payload
starts with ``{"data":``) get it here, once: the company of their record
(:meth:`audit.seal.mixin._seal_company_ids`), or, for a record that no longer exists (purged),
the ``company_id`` of its sealed payload when it has one; otherwise none.

The ledger table refuses every UPDATE (trigger ``audit_seal_guard``). The trigger is disabled
for these updates only, inside this migration's transaction, and enabled again before it
commits: no setting that a database connection could switch opens the ledger. Verification
compares the company column with the envelope of version 2 entries only (version 1 envelopes
have no company).
"""

import json
import logging
import re

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

#: payloads of entries appended before this version start so (LIKE pattern)
V1_PAYLOAD = '{"data":%'
CHUNK = 10000
_COMPANY_REF = re.compile(r"res\.company,(\d+)")


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    count = fill_entry_companies(env)
    _logger.info("audit_seal: %d ledger entries sealed before 19.0.1.2.0 got a company", count)


def fill_entry_companies(env, chunk=CHUNK):
    """Give the version 1 entries without company the company of their record; returns how
    many entries were updated."""
    cr = env.cr
    cr.execute(
        "SELECT DISTINCT res_model FROM audit_seal_entry "
        "WHERE company_id IS NULL AND payload LIKE %s",
        [V1_PAYLOAD],
    )
    models = sorted(row[0] for row in cr.fetchall())
    if not models:
        return 0
    guard = SQL.identifier("audit_seal_guard")
    cr.execute(SQL("ALTER TABLE audit_seal_entry DISABLE TRIGGER %s", guard))
    updated = 0
    try:
        for model in models:
            updated += _fill_model(env, model, chunk)
    finally:
        cr.execute(SQL("ALTER TABLE audit_seal_entry ENABLE TRIGGER %s", guard))
    return updated


def _fill_model(env, model, chunk):
    cr = env.cr
    updated = 0
    last_id = 0
    while True:
        cr.execute(
            "SELECT DISTINCT res_id FROM audit_seal_entry "
            "WHERE res_model = %s AND res_id > %s AND company_id IS NULL AND payload LIKE %s "
            "ORDER BY res_id LIMIT %s",
            [model, last_id, V1_PAYLOAD, chunk],
        )
        ids = [row[0] for row in cr.fetchall()]
        if not ids:
            return updated
        companies = {
            rid: company for rid, company in _companies(env, model, ids).items() if company
        }
        if companies:
            cr.execute(
                "UPDATE audit_seal_entry e SET company_id = c.company_id "
                "FROM unnest(%s::int[], %s::int[]) AS c(res_id, company_id) "
                "WHERE e.res_model = %s AND e.res_id = c.res_id AND e.company_id IS NULL "
                "AND e.payload LIKE %s",
                [list(companies), list(companies.values()), model, V1_PAYLOAD],
            )
            updated += cr.rowcount
        last_id = ids[-1]
        env.invalidate_all()


def _companies(env, model, ids):
    """{record id: company id or None} of records ``ids`` of ``model``."""
    companies = dict.fromkeys(ids)
    found = set()
    if model in env and hasattr(env[model], "_seal_company_ids"):
        records = env[model].with_context(active_test=False).browse(ids).exists()
        companies.update(records._seal_company_ids())
        found = set(records._ids)
    missing = [rid for rid in ids if rid not in found]
    if missing:
        companies.update(_sealed_companies(env, model, missing))
    return companies


def _sealed_companies(env, model, ids):
    """{record id: company id} from the sealed payloads of records that no longer exist."""
    env.cr.execute(
        "SELECT res_id, payload FROM audit_seal_entry "
        "WHERE res_model = %s AND res_id = ANY(%s) AND op = 'create'",
        [model, ids],
    )
    companies = {}
    for res_id, payload in env.cr.fetchall():
        try:
            ref = json.loads(payload)["data"].get("company_id")
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        match = _COMPANY_REF.fullmatch(ref) if isinstance(ref, str) else None
        if match:
            companies[res_id] = int(match.group(1))
    return companies
