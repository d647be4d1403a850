from odoo import api, models
from odoo.exceptions import UserError


class AuditlogLogLine(models.Model):
    """Lines of a sealed audit log are part of its payload: they are append-only too."""

    _inherit = "auditlog.log.line"

    @api.model_create_multi
    def create(self, vals_list):
        # auditlog reads each line's field (name, label) by itself: one query per line; read
        # them together first
        field_ids = {vals["field_id"] for vals in vals_list if vals.get("field_id")}
        if len(field_ids) > 1:
            self.env["ir.model.fields"].sudo().browse(field_ids).fetch(
                ["name", "field_description"]
            )
        return super().create(vals_list)

    def _seal_committed(self):
        pending = self.env["audit.seal.entry"]._seal_pending_ids("auditlog.log")
        return self.filtered(lambda line: line.log_id.id not in pending)

    def write(self, vals):
        if self._seal_committed():
            raise UserError(
                self.env._("Audit log lines are sealed in the audit ledger and cannot be changed.")
            )
        return super().write(vals)

    def unlink(self):
        purging = self.env.cr.cache.get("audit_seal.purging", set())
        if any(("auditlog.log", line.log_id.id) not in purging for line in self):
            raise UserError(
                self.env._("Audit log lines are sealed in the audit ledger and cannot be deleted.")
            )
        return super().unlink()
