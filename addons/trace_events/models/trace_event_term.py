from odoo import api, fields, models
from odoo.exceptions import UserError

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
