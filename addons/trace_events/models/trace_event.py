import datetime
import uuid
from collections import defaultdict

import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.audit_seal.lib.fragments import plain_json
from odoo.addons.audit_seal.tools.cached_json import cached_objects_json

from ..lib.cbv import BIZ_STEPS, DISPOSITIONS

EVENT_TYPES = [
    ("object", "Object"),
    ("aggregation", "Aggregation"),
    ("transformation", "Transformation"),
    ("association", "Association"),
    ("transaction", "Transaction"),
]
ACTIONS = [("add", "Add"), ("observe", "Observe"), ("delete", "Delete")]
ORIGINS = [
    ("stock_move", "Stock move"),
    ("production", "Manufacturing order"),
    ("unit_genealogy", "Per-unit genealogy"),
    ("unbuild", "Unbuild order"),
    ("repair", "Repair order"),
    ("ticket", "Service ticket"),
    ("capture", "External capture"),
    ("correction", "Correction"),
]
ERROR_REASONS = [("did_not_occur", "Did not occur"), ("incorrect_data", "Incorrect data")]


def _label(word):
    return word.replace("_", " ").capitalize()


BIZ_STEP_SELECTION = [(step, _label(step)) for step in BIZ_STEPS]
DISPOSITION_SELECTION = [(disp, _label(disp)) for disp in DISPOSITIONS]

#: The sealed fields of an event: its ledger payload, and the columns the trigger keeps unchanged.
EVENT_SEAL_FIELDS = (
    "event_uid",
    "event_type",
    "action",
    "biz_step",
    "disposition",
    "event_time",
    "event_tz",
    "record_time",
    "read_point_id",
    "read_point_gln",
    "biz_location_id",
    "biz_location_gln",
    "source_partner_id",
    "dest_partner_id",
    "origin",
    "move_id",
    "picking_id",
    "production_id",
    "unbuild_id",
    "repair_id",
    "scrap_id",
    "biz_transaction",
    "corrected_event_id",
    "error_reason",
    "company_id",
    "ticket_id",
    "epcis_content",
)
#: The sealed fields that describe the record of an event rather than what happened: a
#: correction restating an event has its own.
EVENT_RECORD_FIELDS = (
    "event_uid",
    "record_time",
    "origin",
    "corrected_event_id",
    "error_reason",
    "epcis_content",
)
#: What happened: the sealed fields a correction copies from the event it restates.
EVENT_FACT_FIELDS = tuple(name for name in EVENT_SEAL_FIELDS if name not in EVENT_RECORD_FIELDS)
#: The sealed fields of an event line (sealed with its event; the first one names the event).
LINE_SEAL_FIELDS = (
    "event_id",
    "role",
    "product_id",
    "udi_di",
    "lot_id",
    "lot_name",
    "quantity",
    "uom_id",
    "move_line_id",
    "location_id",
    "location_dest_id",
    "partner_id",
    "partner_dest_id",
)
#: The columns of an event's query terms the trigger keeps unchanged (the first names the
#: event). Terms are an index of the sealed ``epcis_content``, rebuilt from it, not evidence.
TERM_GUARD_FIELDS = ("event_id", "dimension", "value", "type_uri", "quantity", "uom")
#: What a line says happened: the sealed fields a correction copies from a line that has no
#: move line (a line with a move line is rebuilt from what the move line says now).
LINE_FACT_FIELDS = tuple(
    name for name in LINE_SEAL_FIELDS if name not in ("event_id", "move_line_id")
)


