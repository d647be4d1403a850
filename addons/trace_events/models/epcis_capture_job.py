"""Capture jobs of the EPCIS 2.0 REST bindings (``POST /capture``, ``GET /capture/{id}``).

``POST /capture`` checks what can be checked at once (who calls, media type, size, schema
shape of the document envelope), stores the document in a job and answers 202 with the job's
URL; the events are captured by an OCA ``queue_job`` job, as the user who sent them, through
``trace.event``'s public ``import_epcis`` / ``capture`` (all-or-nothing per document:
``rollback``; or event by event: ``proceed``)."""

import copy
import json
import re
import uuid

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..lib import epcis, epcis_rest

#: a line of capture's error message: "- Event 3 (urn:uuid:...): what is wrong"
_EVENT_ERROR_RE = re.compile(r"^- (.+?): (.*)$")
#: setting: seconds a capture job waits for a lock before it gives up (queue_job retries it)
LOCK_TIMEOUT_PARAM = "trace_events.capture_lock_timeout"
DEFAULT_LOCK_TIMEOUT = 30


class TraceEpcisCaptureJob(models.Model):
    _name = "trace.epcis.capture.job"
    _description = "EPCIS Capture Job"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Capture ID",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: f"capture-{uuid.uuid4().hex}",
        help="The captureID of GS1's REST bindings: GET /capture/<Capture ID> tells the state.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Sent By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [("running", "Running"), ("success", "Succeeded"), ("failure", "Failed")],
        required=True,
        readonly=True,
        default="running",
    )
    error_behaviour = fields.Selection(
        [("rollback", "All or nothing"), ("proceed", "Event by event")],
        string="On Error",
        required=True,
        readonly=True,
        default="rollback",
        help="All or nothing: one wrong event rejects the document. Event by event: the good "
        "events are stored, the wrong ones listed (GS1-Capture-Error-Behaviour).",
    )
    event_count = fields.Integer(string="Events Sent", readonly=True)
    created_count = fields.Integer(string="Events Stored", readonly=True)
    duplicate_count = fields.Integer(
        string="Already Stored", readonly=True, help="Events whose eventID was stored before."
    )
    document = fields.Json(readonly=True, copy=False, help="The document sent, until captured.")
    errors = fields.Json(string="Error Problems", readonly=True, copy=False)
    error_text = fields.Text(string="Errors", compute="_compute_error_text")
    finished_at = fields.Datetime(readonly=True)
    job_uuid = fields.Char(string="Queue Job", readonly=True, copy=False)

    _name_unique = models.UniqueIndex("(name)")

    @api.depends("errors")
    def _compute_error_text(self):
        for job in self:
            job.error_text = "\n".join(
                problem.get("detail") or problem.get("title") or "" for problem in job.errors or []
            )

    # ------------------------------------------------------------------ start

    @api.model
    def _epcis_start(self, document, behaviour="rollback", text=None):
        """A new job for ``document`` (a parsed EPCIS document), queued; the caller must be
        allowed to capture. ``text``: the JSON text ``document`` was parsed from, if at hand
        (stored as it is, see :meth:`_epcis_store_document`)."""
        self.env["trace.event"]._epcis_check_capture_access()
        events = document.get("epcisBody", {}).get("eventList", [])
        job = self.sudo().create(
            {
                "user_id": self.env.user.id,
                "company_id": self.env.company.id,
                "error_behaviour": behaviour,
                "event_count": len(events) if isinstance(events, list) else 0,
            }
        )
        job._epcis_store_document(document, text)
        delayed = job.with_delay(
            description=self.env._("EPCIS capture %(capture)s", capture=job.name),
        )._epcis_run()
        job.job_uuid = delayed.uuid
        return job.with_env(self.env)

    def _epcis_store_document(self, document, text=None):
        """Store ``document`` (a dict) in the job's jsonb column, from ``text`` (the UTF-8 JSON
        it was parsed from) when given.

        Straight in SQL: the ORM's Json field serialises a value three times and parses it twice
        on the way in (cache, then column), a tenth of a second for a document of 1,000 events;
        PostgreSQL parses the text once."""
        self.ensure_one()
        if isinstance(text, bytes):
            try:
                text = text.decode()
            except UnicodeDecodeError:  # UTF-16 or 32 (json.loads reads them): serialise
                text = None
        if not isinstance(text, str) or text.startswith("\ufeff"):
            text = json.dumps(document, ensure_ascii=False)
        self.env.cr.execute(
            SQL(
                "UPDATE trace_epcis_capture_job SET document = %s::jsonb WHERE id = %s",
                text,
                self.id,
            )
        )
        self.invalidate_recordset(["document"])

    def _epcis_document_text(self):
        """The stored document as JSON text (read without the Json field's copies)."""
        self.ensure_one()
        self.flush_recordset(["document"])
        self.env.cr.execute(
            SQL("SELECT document::text FROM trace_epcis_capture_job WHERE id = %s", self.id)
        )
        row = self.env.cr.fetchone()
        return row[0] if row and row[0] else "null"

    # ------------------------------------------------------------------ run

    def _epcis_run(self):
        """The queue job: capture the document as the user who sent it, record the outcome."""
        self.ensure_one()
        if self.state != "running":
            return
        self._epcis_bound_lock_waits()
        as_sender = self.env["trace.event"].with_user(self.user_id).with_company(self.company_id)
        text = self._epcis_document_text()
        if self.error_behaviour == "proceed":
            created, duplicates, errors = self._epcis_capture_each(as_sender, text)
        else:
            created, duplicates, errors = self._epcis_capture_all(as_sender, json.loads(text))
        self.write(
            {
                "state": "failure" if errors else "success",
                "created_count": created,
                "duplicate_count": duplicates,
                "errors": errors,
                "document": False,
                "finished_at": fields.Datetime.now(),
            }
        )

    def _epcis_job_failed(self, exc_name=None, exc_message=None, **_details):
        """queue_job's ``on_fail`` hook of :meth:`_epcis_run` (``queue.job.function`` data): the
        job failed and will not be retried (its retries spent on a lock held each time, or an
        unexpected error). Its transaction was rolled back, so nothing was stored: say so on the
        capture job, which would otherwise answer "running" for ever."""
        running = self.filtered(lambda job: job.state == "running")
        if not running:
            return
        detail = self.env._(
            "The capture could not finish and nothing was stored: %(reason)s. Send the document "
            "again; if it fails again, ask a traceability manager to look at the queue job.",
            reason=(exc_message or exc_name or self.env._("unknown error"))[:500],
        )
        problem = epcis_rest.problem(
            "ImplementationException", 500, self.env._("Capture failed"), detail=detail
        )
        running.write(
            {
                "state": "failure",
                "errors": [problem],
                "document": False,
                "finished_at": fields.Datetime.now(),
            }
        )

    def _epcis_bound_lock_waits(self):
        """Wait at most ``trace_events.capture_lock_timeout`` seconds (30) for any lock, to the
        end of the job's transaction, its commit included (where the seal takes the ledger's
        chain lock).

        Without a bound, a job waited as long as another transaction held the chain lock or
        the holdings of its lots; past ``limit_time_real`` (120 s by default) Odoo then killed
        the worker running it or, in a threaded server, restarted the whole server, resetting
        every connection (bench_epcis_rest's lost runs). Past the timeout PostgreSQL raises
        ``lock_not_available``, which queue_job retries later like a serialization failure.
        """
        value = self.env["ir.config_parameter"].sudo().get_param(LOCK_TIMEOUT_PARAM)
        try:
            seconds = float(value) if value else DEFAULT_LOCK_TIMEOUT
        except ValueError:
            seconds = DEFAULT_LOCK_TIMEOUT
        if seconds <= 0:
            seconds = DEFAULT_LOCK_TIMEOUT
        self.env.cr.execute(
            SQL("SELECT set_config('lock_timeout', %s, true)", f"{int(seconds * 1000)}ms")
        )

    def _epcis_capture_all(self, as_sender, document):
        try:
            with self.env.cr.savepoint():
                result = as_sender.import_epcis(document)
        except (UserError, ValidationError, AccessError) as exc:
            return 0, 0, self._epcis_problems(exc)
        return result["created"], len(result["duplicates"]), []

    def _epcis_capture_each(self, as_sender, text):
        """``proceed``: the whole document first; if it is refused, each event alone (in a
        document of its own, same header and context), the wrong ones listed by position."""
        created, duplicates, errors = self._epcis_capture_all(as_sender, json.loads(text))
        document = json.loads(text)  # afresh: the refused capture may have read it in place
        event_list = (document.get("epcisBody") or {}).get("eventList")
        if not errors or not isinstance(event_list, list) or len(event_list) < 2:
            return created, duplicates, errors
        created = duplicates = 0
        errors = []
        for index, event in enumerate(event_list):
            single = dict(document, epcisBody={"eventList": [copy.deepcopy(event)]})
            try:
                with self.env.cr.savepoint():
                    result = as_sender.import_epcis(single)
            except (UserError, ValidationError, AccessError) as exc:
                where = self.env._("Event %(position)s", position=index + 1)
                if isinstance(event, dict) and isinstance(event.get("eventID"), str):
                    where += f" ({event['eventID'][:200]})"
                for problem in self._epcis_problems(exc):
                    problem["instance"] = where
                    errors.append(problem)
                continue
            created += result["created"]
            duplicates += len(result["duplicates"])
        return created, duplicates, errors

    @api.model
    def _epcis_problems(self, exc):
        """RFC 7807 problems of a capture error: one per event named in its message."""
        kind = "SecurityException" if isinstance(exc, AccessError) else "ValidationException"
        title = self.env._("Capture refused")
        message = str(exc.args[0] if exc.args else exc)
        problems = []
        for line in message.splitlines():
            match = _EVENT_ERROR_RE.match(line.strip())
            if match:
                problems.append(
                    epcis_rest.problem(
                        kind, 400, title, detail=match.group(2), instance=match.group(1)
                    )
                )
        if not problems:
            problems.append(epcis_rest.problem(kind, 400, title, detail=message))
        return problems

    # ------------------------------------------------------------------ REST

    def _epcis_rest_values(self):
        """The CaptureJob document of GS1's bindings."""
        self.ensure_one()
        values = {
            "captureID": self.name,
            "createdAt": epcis.format_time(self.create_date),
            "running": self.state == "running",
            "success": self.state != "failure",
            "captureErrorBehaviour": self.error_behaviour,
            "errors": self.errors or [],
        }
        if self.finished_at:
            values["finishedAt"] = epcis.format_time(self.finished_at)
        return values
