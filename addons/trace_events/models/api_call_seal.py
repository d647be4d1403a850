from odoo import api, fields, models
from odoo.tools import SQL


class TraceApiCallSeal(models.Model):
    """The sealed record of an API call that changed sealed data.

    Only the calls that changed sealed (regulated) data are sealed: the call log itself holds
    every call, most of them reads, and a sealed model must have a ledger entry for every one of
    its rows (the chain verification reports a row without one). This record is created in the
    call's transaction, right after the call's own sealed records were appended to the ledger,
    and names the ledger entries they made: an auditor goes from a sealed change (its ledger
    entry) to the API call that made it, and the link is itself sealed.
    """

    _name = "trace.api.call.seal"
    _inherit = ["audit.seal.mixin"]
    _description = "Sealed API Call"
    _order = "id desc"
    _rec_name = "call_id"
    _seal_fields = (
        "call_id",
        "entry_ids",
        "call_date",
        "endpoint",
        "model_name",
        "method_name",
        "user_id",
        "company_id",
        "api_key_id",
        "api_key_name",
        "remote_addr",
    )

    call_id = fields.Many2one(
        "trace.api.call.log",
        string="API Call",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    entry_ids = fields.Many2many(
        "audit.seal.entry",
        "trace_api_call_seal_entry_rel",
        "seal_id",
        "entry_id",
        string="Ledger Entries Made",
        readonly=True,
    )
    call_date = fields.Datetime(string="Called At", readonly=True)
    endpoint = fields.Char(readonly=True)
    model_name = fields.Char(string="Model", readonly=True)
    method_name = fields.Char(string="Method", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True, ondelete="restrict")
    company_id = fields.Many2one("res.company", readonly=True, ondelete="restrict")
    api_key_id = fields.Integer(string="API Key ID", readonly=True)
    api_key_name = fields.Char(string="API Key", readonly=True)
    remote_addr = fields.Char(string="From Address", readonly=True)

    @api.model
    def _api_seal_pending_items(self):
        """[(op, model, ids)] of what the current transaction queued for the ledger, leaving
        out this model's own records."""
        pending = self.env["audit.seal.entry"]._seal_pending(create=False)
        if not pending:
            return []
        return [
            (item[0], item[1], tuple(item[2]))
            for item in pending["items"]
            if item[1] != self._name and item[2]
        ]

    @api.model
    def _api_seal_entry_ids(self, items):
        """Ids of the ledger entries that ``items`` (appended already) made."""
        entry_ids = []
        cr = self.env.cr
        for op, model, ids in items:
            cr.execute(
                SQL(
                    "SELECT id FROM audit_seal_entry"
                    " WHERE res_model = %s AND op = %s AND res_id = ANY(%s) ORDER BY seq",
                    model,
                    op,
                    list(ids),
                )
            )
            entry_ids.extend(row[0] for row in cr.fetchall())
        return entry_ids

    @api.model
    def _api_seal_create(self, log, items):
        """Seal ``log`` (created in this transaction) with the ledger entries of ``items``."""
        return self.sudo().create(
            {
                "call_id": log.id,
                "entry_ids": [fields.Command.set(self._api_seal_entry_ids(items))],
                "call_date": log.call_date,
                "endpoint": log.endpoint,
                "model_name": log.model_name,
                "method_name": log.method_name,
                "user_id": log.user_id.id,
                "company_id": log.company_id.id,
                "api_key_id": log.api_key_id,
                "api_key_name": log.api_key_name,
                "remote_addr": log.remote_addr,
            }
        )
