import psycopg2.errors

from odoo import api, fields, models

from odoo.addons.audit_seal.tools.workflow import workflow

try:
    from odoo.http import request
except ImportError:  # pragma: no cover
    request = None


class ImplantPatientAccess(models.Model):
    """One read of clear patient data: who, which record, which fields, when, by which route
    and why. Sealed in the ledger (append-only, hash-chained)."""

    _name = "implant.patient.access"
    _description = "Patient Data Read"
    _inherit = ["audit.seal.mixin", "audit.seal.workflow.mixin"]
    _order = "id desc"
    _seal_fields = (
        "record_id",
        "company_id",
        "user_id",
        "read_at",
        "field_names",
        "route",
        "reason",
    )
    _workflow_fields = "__all__"

    record_id = fields.Many2one("implant.record", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Read by", required=True, readonly=True)
    read_at = fields.Datetime(string="Read at", required=True, readonly=True)
    field_names = fields.Char(string="Fields", readonly=True)
    route = fields.Char(readonly=True, help="The request path (or 'server') that read it.")
    reason = fields.Char(
        readonly=True,
        help="The reason given by the reader (context key implant_access_reason), or the "
        "screen that read it.",
    )

    @api.model
    def _implant_route(self):
        if request is not None:
            try:
                return request.httprequest.path
            except RuntimeError:  # no request bound to this thread
                return "server"
        return "server"

    @workflow
    @api.model
    def _implant_log_reads(self, records, field_names):
        """Log that the current user read ``field_names`` of ``records`` in clear."""
        if not records:
            return self.browse()
        if getattr(self.env.cr, "readonly", False):
            # a read-only request: the web layer retries it on a read-write cursor
            raise psycopg2.errors.ReadOnlySqlTransaction(
                "patient data reads are logged: retry read-write"
            )
        now = fields.Datetime.now()
        route = self._implant_route()
        reason = self.env.context.get("implant_access_reason") or False
        logs = self.sudo().create(
            [
                {
                    "record_id": record.id,
                    "company_id": record.company_id.id,
                    "user_id": self.env.uid,
                    "read_at": now,
                    "field_names": ",".join(field_names),
                    "route": route,
                    "reason": reason and str(reason)[:200],
                }
                for record in records
            ]
        )
        logs.flush_model()
        return logs
