from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Query terms for the captured events stored without them (captured before the terms
    existed): the EPCIS query (GET /epcis/events) filters on the terms, so without them those
    events are not found by MATCH_epc, EQ_bizTransaction_... Written from each event's sealed
    content, in batches; a traceability manager can run the same re-index again over JSON-2
    (``trace.event.term`` ``reindex_query_terms``)."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["trace.event.term"]._term_reindex()
