import functools

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.audit_seal.lib.canonical import to_plain

LINE_ROLES = [
    ("object", "Object"),
    ("input", "Input"),
    ("output", "Output"),
    ("parent", "Parent"),
    ("child", "Child added"),
    ("removed", "Child removed"),
]


def _reference(prefix, value):
    return f"{prefix}{value}" if value else None


def _number(value):
    return value or 0


def _value(value):
    return None if value is None or value is False else value


class TraceEventLine(models.Model):
    """One lot, serial or quantity of an event, in the narrow table the traces walk.

    ``location_id`` / ``location_dest_id`` and ``partner_id`` / ``partner_dest_id`` say where
    the units were before and after the event (the partner being the external party holding
    them when the location is not one of ours); holders are the balance of these lines.
    Transformation edges go from ``input`` to ``output`` lines of the same event, association
    and aggregation edges from ``child`` to ``parent`` lines.
    """

    _name = "trace.event.line"
    _description = "Trace Event Line"
    _order = "event_id desc, id"

    event_id = fields.Many2one(
        "trace.event", required=True, readonly=True, ondelete="restrict", index=True
    )
    role = fields.Selection(LINE_ROLES, required=True, readonly=True, default="object")
    product_id = fields.Many2one("product.product", required=True, readonly=True)
    udi_di = fields.Char(string="UDI-DI", readonly=True, help="The device's DI at the event.")
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial", readonly=True)
    lot_name = fields.Char(string="Lot/Serial Number", readonly=True)
    quantity = fields.Float(readonly=True, digits="Product Unit")
    uom_id = fields.Many2one("uom.uom", string="Unit", readonly=True)
    move_line_id = fields.Many2one("stock.move.line", readonly=True, index="btree_not_null")
    location_id = fields.Many2one("stock.location", string="From", readonly=True)
    location_dest_id = fields.Many2one("stock.location", string="To", readonly=True)
    partner_id = fields.Many2one("res.partner", string="From Partner", readonly=True)
    partner_dest_id = fields.Many2one("res.partner", string="To Partner", readonly=True)
    # related, for views and searches
    event_time = fields.Datetime(related="event_id.event_time")
    event_type = fields.Selection(related="event_id.event_type")
    biz_step = fields.Selection(related="event_id.biz_step")
    disposition = fields.Selection(related="event_id.disposition")
    biz_transaction = fields.Char(related="event_id.biz_transaction")
    company_id = fields.Many2one(related="event_id.company_id")
    # the lot timeline
    is_superseded = fields.Boolean(
        related="event_id.is_superseded",
        string="Superseded",
        help="A later event declared this one erroneous: it no longer counts in traces.",
    )
    corrected_event_id = fields.Many2one(related="event_id.corrected_event_id", string="Corrects")
    origin = fields.Selection(related="event_id.origin")
    trace_status = fields.Selection(
        [
            ("effective", "In effect"),
            ("superseded", "Superseded"),
            ("correction", "Correction"),
        ],
        string="Status",
        compute="_compute_trace_status",
        help="Superseded: a later event declared this one erroneous, it no longer counts. "
        "Correction: this event replaces an erroneous one.",
    )
    event_tz = fields.Char(related="event_id.event_tz")
    from_label = fields.Char(
        string="Came From",
        compute="_compute_holder_labels",
        help="Where the units were before the event: the external party when they came from "
        "outside, else the location.",
    )
    to_label = fields.Char(
        string="Went To",
        compute="_compute_holder_labels",
        help="Where the units were after the event: the external party when they left us, "
        "else the location.",
    )

    _lot_role_index = models.Index("(lot_id, role) WHERE lot_id IS NOT NULL")
    _event_role_index = models.Index("(event_id, role)")
    #: the last unit of a device placed on the market (EU MDR retention, Art. 10(8))
    _shipped_product_index = models.Index("(product_id) WHERE partner_dest_id IS NOT NULL")

    @api.model
    def _seal_line_fields(self):
        return tuple(self.env["trace.event"]._seal_child_guards["trace.event.line"])

    @api.model
    def _seal_line_converter(self, field):
        """Function from a cached value of ``field`` to its value in the sealed payload."""
        if field.type == "many2one":
            return functools.partial(_reference, f"{field.comodel_name},")
        if field.type == "float":
            return _number
        return _value

    def _seal_line_values(self, names):
        """{line id: {field: plain canonical value}} for the event's sealed payload.

        Values are read from the ORM cache after one ``fetch`` (the same values as reading
        ``line[name]``, without building a record per line and field: the append at commit
        seals thousands of lines at once).
        """
        self.fetch([*names, "event_id"])
        env = self.env
        readers = []
        for name in names:
            field = self._fields[name]
            readers.append((name, field._get_cache(env), self._seal_line_converter(field)))
        events = self._fields["event_id"]._get_cache(env)
        result = {}
        for line_id in self._ids:
            values = {name: convert(cache[line_id]) for name, cache, convert in readers}
            values["event_id"] = events[line_id]
            result[line_id] = to_plain(values)
        return result

    # sealed lines are never changed: no super() on purpose
    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "Trace event lines cannot be changed: the event is sealed. Record a correction "
                "instead."
            )
        )

    def unlink(self):
        if self.env.context.get("audit_seal_vacuum") is not False:  # only the retention purge
            raise UserError(
                self.env._(
                    "Trace event lines cannot be deleted: the event is sealed and kept until its "
                    "retention date."
                )
            )
        return super().unlink()

    # ------------------------------------------------------------------ lot timeline

    @api.depends("location_id", "location_dest_id", "partner_id", "partner_dest_id")
    def _compute_holder_labels(self):
        def label(location, partner):
            if partner and location.usage != "internal":
                return partner.display_name
            return location.display_name or False

        lines = self.sudo()
        for line, line_sudo in zip(self, lines, strict=True):
            line.from_label = label(line_sudo.location_id, line_sudo.partner_id)
            line.to_label = label(line_sudo.location_dest_id, line_sudo.partner_dest_id)

    @api.depends("event_id")
    def _compute_trace_status(self):
        for line in self:
            event = line.event_id
            if event.is_superseded:
                line.trace_status = "superseded"
            elif event.corrected_event_id:
                line.trace_status = "correction"
            else:
                line.trace_status = "effective"

    def action_open_event(self):
        """The row click of the timeline: the event of the line."""
        self.ensure_one()
        return self.event_id._trace_form_action()
