import json
import logging
import time

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..lib import epcis_canonical

_logger = logging.getLogger(__name__)

#: events read, indexed and inserted per round of the re-index
REINDEX_BATCH = 2000
MAX_REINDEX_BATCH = 20000

#: the queryable dimensions of a captured event (EPCIS 2.0 query parameters they answer)
TERM_DIMENSIONS = [
    ("epc", "EPC"),  # MATCH_epc, MATCH_anyEPC
    ("parent", "Parent ID"),  # MATCH_parentID
    ("child_epc", "Child EPC"),
    ("input_epc", "Input EPC"),
    ("output_epc", "Output EPC"),
    ("epc_class", "EPC class"),  # MATCH_epcClass, MATCH_anyEPCClass
    ("child_class", "Child EPC class"),
    ("input_class", "Input EPC class"),
    ("output_class", "Output EPC class"),
    ("biz_step", "Business step"),  # EQ_bizStep
    ("disposition", "Disposition"),  # EQ_disposition
    ("persistent_disposition", "Persistent disposition"),  # EQ_persistentDisposition
    ("read_point", "Read point"),  # EQ_readPoint
    ("biz_location", "Business location"),  # EQ_bizLocation
    ("biz_transaction", "Business transaction"),  # EQ_bizTransaction_<type>
    ("source", "Source"),  # EQ_source_<type>
    ("destination", "Destination"),  # EQ_destination_<type>
    ("sensor_type", "Sensor measurement type"),  # EXISTS_sensorElementList, EQ_type
]


class TraceEventTerm(models.Model):
    """One queryable value of a captured event: an EPC, a class, a place, a business
    transaction... in the narrow indexed table an EPCIS query filters on.

    Values are canonical (:mod:`..lib.epcis_canonical`: EPC URNs as GS1 Digital Links, CBV
    words as their Web URIs). Terms are an index of the event's sealed ``epcis_content``
    (written with the event, kept unchanged by the seal's trigger, rebuilt from the content):
    the content is the evidence.
    """

    _name = "trace.event.term"
    _description = "Trace Event Query Term"
    _order = "event_id, id"

    event_id = fields.Many2one(
        "trace.event", required=True, readonly=True, ondelete="restrict", index=True
    )
    dimension = fields.Selection(TERM_DIMENSIONS, required=True, readonly=True)
    value = fields.Char(required=True, readonly=True)
    type_uri = fields.Char(
        string="Type",
        readonly=True,
        help="The type of a business transaction, source or destination (CBV Web URI).",
    )
    quantity = fields.Float(readonly=True, help="The quantity of a class (quantity list).")
    uom = fields.Char(string="Unit", readonly=True, help="UN/ECE rec. 20 code of the quantity.")
    company_id = fields.Many2one(related="event_id.company_id", store=True, index=True)

    _dimension_value_index = models.Index("(dimension, value)")

    # terms are sealed with their event: no super() on purpose
    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._("The query terms of a trace event cannot be changed: the event is sealed.")
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_by_retention(self):
        if self.env.context.get("audit_seal_vacuum") is not False:
            raise UserError(
                self.env._(
                    "The query terms of a trace event cannot be deleted: the event is sealed "
                    "and kept until its retention date."
                )
            )

    # ------------------------------------------------------------------ re-index

    @api.model
    def reindex_query_terms(self, batch_size=REINDEX_BATCH):
        """Index the captured events of the caller's companies that have no query terms
        (events captured before the terms existed), so that the EPCIS query finds them.

        Traceability managers; safe to run again (an event with terms is left alone).
        Returns ``{"events": indexed events, "terms": terms written}``.
        """
        if not self.env.user.has_group("udi_master.group_trace_manager"):
            raise AccessError(
                self.env._("Only a traceability manager may re-index the EPCIS query terms.")
            )
        if not isinstance(batch_size, int) or not 0 < batch_size <= MAX_REINDEX_BATCH:
            raise UserError(
                self.env._(
                    "The re-index batch size must be a whole number from 1 to %(max)s, not "
                    "%(value)r.",
                    max=MAX_REINDEX_BATCH,
                    value=batch_size,
                )
            )
        return self.sudo()._term_reindex(batch_size, self.env.companies.ids)

    @api.model
    def _term_reindex(self, batch_size=REINDEX_BATCH, company_ids=None):
        """Write the terms of every captured event (one with ``epcis_content``) that has none,
        ``batch_size`` events at a time (by id), from its sealed content. ``company_ids``
        limits it to those companies' events (None: all, as the migration does)."""
        self.env["trace.event"].flush_model(["epcis_content", "company_id"])
        self.flush_model(["event_id"])
        companies = SQL("AND e.company_id = ANY(%s)", company_ids) if company_ids else SQL()
        start = time.monotonic()
        last_id = events = terms = 0
        while True:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT e.id, e.epcis_content, e.company_id
                      FROM trace_event e
                     WHERE e.id > %s AND e.epcis_content IS NOT NULL %s
                       AND NOT EXISTS (SELECT 1 FROM trace_event_term t WHERE t.event_id = e.id)
                     ORDER BY e.id
                     LIMIT %s
                    """,
                    last_id,
                    companies,
                    batch_size,
                )
            )
            rows = self.env.cr.fetchall()
            if not rows:
                break
            last_id = rows[-1][0]
            term_rows = [
                row
                for event_id, content, company_id in rows
                for row in _term_rows(event_id, content, company_id)
            ]
            self._term_insert(term_rows)
            events += len(rows)
            terms += len(term_rows)
        self.invalidate_model()
        self.env["trace.event"].invalidate_model(["term_ids"])
        if events:
            _logger.info(
                "trace_events: indexed %s event(s) without query terms with %s term(s) in %.1f s",
                events,
                terms,
                time.monotonic() - start,
            )
        return {"events": events, "terms": terms}

    @api.model
    def _term_insert(self, rows):
        """Insert term rows ``(event id, dimension, value, type URI, quantity, unit, company
        id)`` in one statement."""
        if not rows:
            return
        columns = list(zip(*rows, strict=True))
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO trace_event_term
                       (event_id, dimension, value, type_uri, quantity, uom, company_id,
                        create_uid, write_uid, create_date, write_date)
                SELECT e, d, v, t, q, u, c, %s, %s,
                       now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                  FROM unnest(%s::int[], %s::varchar[], %s::varchar[], %s::varchar[],
                              %s::float8[], %s::varchar[], %s::int[]) AS x(e, d, v, t, q, u, c)
                """,
                self.env.uid,
                self.env.uid,
                *(list(column) for column in columns),
            )
        )


def _term_rows(event_id, content, company_id):
    """The term rows of one event from its stored content (``{"event", "namespaces"}``)."""
    try:
        event = json.loads(content)["event"]
    except (ValueError, KeyError, TypeError):
        _logger.warning(
            "trace_events: event %s has unreadable EPCIS content: not indexed", event_id
        )
        return []
    return event_term_rows(event_id, event, company_id)


def event_term_rows(event_id, event, company_id):
    """The term rows of one EPCIS event (a dict), as :meth:`TraceEventTerm._term_insert`
    takes them: ``(event id, dimension, value, type URI, quantity, unit, company id)``."""
    return [
        (
            event_id,
            term["dimension"],
            term["value"],
            term["type_uri"] or None,
            float(term["quantity"] or 0.0),
            term["uom"] or None,
            company_id,
        )
        for term in epcis_canonical.query_terms(event)
    ]
