"""Named queries and their subscriptions (GS1 EPCIS 2.0 REST bindings, ``/queries``).

A named query keeps the parameters of ``GET /events`` under a name; it runs as the user who
created it (a portal partner's query sees what its key sees). A subscription sends the query's
new results to a webhook: on every new matching event (``stream``), or on a schedule
(query-schedule.json, checked every minute by a scheduled action), through engineer 4's
``trace.webhook.delivery`` (signed, retried, logged)."""

import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from ..lib import epcis, epcis_rest
from ..lib.epcis_rest import QueryError

#: the most events one subscription delivery carries (the next run sends the rest)
MAX_EVENTS_PER_DELIVERY = 100


class TraceEpcisQuery(models.Model):
    _name = "trace.epcis.query"
    _description = "EPCIS Named Query"
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, help="The query's name in /queries/<name>.")
    query = fields.Json(
        string="Parameters", required=True, readonly=True, help="GET /events parameters."
    )
    query_text = fields.Text(string="Query", compute="_compute_query_text")
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
        ondelete="cascade",
        help="The query runs as this user: it sees the events this user may see.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    subscription_ids = fields.One2many("trace.epcis.subscription", "query_id", readonly=True)

    _owner_name_unique = models.UniqueIndex("(user_id, name)")

    def _compute_query_text(self):
        for query in self:
            query.query_text = "\n".join(
                f"{key} = {value}" for key, value in sorted((query.query or {}).items())
            )

    @api.model
    def _epcis_create(self, name, params):
        """A named query of the caller; ``params`` are GET /events parameters (lists allowed)."""
        if not isinstance(name, str) or not name.strip() or len(name) > 200 or "/" in name:
            raise QueryError(
                "ValidationException",
                400,
                "The query name must be a text of 1 to 200 characters without '/'.",
            )
        if not isinstance(params, dict):
            raise QueryError("QueryValidationException", 400, "query must be a JSON object.")
        params = {
            key: "|".join(value) if isinstance(value, list) else value
            for key, value in params.items()
        }
        if not all(isinstance(value, (str, int)) for value in params.values()):
            raise QueryError(
                "QueryValidationException",
                400,
                "Query parameter values are texts or lists of texts.",
            )
        self.env["trace.epcis.rest"]._rest_events_model()  # the owner may query at all
        epcis_rest.parse_query({k: v for k, v in params.items() if k != "nextPageToken"})
        if self.sudo().search_count([("user_id", "=", self.env.uid), ("name", "=", name)]):
            raise QueryError(
                "ResourceAlreadyExistsException",
                409,
                "A query named %(name)s exists already; delete it first or choose another name.",
                name=name,
            )
        return self.sudo().create({"name": name, "query": params}).with_env(self.env)

    @api.model
    def _epcis_get(self, name):
        """The caller's query ``name``, else a 404."""
        query = self.sudo().search([("user_id", "=", self.env.uid), ("name", "=", name)], limit=1)
        if not query:
            raise QueryError(
                "NoSuchNameException", 404, "There is no query named %(name)s.", name=name
            )
        return query

    def _epcis_rest_values(self):
        self.ensure_one()
        return {"name": self.name, "query": self.query}

    def _epcis_parsed(self, extra=None):
        params = dict(self.query or {}, **(extra or {}))
        return epcis_rest.parse_query(params)


