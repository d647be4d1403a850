"""The EPCIS inbox: captured events that name master data not known yet (a DI, a GLN).

They wait here, visible to the traceability manager, instead of failing the whole document,
and are stored through the same capture path (validated, sealed, idempotent by eventID) once
the master data appears. Creating a UDI-DI or a partner with a GLN triggers the inbox's
scheduled action, which retries the entries that wait for it in its own transaction (a
failure of the retry never blocks saving the master data); the action also runs every hour,
and the manager can retry from the list or the form.
"""

import json
import logging

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

MISSING_KINDS = [("di", "UDI-DI"), ("gln", "GLN")]
UNKNOWN_MASTER_DATA = [
    ("inbox", "Keep the event in the inbox until the master data exists"),
    ("refuse", "Refuse the whole document"),
]


class TraceEventInbox(models.Model):
    _name = "trace.event.inbox"
    _description = "EPCIS Inbox Entry"
    _order = "received_at desc, id desc"
    _check_company_auto = True

    event_uid = fields.Char(string="Event ID", required=True, readonly=True, index=True)
    event_type = fields.Char(string="Event Type", readonly=True)
    event_time = fields.Datetime(readonly=True)
    event_json = fields.Text(string="Event", required=True, readonly=True)
    context_json = fields.Text(
        string="Document Context",
        readonly=True,
        help="The JSON-LD @context of the document the event came in (the namespaces of its "
        "extensions).",
    )
    state = fields.Selection(
        [("waiting", "Waiting for master data"), ("stored", "Stored")],
        required=True,
        readonly=True,
        default="waiting",
        index=True,
    )
    missing_ids = fields.One2many(
        "trace.event.inbox.missing", "inbox_id", string="Missing Master Data", readonly=True
    )
    missing_summary = fields.Char(string="Missing", compute="_compute_missing_summary", store=True)
    sender_id = fields.Many2one(
        "res.users",
        string="Sent By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
        help="The user (or API key's user) who sent the event; it is stored as this user.",
    )
    received_at = fields.Datetime(
        string="Received At", required=True, readonly=True, default=fields.Datetime.now
    )
    stored_event_id = fields.Many2one(
        "trace.event", string="Stored Event", readonly=True, ondelete="restrict"
    )
    last_error = fields.Text(string="Last Retry Error", readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )

    _waiting_uid_index = models.Index("(event_uid, company_id) WHERE state = 'waiting'")

    @api.depends("missing_ids.kind", "missing_ids.value")
    def _compute_missing_summary(self):
        labels = dict(MISSING_KINDS)
        for entry in self:
            entry.missing_summary = ", ".join(
                f"{labels[missing.kind]} {missing.value}" for missing in entry.missing_ids
            )

    def write(self, vals):
        # the event as it was sent is what gets stored: only the capture (as the system) writes
        if not self.env.su:
            raise UserError(
                self.env._(
                    "EPCIS inbox entries cannot be edited: the event is stored as it was sent. "
                    "Create the missing master data and press Store If Master Data Exists."
                )
            )
        return super().write(vals)

    def action_retry(self):
        """Store the waiting entries whose master data now exists (the button)."""
        self.check_access("write")
        waiting = self.filtered(lambda entry: entry.state == "waiting")
        if not waiting:
            raise UserError(self.env._("Select inbox entries that wait for master data."))
        waiting.sudo()._inbox_retry()
        return True

    @api.model
    def _cron_retry(self):
        self.search([("state", "=", "waiting")], order="id")._inbox_retry()

    @api.model
    def _inbox_trigger(self, kind, values):
        """Master data ``values`` of ``kind`` just appeared: retry the entries waiting for it
        soon, in the scheduled action's own transaction."""
        values = [value for value in values if value]
        if not values:
            return
        waiting = (
            self.env["trace.event.inbox.missing"]
            .sudo()
            .search_count(
                [("kind", "=", kind), ("value", "in", values), ("inbox_id.state", "=", "waiting")],
                limit=1,
            )
        )
        if waiting:
            cron = self.env.ref("trace_events.ir_cron_trace_event_inbox", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()

    def _inbox_retry(self):
        """Capture each entry again as its sender in its company; an entry whose master data
        is still missing stays (its list updated), one that fails keeps the error."""
        for entry in self:
            Event = self.env["trace.event"].with_company(entry.company_id)
            if entry.sender_id.id != SUPERUSER_ID:  # as the sender: what the sender may see
                Event = Event.with_user(entry.sender_id)
            event = json.loads(entry.event_json)
            context = json.loads(entry.context_json) if entry.context_json else None
            try:
                with self.env.cr.savepoint():
                    result = Event._epcis_capture([event], context=context, from_inbox=True)
            except UserError as exc:
                entry.last_error = exc.args[0]
                continue
            entry._inbox_apply(result)

    def _inbox_apply(self, result):
        self.ensure_one()
        missing = (result.get("still_missing") or {}).get(self.event_uid)
        if missing is not None:
            self.write(
                {
                    "last_error": False,
                    "missing_ids": [(5, 0, 0)]
                    + [(0, 0, {"kind": kind, "value": value}) for kind, value in missing],
                }
            )
            return
        stored = (
            self.env["trace.event"]
            .sudo()
            .search(
                [("event_uid", "=", self.event_uid), ("company_id", "=", self.company_id.id)],
                limit=1,
            )
        )
        self.write({"state": "stored", "stored_event_id": stored.id, "last_error": False})

    def action_open_stored_event(self):
        self.ensure_one()
        return self.stored_event_id._trace_form_action()


class TraceEventInboxMissing(models.Model):
    _name = "trace.event.inbox.missing"
    _description = "EPCIS Inbox Missing Master Data"
    _order = "inbox_id, kind, value"

    inbox_id = fields.Many2one(
        "trace.event.inbox", required=True, ondelete="cascade", index=True, readonly=True
    )
    kind = fields.Selection(MISSING_KINDS, required=True, readonly=True)
    value = fields.Char(required=True, readonly=True, index=True)
    company_id = fields.Many2one(related="inbox_id.company_id", store=True)


class ResCompany(models.Model):
    _inherit = "res.company"

    trace_epcis_unknown_master_data = fields.Selection(
        UNKNOWN_MASTER_DATA,
        string="Captured Events Naming Unknown Master Data",
        required=True,
        default="inbox",
        help="An EPCIS event naming a UDI-DI or a GLN not recorded here yet either waits in "
        "the EPCIS inbox (stored once the device or partner exists) or makes the capture "
        "refuse the whole document.",
    )


class UdiDi(models.Model):
    _inherit = "udi.di"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["trace.event.inbox"]._inbox_trigger("di", records.mapped("di"))
        return records


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["trace.event.inbox"]._inbox_trigger("gln", records.mapped("udi_gln"))
        return records

    def write(self, vals):
        result = super().write(vals)
        if vals.get("udi_gln"):
            self.env["trace.event.inbox"]._inbox_trigger("gln", [vals["udi_gln"]])
        return result
