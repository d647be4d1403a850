from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import seal_sql


class AuditSealModel(models.Model):
    """The tables under seal, and the id from which their records must have a ledger entry."""

    _name = "audit.seal.model"
    _description = "Audit Seal Sealed Model"
    _order = "model"
    _rec_name = "model"

    model = fields.Char(required=True, readonly=True)
    since_id = fields.Integer(
        string="Sealed From ID",
        readonly=True,
        help="Records with a higher id were created under seal and must have a ledger entry.",
    )
    sealed_fields = fields.Char(compute="_compute_sealed_fields")
    entry_count = fields.Integer(compute="_compute_entry_count", string="Entries")

    _model_unique = models.UniqueIndex("(model)")

    def init(self):
        result = super().init()
        seal_sql.guard_ledger_table(self.env.cr, self._table)
        return result

    def _compute_sealed_fields(self):
        for sealed in self:
            model = self.env.get(sealed.model)
            sealed.sealed_fields = ", ".join(model._seal_fields) if model is not None else ""

    def _compute_entry_count(self):
        groups = self.env["audit.seal.entry"]._read_group(
            [("res_model", "in", self.mapped("model"))], ["res_model"], ["__count"]
        )
        counts = dict(groups)
        for sealed in self:
            sealed.entry_count = counts.get(sealed.model, 0)

    @api.model
    def _seal_register_model(self, model):
        """Record that ``model`` is sealed from now on (first install only)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                INSERT INTO audit_seal_model (model, since_id, create_uid, create_date,
                                              write_uid, write_date)
                SELECT %s, COALESCE((SELECT max(id) FROM %s), 0), %s,
                       now() AT TIME ZONE 'UTC', %s, now() AT TIME ZONE 'UTC'
                ON CONFLICT (model) DO NOTHING
                """,
                model._name,
                SQL.identifier(model._table),
                self.env.uid,
                self.env.uid,
            )
        )
