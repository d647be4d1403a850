from odoo import fields, models
from odoo.tools import SQL


class AuditSealEntry(models.Model):
    _inherit = "audit.seal.entry"

    api_call_id = fields.Many2one(
        "trace.api.call.log",
        string="Made by API Call",
        compute="_compute_api_call_id",
        search="_search_api_call_id",
        help="The API call whose transaction made this entry (sealed with it), when the change "
        "came over JSON-2, XML-RPC or the EPCIS interface.",
    )

    def _compute_api_call_id(self):
        calls = {}
        if self.ids:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT rel.entry_id, seal.call_id
                      FROM trace_api_call_seal_entry_rel rel
                      JOIN trace_api_call_seal seal ON seal.id = rel.seal_id
                     WHERE rel.entry_id = ANY(%s)
                    """,
                    list(self.ids),
                )
            )
            calls = dict(self.env.cr.fetchall())
        for entry in self:
            entry.api_call_id = calls.get(entry.id, False)

    def _search_api_call_id(self, operator, value):
        """Entries made by the given API calls (``in``), or by any (``!=`` False)."""
        if operator == "in":
            calls = SQL("seal.call_id = ANY(%s)", [v for v in value if v])
        elif operator in ("not in", "!=") and not value:
            calls = SQL("TRUE")
        else:
            return NotImplemented
        return [
            (
                "id",
                "in",
                SQL(
                    "SELECT rel.entry_id FROM trace_api_call_seal_entry_rel rel"
                    " JOIN trace_api_call_seal seal ON seal.id = rel.seal_id WHERE %s",
                    calls,
                ),
            )
        ]
