"""The API call log: one row per call over JSON-2, XML-RPC / JSON-RPC and the suite's HTTP API.

Rows are written by the hooks in ``ir_http.py`` (HTTP routes, JSON-2) and ``api_call_rpc.py``
(XML-RPC and the legacy ``/jsonrpc``), never by a user: the model has no create, write or unlink
access for anyone, ``write`` and ``unlink`` are refused in the ORM for every user (superuser
included) and a PostgreSQL trigger refuses UPDATE and DELETE (the retention purge alone enables
DELETE, for its own transaction). A successful call is logged in its own transaction (so that
the row and the change commit together, and the row is sealed with the change when the call
changed sealed data); a failed call is logged through a separate cursor, since its transaction
is rolled back.
"""

import logging
import re
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessDenied, AccessError, UserError
from odoo.tools import SQL

from odoo.addons.audit_seal.tools import seal_sql
from odoo.addons.base.models.res_users import INDEX_SIZE, KEY_CRYPT_CONTEXT

from ..tools.batch_purge import purge_in_batches

_logger = logging.getLogger(__name__)

#: cursor cache key: ids of this model the retention purge is deleting in this transaction
PURGING_KEY = "trace_events.api_call_log.purging"
#: columns the PostgreSQL trigger protects (with id and create_date)
GUARDED_COLUMNS = (
    "call_date",
    "protocol",
    "endpoint",
    "http_method",
    "model_name",
    "method_name",
    "user_id",
    "company_id",
    "api_key_id",
    "api_key_name",
    "remote_addr",
    "http_status",
    "kind",
    "exception_class",
    "record_count",
    "arguments",
    "request_size",
    "duration_ms",
    "sealed",
    "create_uid",
)

#: arguments named like a secret: their size is not logged either
SECRET_ARGUMENT = re.compile(r"pass|secret|token|(^|_)(key|pin|otp)s?($|_)", re.IGNORECASE)

KINDS = [
    ("success", "Succeeded"),
    ("error", "Failed"),
    ("denied", "Refused (authentication or access)"),
]