class TraceEvent(models.Model):
    """A sealed fact about devices, shaped after a GS1 EPCIS 2.0 event.

    Events are never edited: a correction is a new event whose ``corrected_event_id`` names the
    event it declares erroneous (EPCIS error declaration), with the corrected lines if any. The
    lines (``trace.event.line``) are sealed with their event: the event's ledger payload holds
    them, and a trigger keeps their rows unchanged.
    """

    _name = "trace.event"
    _description = "Trace Event"
    _inherit = ["audit.seal.mixin"]
    _order = "event_time desc, id desc"
    _check_company_auto = True
    _seal_fields = EVENT_SEAL_FIELDS
    _seal_child_guards = {
        "trace.event.line": LINE_SEAL_FIELDS,
        "trace.event.term": TERM_GUARD_FIELDS,
    }

    event_uid = fields.Char(
        string="Event ID",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: f"urn:uuid:{uuid.uuid4()}",
        help="EPCIS eventID: a UUID URN for events recorded here, the sender's ID for captured "
        "events (a second capture with the same ID stores nothing).",
    )
    event_type = fields.Selection(EVENT_TYPES, string="Type", required=True, readonly=True)
    action = fields.Selection(ACTIONS, readonly=True)
    biz_step = fields.Selection(BIZ_STEP_SELECTION, string="Business Step", readonly=True)
    disposition = fields.Selection(DISPOSITION_SELECTION, readonly=True)
    event_time = fields.Datetime(required=True, readonly=True, index=True)
    event_tz = fields.Char(
        string="Time Zone Offset", required=True, readonly=True, default="+00:00"
    )
    event_time_local = fields.Char(
        string="Event Time (Local)",
        compute="_compute_event_time_local",
        help="The event time where it happened, with its recorded offset (EPCIS "
        "eventTimeZoneOffset), the same for every viewer.",
    )
    record_time = fields.Datetime(
        string="Recorded At", required=True, readonly=True, default=fields.Datetime.now
    )
    read_point_id = fields.Many2one("stock.location", readonly=True)
    read_point_gln = fields.Char(string="Read Point GLN", readonly=True)
    biz_location_id = fields.Many2one("stock.location", string="Business Location", readonly=True)
    biz_location_gln = fields.Char(string="Business Location GLN", readonly=True)
    source_partner_id = fields.Many2one("res.partner", string="Source", readonly=True)
    dest_partner_id = fields.Many2one(
        "res.partner", string="Destination", readonly=True, index="btree_not_null"
    )
    origin = fields.Selection(ORIGINS, string="Recorded From", required=True, readonly=True)
    move_id = fields.Many2one("stock.move", readonly=True, index="btree_not_null")
    picking_id = fields.Many2one("stock.picking", string="Transfer", readonly=True)
    production_id = fields.Many2one(
        "mrp.production", string="Manufacturing Order", readonly=True, index="btree_not_null"
    )
    unbuild_id = fields.Many2one("mrp.unbuild", string="Unbuild Order", readonly=True)
    repair_id = fields.Many2one(
        "repair.order", string="Repair Order", readonly=True, index="btree_not_null"
    )
    scrap_id = fields.Many2one("stock.scrap", readonly=True)
    ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Service Ticket",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    biz_transaction = fields.Char(
        string="Business Document",
        readonly=True,
        help="The document behind the event: transfer, manufacturing or repair order, ticket, "
        "or the sender's document for captured events.",
    )
    corrected_event_id = fields.Many2one(
        "trace.event",
        string="Corrects",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The event this one declares erroneous (EPCIS error declaration). The corrected "
        "event no longer counts in traces; this event's lines replace it.",
    )
    correction_ids = fields.One2many("trace.event", "corrected_event_id", string="Corrections")
    is_superseded = fields.Boolean(
        string="Superseded", compute="_compute_is_superseded", search="_search_is_superseded"
    )
    error_reason = fields.Selection(ERROR_REASONS, readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    line_ids = fields.One2many("trace.event.line", "event_id", string="Lines", readonly=True)
    epcis_content = fields.Text(
        string="EPCIS Content",
        readonly=True,
        help="A captured event exactly as it was sent (canonical JSON, with the namespaces of "
        "its extensions): sealed with the event, and what its EPCIS export writes back.",
    )
    term_ids = fields.One2many("trace.event.term", "event_id", string="Query Terms", readonly=True)
    line_count = fields.Integer(compute="_compute_line_count")

    # unique per company: the same eventID in another company is another company's event
    _event_uid_unique = models.UniqueIndex("(event_uid, company_id)")

    # ------------------------------------------------------------------ display

    @api.depends("event_time", "event_tz")
    def _compute_event_time_local(self):
        for event in self:
            event.event_time_local = event._trace_local_time_text()

    def _trace_local_time_text(self):
        """``2026-12-08 01:22:57 (UTC+08:00)``: the event time shifted by its own offset."""
        self.ensure_one()
        if not self.event_time:
            return ""
        offset = self.event_tz or "+00:00"
        try:
            sign = -1 if offset.startswith("-") else 1
            hours, minutes = offset.lstrip("+-").split(":")
            shift = sign * datetime.timedelta(hours=int(hours), minutes=int(minutes))
        except ValueError:
            shift, offset = datetime.timedelta(0), "+00:00"
        return f"{self.event_time + shift:%Y-%m-%d %H:%M:%S} (UTC{offset})"

    @api.depends("biz_step", "event_type", "biz_transaction")
    def _compute_display_name(self):
        steps = dict(self._fields["biz_step"]._description_selection(self.env))
        types = dict(self._fields["event_type"]._description_selection(self.env))
        for event in self:
            label = steps.get(event.biz_step) or types.get(event.event_type) or ""
            name = f"EV{event.id or 0:07d} {label}"
            if event.biz_transaction:
                name += f" ({event.biz_transaction})"
            event.display_name = name

    def _compute_line_count(self):
        counts = dict(
            self.env["trace.event.line"]._read_group(
                [("event_id", "in", self.ids)], ["event_id"], ["__count"]
            )
        )
        for event in self:
            event.line_count = counts.get(event, 0)

    def _compute_is_superseded(self):
        superseded = set(
            self.search([("corrected_event_id", "in", self.ids)]).corrected_event_id.ids
        )
        for event in self:
            event.is_superseded = event.id in superseded

    def _search_is_superseded(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Superseded."))
        # a subquery, not the ids: one query less where the domain is used (every stock move
        # done asks which of its lines are recorded already), and no list growing with the
        # corrections
        corrected = self._search([("corrected_event_id", "!=", False)])
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", corrected.subselect("corrected_event_id"))]

    # ------------------------------------------------------------------ sealing

    def _seal_payload_data(self):
        """The event's fields plus its lines, so that one ledger entry seals the whole event."""
        data = super()._seal_payload_data()
        lines = self._seal_lines_plain(list(data))
        for event_id, values in data.items():
            values["lines"] = lines.get(event_id, [])
        return data

    def _seal_payload_extra_json(self):
        """The lines of :meth:`_seal_payload_data`, as canonical JSON (the append's fast path):
        each line's object is written from the cached columns, as the mixin writes the event's
        own fields, without building its plain values first."""
        line_model = self.env["trace.event.line"]
        lines = self._seal_lines(self._ids)
        # the event is the parent (``event_id`` is the guard's first column, not a line value)
        names = [name for name in line_model._seal_line_fields() if name != "event_id"]
        lines.fetch([*names, "event_id"])
        try:
            texts = cached_objects_json(
                lines, names, {"id": list(map(str, lines._ids))}, line_model._seal_line_converter
            )
            event_of = lines._fields["event_id"]._get_cache(self.env)
            event_ids = list(map(event_of.__getitem__, lines._ids))
        except KeyError:  # not all in cache (e.g. access-filtered): read through the ORM
            plain = self._seal_lines_plain(list(self._ids))
            return {"lines": {eid: plain_json(plain.get(eid, [])) for eid in self._ids}}
        by_event = defaultdict(list)
        for event_id, text in zip(event_ids, texts, strict=True):
            by_event[event_id].append(text)
        return {"lines": {eid: "[" + ",".join(by_event.get(eid, ())) + "]" for eid in self._ids}}

    def _seal_lines(self, event_ids):
        """All lines of the events, in id order (at the append, the lines just created are
        known to the cache: Odoo adds each new line to its event's cached ``line_ids``). The
        verifier's re-check (context ``audit_seal_recheck``) reads them, with their sealed
        fields, in one ordered query instead (nothing is cached there)."""
        if self.env.context.get("audit_seal_recheck"):
            line_model = self.env["trace.event.line"]
            return line_model.search_fetch(
                [("event_id", "in", list(event_ids))],
                [*line_model._seal_line_fields(), "event_id"],
                order="id",
            )
        return self.browse(event_ids).line_ids.sorted("id")

    def _seal_lines_plain(self, event_ids):
        """{event id: [plain values of its lines, in id order, with their ``id``]}."""
        line_model = self.env["trace.event.line"]
        names = line_model._seal_line_fields()
        lines_by_event = defaultdict(list)
        lines = self._seal_lines(event_ids)
        for line_id, values in lines._seal_line_values(names).items():
            event_id = values.pop("event_id")
            values["id"] = line_id
            lines_by_event[event_id].append(values)
        return lines_by_event

    def _seal_retention_start(self):
        self.ensure_one()
        return (self.event_time or self.create_date or fields.Datetime.now()).date()

    def _seal_is_implantable(self):
        self.ensure_one()
        return any(self.line_ids.product_id.mapped("udi_implantable"))

    def _seal_retention_floors(self, policies):
        """The device rules of the active jurisdictions (shared/REGULATORY.md, T12):

        * NMPA: at least the device lifetime and 2 years from release (CN-RET-1), 2 years after
          the lot's expiry, 5 years without expiry (CN-RET-2);
        * FDA: 2 years beyond the device's design life (21 CFR 820.180, 806.20);
        * EU MDR: 10 years after the last unit of the device was placed on the market, 15 for
          implantables (Art. 10(8));

        measured from each line's lot (manufacture date, else the event's date).
        """
        jurisdictions = set(policies.mapped("jurisdiction"))
        last_placed = (
            self._trace_last_placed(self.line_ids.product_id) if "eu_mdr" in jurisdictions else {}
        )
        floors = super()._seal_retention_floors(policies)
        for event in self:
            happened = (event.event_time or event.create_date or fields.Datetime.now()).date()
            dates = floors.setdefault(event.id, [])
            for line in event.line_ids:
                product, lot = line.product_id, line.lot_id
                made = lot.udi_manufacture_date or happened
                life = relativedelta(years=product.udi_life_years or 0)
                if "nmpa" in jurisdictions:
                    dates += [made + life, made + relativedelta(years=2)]
                    expiry = lot.udi_expiry_date
                    dates.append(
                        expiry + relativedelta(years=2)
                        if expiry
                        else happened + relativedelta(years=5)
                    )
                if "fda" in jurisdictions:
                    dates.append(made + life + relativedelta(years=2))
                if product.id in last_placed:
                    years = 15 if product.udi_implantable else 10
                    dates.append(last_placed[product.id] + relativedelta(years=years))
        return floors

    @api.model
    def _trace_last_placed(self, products):
        """{product id: date its last unit was shipped to a partner (placed on the market)}."""
        if not products:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT l.product_id, max(e.event_time)::date
                  FROM trace_event_line l JOIN trace_event e ON e.id = l.event_id
                 WHERE l.product_id = ANY(%s) AND e.biz_step = 'shipping'
                   AND l.partner_dest_id IS NOT NULL
                 GROUP BY l.product_id
                """,
                products.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    def unlink(self):
        if self.env.context.get("audit_seal_vacuum") is False:  # the retention purge
            self.line_ids.unlink()
            self.term_ids.unlink()
        return super().unlink()

    # ------------------------------------------------------------------ creation helpers

    @api.model
    def _trace_tz_offset(self, when, tz_name=None, partner=None, company=None, location=None):
        """``+HH:MM`` offset at ``when`` of the time zone where the event happens (EPCIS
        eventTimeZoneOffset): ``tz_name`` if given; for an event at a ``partner``'s site (a
        hospital's installation) the partner's zone; for one in our ``location`` the zone of
        its warehouse's address; else the company's. The user's zone (where the clerk's
        browser is) only when none of them has one; UTC without any."""
        company = company or self.env.company
        if not tz_name and partner:
            tz_name = partner.tz or partner.commercial_partner_id.tz
        if not tz_name and location:
            tz_name = location.warehouse_id.partner_id.tz
        tz_name = tz_name or company.partner_id.tz or self.env.user.tz or "UTC"
        try:
            zone = pytz.timezone(tz_name)
        except pytz.UnknownTimeZoneError:
            zone = pytz.utc
        offset = (
            pytz.utc.localize(when).astimezone(zone).utcoffset() if when else datetime.timedelta(0)
        )
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        minutes = abs(minutes)
        return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"

    @api.model
    def _trace_location_glns(self, locations):
        """{location id: GLN} from the location's warehouse partner, else its company."""
        result = {}
        for location in locations:
            partner = location.warehouse_id.partner_id or location.company_id.partner_id
            result[location.id] = partner.udi_gln or False
        return result

    @api.model
    def _trace_product_dis(self, products):
        """{product id: base-unit UDI-DI as it is now} (the value the event freezes)."""
        result = {}
        levels = self.env["udi.di"].search_fetch(
            [
                ("product_tmpl_id", "in", products.product_tmpl_id.ids),
                ("packaging_level", "=", "base"),
            ],
            ["product_tmpl_id", "product_id", "di"],
        )
        by_template = defaultdict(list)
        for level in levels:
            by_template[level.product_tmpl_id.id].append(level)
        for product in products:
            candidates = by_template.get(product.product_tmpl_id.id, [])
            own = [level for level in candidates if level.product_id == product]
            chosen = (own or [level for level in candidates if not level.product_id] or [None])[0]
            result[product.id] = chosen.di if chosen else False
        return result

    @api.model
    def _trace_create(self, vals_list):
        """Create events (with their lines) in one batch, as the system, and return them.

        Callers build ``vals_list`` from facts that already happened (a done move, a finished
        order); users never create events directly.
        """
        if not vals_list:
            return self.browse()
        return self.sudo().with_context(tracking_disable=True).create(vals_list)

    @api.model
    def _trace_backfill(self):
        """Record events for done movements that have none (history before installation).

        Backfilled events are ordinary events (their event time is the movement's date, their
        record time is now); running this again records nothing twice.
        """
        moves = self.env["stock.move"].sudo().search([("state", "=", "done")], order="date, id")
        events = self.browse()
        for start in range(0, len(moves), 1000):
            events |= moves[start : start + 1000]._trace_record_moves()
        for model, method in (
            ("mrp.production", "_trace_record_production"),
            ("mrp.unbuild", "_trace_record_unbuild"),
            ("repair.order", "_trace_record_repair"),
        ):
            records = self.env[model].sudo().search([("state", "=", "done")], order="id")
            if records and hasattr(records, method):
                events |= getattr(records, method)()
        return events

    # ------------------------------------------------------------------ public API

    @api.model
    @api.readonly
    def trace_forward(self, lot_ids):
        """Where did these lots/serials go, and into what.

        Returns ``{"lots": [{lot_id, product_id, depth}], "holders": [...]}`` (see
        :meth:`_trace_result`).
        """
        return self._trace_result(lot_ids, "forward")

    @api.model
    @api.readonly
    def trace_backward(self, lot_ids):
        """Where did these lots/serials come from, and what is in them (same shape)."""
        return self._trace_result(lot_ids, "backward")