class TraceEpcisSubscription(models.Model):
    _name = "trace.epcis.subscription"
    _inherit = ["trace.webhook.target"]
    _description = "EPCIS Query Subscription"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Subscription ID",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: str(uuid.uuid4()),
    )
    query_id = fields.Many2one(
        "trace.epcis.query", required=True, readonly=True, ondelete="cascade"
    )
    user_id = fields.Many2one(related="query_id.user_id", string="Owner", store=True)
    stream = fields.Boolean(
        readonly=True, help="Send every new matching event as soon as it is recorded."
    )
    schedule = fields.Json(
        string="Schedule Fields", readonly=True, help="When to send, as GS1's query-schedule.json."
    )
    schedule_text = fields.Char(string="Schedule", compute="_compute_schedule_text")
    report_if_empty = fields.Boolean(readonly=True, help="Send a scheduled result even when empty.")
    initial_record_time = fields.Datetime(
        readonly=True, help="Events recorded before this time are not sent."
    )
    last_event_id = fields.Integer(
        string="Sent Up To Event", readonly=True, help="The last event id sent (watermark)."
    )
    last_run_at = fields.Datetime(readonly=True)
    last_notified_at = fields.Datetime(
        compute="_compute_last_notified_at",
        help="When the receiver last answered a delivery with 2xx (GS1's lastNotifiedAt); "
        "a delivery queued but not yet accepted does not count.",
    )

    _name_unique = models.UniqueIndex("(name)")

    @api.depends("schedule", "stream")
    def _compute_schedule_text(self):
        for subscription in self:
            if subscription.stream:
                subscription.schedule_text = self.env._("Every new event")
            else:
                subscription.schedule_text = ", ".join(
                    f"{key}={value}" for key, value in (subscription.schedule or {}).items()
                )

    def _compute_last_notified_at(self):
        groups = {}
        if self.ids:
            groups = dict(
                self.env["trace.webhook.delivery"]
                .sudo()
                ._read_group(
                    [
                        ("target_model", "=", self._name),
                        ("target_id", "in", self.ids),
                        ("state", "=", "delivered"),
                    ],
                    ["target_id"],
                    ["delivered_at:max"],
                )
            )
        for subscription in self:
            subscription.last_notified_at = groups.get(subscription.id, False)

    # ------------------------------------------------------------------ REST

    @api.model
    def _epcis_create(self, query, body):
        """A subscription of the caller's ``query`` from a POST body (GS1's
        QueryStreamSubscription or QueryScheduleSubscription)."""
        if not isinstance(body, dict):
            raise QueryError(
                "SubscriptionControlsException", 400, "The body must be a JSON object."
            )
        dest = body.get("dest")
        if not isinstance(dest, str) or not dest.startswith(("https://", "http://")):
            raise QueryError(
                "SubscriptionControlsException", 400, "dest must be the http(s) URL to send to."
            )
        stream, schedule = body.get("stream"), body.get("schedule")
        if bool(stream) == bool(schedule):
            raise QueryError(
                "SubscriptionControlsException",
                400,
                'Give either "stream": true or a schedule, not both and not neither.',
            )
        if schedule:
            epcis_rest.parse_schedule(schedule)
        token = body.get("signatureToken")
        if token is not None and (not isinstance(token, str) or not 8 <= len(token) <= 200):
            raise QueryError(
                "SubscriptionControlsException", 400, "signatureToken must be 8 to 200 characters."
            )
        initial = body.get("initialRecordTime")
        initial_time = fields.Datetime.now()
        if initial is not None:
            try:
                initial_time = epcis.parse_time(initial)[0]
            except epcis.EpcisError:
                raise QueryError(
                    "SubscriptionControlsException",
                    400,
                    "initialRecordTime is not a date-time with a time zone.",
                ) from None
        vals = self._epcis_target_values(dest, token)
        vals.update(
            {
                "query_id": query.id,
                "company_id": query.company_id.id,
                "stream": bool(stream),
                "schedule": schedule or False,
                "report_if_empty": bool(body.get("reportIfEmpty")),
                "initial_record_time": initial_time,
            }
        )
        try:
            with self.env.cr.savepoint():
                return self.sudo().create(vals)
        except (UserError, ValidationError) as exc:
            raise QueryError("SubscriptionControlsException", 400, str(exc.args[0])) from None

    @api.model
    def _epcis_target_values(self, dest, token):
        """The webhook destination: signed with the client's signatureToken (HMAC-SHA256)
        when it gives one, else with the suite's published Ed25519 key."""
        values = {"webhook_url": dest, "webhook_signing": "hmac" if token else "ed25519"}
        if token:
            values["webhook_secret"] = token
        return values

    def _epcis_rest_values(self):
        self.ensure_one()
        values = {
            "subscriptionID": self.name,
            "dest": self.webhook_url,
            "createdAt": epcis.format_time(self.create_date),
            "initialRecordTime": epcis.format_time(self.initial_record_time),
            "reportIfEmpty": self.report_if_empty,
        }
        if self.stream:
            values["stream"] = True
        else:
            values["schedule"] = self.schedule
        if self.last_notified_at:
            values["lastNotifiedAt"] = epcis.format_time(self.last_notified_at)
        return values

    # ------------------------------------------------------------------ delivery

    @api.model
    def _cron_epcis_subscriptions(self):
        """Every minute: scheduled subscriptions that are due, and streams with new events."""
        now = fields.Datetime.now()
        for subscription in self.search([]):
            if subscription.stream or epcis_rest.schedule_due(
                epcis_rest.parse_schedule(subscription.schedule), subscription.last_run_at, now
            ):
                subscription._epcis_run(now)

    @api.model
    def _epcis_notify_new_events(self):
        """A new event was recorded: one queued run of the stream subscriptions (a job already
        waiting covers it)."""
        if self.sudo().search_count([("stream", "=", True)], limit=1):
            self.sudo().with_delay(identity_key="trace_events-epcis-stream")._epcis_run_streams()

    @api.model
    def _epcis_run_streams(self):
        now = fields.Datetime.now()
        for subscription in self.search([("stream", "=", True)]):
            subscription._epcis_run(now)

    def _epcis_run(self, now):
        """Send the query's events recorded since the last run (as the query's owner)."""
        self.ensure_one()
        query = self.query_id
        rest = self.env["trace.epcis.rest"].with_user(query.user_id).with_company(query.company_id)
        try:
            parsed = query._epcis_parsed()
            events_model, scope = rest._rest_events_model()
        except (QueryError, UserError, ValidationError):
            return
        domain = (
            scope
            & rest._rest_domain(parsed)
            & Domain("id", ">", self.last_event_id)
            & Domain("record_time", ">=", self.initial_record_time)
        )
        events = events_model.search(domain, order="id", limit=MAX_EVENTS_PER_DELIVERY)
        self.last_run_at = now
        if not events and (self.stream or not self.report_if_empty):
            return
        payload = rest._rest_document(events, query_name=query.name, subscription_id=self.name)
        self._epcis_deliver(payload)
        self.write({"last_event_id": max(events.ids, default=self.last_event_id)})

    def _epcis_deliver(self, payload):
        self.env["trace.webhook.delivery"]._enqueue(self, "epcis.events", payload)