class TraceApiCallLog(models.Model):
    _name = "trace.api.call.log"
    _description = "API Call Log"
    _order = "call_date desc, id desc"
    _rec_name = "endpoint"

    call_date = fields.Datetime(string="Called At", required=True, readonly=True, index=True)
    protocol = fields.Selection(
        [
            ("json2", "JSON-2"),
            ("xmlrpc", "XML-RPC"),
            ("jsonrpc", "JSON-RPC (legacy)"),
            ("http", "HTTP API"),
        ],
        required=True,
        readonly=True,
    )
    endpoint = fields.Char(
        readonly=True, help="The path called (for XML-RPC, the RPC endpoint and service)."
    )
    http_method = fields.Char(string="HTTP Method", readonly=True)
    model_name = fields.Char(string="Model", readonly=True, index=True)
    method_name = fields.Char(string="Method", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True, ondelete="restrict")
    company_id = fields.Many2one(
        "res.company",
        readonly=True,
        ondelete="restrict",
        help="The company the user was working in when calling.",
    )
    api_key_id = fields.Integer(
        string="API Key ID",
        readonly=True,
        help="Id of the API key the call authenticated with (never the key itself); empty "
        "for a password or a session.",
    )
    api_key_name = fields.Char(string="API Key", readonly=True)
    remote_addr = fields.Char(string="From Address", readonly=True)
    http_status = fields.Integer(string="HTTP Status", readonly=True)
    kind = fields.Selection(KINDS, string="Result", required=True, readonly=True, index=True)
    exception_class = fields.Char(string="Exception", readonly=True)
    record_count = fields.Integer(
        string="Records", readonly=True, help="Records returned, where the result is a list."
    )
    arguments = fields.Char(
        readonly=True, help="Names and sizes of the arguments sent (never their values)."
    )
    request_size = fields.Integer(string="Request Bytes", readonly=True)
    duration_ms = fields.Float(string="Duration (ms)", readonly=True, digits=(16, 1))
    sealed = fields.Boolean(
        readonly=True,
        help="The call changed sealed data: its record in the sealed ledger names the "
        "ledger entries of those changes.",
    )
    seal_ids = fields.One2many("trace.api.call.seal", "call_id", readonly=True)
    seal_entry_ids = fields.Many2many(
        "audit.seal.entry",
        string="Ledger Entries Made",
        compute="_compute_seal_entry_ids",
        help="The sealed ledger entries of the changes this call made.",
    )

    def init(self):
        result = super().init()
        seal_sql.guard_sealed_table(
            self.env.cr, self._table, self._name, "id", list(GUARDED_COLUMNS)
        )
        return result

    def _register_hook(self):
        super()._register_hook()
        # the legacy RPC service has no hook of its own: wrap it (once per process)
        from . import api_call_rpc  # noqa: PLC0415 (it imports this module)

        api_call_rpc.install()

    @api.depends("seal_ids")
    def _compute_seal_entry_ids(self):
        for log in self:
            log.seal_entry_ids = log.seal_ids.entry_ids

    @api.depends("http_method", "endpoint", "model_name", "method_name")
    def _compute_display_name(self):
        for log in self:
            target = f"{log.model_name}.{log.method_name}" if log.model_name else log.endpoint or ""
            log.display_name = f"{log.http_method or ''} {target}".strip()

    # ------------------------------------------------------------------ append-only

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "API call log rows cannot be changed (%(rows)s): the log is append-only.",
                rows=", ".join(str(rid) for rid in self.ids[:5]),
            )
        )

    def unlink(self):
        purging = self.env.cr.cache.get(PURGING_KEY, set())
        if any(rid not in purging for rid in self.ids):
            raise UserError(
                self.env._(
                    "API call log rows cannot be deleted (%(rows)s): the log is append-only "
                    "and only its retention purge removes rows, after their retention period.",
                    rows=", ".join(str(rid) for rid in self.ids[:5]),
                )
            )
        return super().unlink()

    # ------------------------------------------------------------------ writing a row

    @api.model
    def _api_log_kind(self, status, exception):
        if isinstance(exception, (AccessDenied, AccessError)) or status in (401, 403):
            return "denied"
        if exception is not None or (status or 200) >= 400:
            return "error"
        return "success"

    @api.model
    def _api_log_values(self, info, status=None, exception=None, result=None):
        """Values of a row from what the hook gathered (``info``) and the outcome."""
        values = {
            key: info.get(key)
            for key in (
                "protocol",
                "endpoint",
                "http_method",
                "model_name",
                "method_name",
                "remote_addr",
                "arguments",
                "request_size",
                "api_key_id",
                "api_key_name",
            )
        }
        uid = info.get("uid")
        user = self.env["res.users"].sudo().browse(uid).exists() if uid else None
        if not user or user._is_public():
            uid = None  # anonymous, or a call naming a user that does not exist
        values.update(
            call_date=info["call_date"],
            user_id=uid or False,
            company_id=self._api_log_company(uid, info.get("context")),
            http_status=status or 0,
            kind=self._api_log_kind(status, exception),
            exception_class=_exception_name(exception),
            record_count=_record_count(result),
            duration_ms=round((time.perf_counter() - info["start"]) * 1000.0, 1),
        )
        return values

    @api.model
    def _api_log_company(self, uid, context):
        """The company the user works in for this call: the first allowed company of the call's
        context when the user may work in it, else the user's default company."""
        if not uid:
            return False
        user = self.env["res.users"].sudo().browse(uid)
        allowed = (context or {}).get("allowed_company_ids") if isinstance(context, dict) else None
        if allowed and isinstance(allowed, list) and allowed[0] in user.company_ids.ids:
            return allowed[0]
        return user.company_id.id

    @api.model
    def _api_log_in_transaction(self, info, status=None, result=None):
        """Log a call that succeeded in the call's own transaction (before its commit).

        When the transaction queued sealed records for the ledger, they are appended now (as
        the commit would), and the row is sealed with the ledger entries they made. A failure
        of the logging is logged and never fails the call.
        """
        env = self.env(su=True)
        env.flush_all()  # the call's own pending writes fail the call, as at its commit
        if env.cr.readonly:
            # a read-only call changed nothing: end its read-only transaction (its response is
            # made) and write the row through a cursor of its own
            env.cr.commit()
            return self._api_log_separately(info, status=status, result=result)
        sealed_items = env["trace.api.call.seal"]._api_seal_pending_items()
        if sealed_items:
            # append the call's sealed records now, as its commit would (errors fail the call
            # as they would at the commit; never swallowed, or the change would go unsealed)
            env["audit.seal.entry"]._seal_run_pending()
        try:
            with env.cr.savepoint(flush=False):
                values = env[self._name]._api_log_values(info, status=status, result=result)
                values["sealed"] = bool(sealed_items)
                log = env[self._name].create(values)
                if sealed_items:
                    env["trace.api.call.seal"]._api_seal_create(log, sealed_items)
                env.flush_all()
        except Exception:
            _logger.exception("trace_events: the API call log failed for %s", info.get("endpoint"))
            return None
        return log

    @api.model
    def _api_log_separately(self, info, status=None, exception=None, result=None, secret=None):
        """Log a call through a cursor of its own (a failed call, whose transaction is rolled
        back, or a read-only one), committed at once. Never raises; does not use the cursor
        of ``self`` (a failed call's cursor may be unusable)."""
        try:
            with self.pool.cursor() as cr:
                log_model = api.Environment(cr, api.SUPERUSER_ID, {})[self._name]
                return log_model._api_log_create(info, status, exception, result, secret).id
        except Exception:
            _logger.exception("trace_events: the API call log failed for %s", info.get("endpoint"))
            return None

    @api.model
    def _api_log_create(self, info, status=None, exception=None, result=None, secret=None):
        """Create the row of a call that did not (or could not) change anything. ``secret``
        (the password or key an XML-RPC call sent) only serves to find the API key, checked
        against its hash since the call may have failed its authentication."""
        if secret:
            info["api_key_id"], info["api_key_name"] = self._api_log_key(
                info.get("uid"), secret, verify=True
            )
        values = self._api_log_values(info, status=status, exception=exception, result=result)
        return self.sudo().create(values)

    @api.model
    def _api_log_key(self, uid, secret, verify=False):
        """(id, name) of the API key of ``uid`` that ``secret`` is, else (0, False).

        Keys are found by their index (the first characters of the key, stored in clear by
        Odoo); the key's hash is checked when ``verify`` (a call that may have failed its
        authentication) or when several keys of the user share the index. The secret is
        never stored.
        """
        if not (uid and isinstance(secret, str) and len(secret) >= INDEX_SIZE):
            return 0, False
        self.env.cr.execute(
            SQL(
                "SELECT id, name, key FROM res_users_apikeys WHERE user_id = %s AND index = %s",
                uid,
                secret[:INDEX_SIZE],
            )
        )
        rows = self.env.cr.fetchall()
        if len(rows) == 1 and not verify:
            return rows[0][0], rows[0][1]
        for key_id, name, hashed in rows:
            if KEY_CRYPT_CONTEXT.verify(secret, hashed):
                return key_id, name
        return 0, False

    # ------------------------------------------------------------------ retention

    @api.model
    def _cron_purge_expired(self, batch_size=1000):
        """Delete the rows past their kind's retention period, in batches (unsealed rows), and
        the sealed rows whose ledger retention has passed (through the ledger's purge)."""
        policies = self.env["trace.api.call.retention"].sudo().search([])
        now = fields.Datetime.now()
        purged = 0
        for policy in policies.filtered("days"):
            cutoff = now - timedelta(days=policy.days)
            domain = [
                ("kind", "=", policy.kind),
                ("sealed", "=", False),
                ("call_date", "<", cutoff),
            ]
            count, finished = purge_in_batches(
                self.sudo(), domain, lambda batch: batch._api_log_purge(), batch_size
            )
            purged += count
            if not finished:
                return purged
        purged += self._api_log_purge_sealed(batch_size)
        return purged

    @api.model
    def _api_log_purge_sealed(self, batch_size):
        """Purge the sealed rows whose seal record is past the ledger's retention."""
        seals = self.env["trace.api.call.seal"].sudo().search([], order="id")
        expired = seals._seal_filter_expired()[:batch_size]
        if not expired:
            return 0
        calls = expired.call_id
        expired._seal_purge()
        calls._api_log_purge()
        return len(calls)

    def _api_log_purge(self):
        """Delete these rows (the retention purge's only way past the guards)."""
        cr = self.env.cr
        purging = cr.cache.setdefault(PURGING_KEY, set())
        purging.update(self.ids)
        seal_sql.set_purge(cr, True)
        try:
            self.sudo().unlink()
            self.env.flush_all()
        finally:
            seal_sql.set_purge(cr, False)
            purging.difference_update(self.ids)


def _exception_name(exception):
    if exception is None:
        return False
    cls = type(exception)
    return f"{cls.__module__}.{cls.__qualname__}"


def _record_count(result):
    """Number of records of a result, where it is cheap to know (a list or a recordset)."""
    if isinstance(result, models.BaseModel):
        return len(result)
    if isinstance(result, (list, tuple)):
        return len(result)
    if isinstance(result, dict) and isinstance(result.get("records"), list):
        return len(result["records"])
    return 0


def describe_arguments(named):
    """``name:type[size]`` of each argument, never a value: what an auditor may read of a call
    without reading its payload (a password or a key sent as an argument stays out of it, and
    so does its length: such arguments are named only)."""
    parts = []
    for name, value in named:
        if SECRET_ARGUMENT.search(str(name)):
            parts.append(str(name))
        elif isinstance(value, (list, tuple, dict, str, bytes)):
            parts.append(f"{name}:{type(value).__name__}[{len(value)}]")
        else:
            parts.append(f"{name}:{type(value).__name__}")
    return ", ".join(parts)[:500]
