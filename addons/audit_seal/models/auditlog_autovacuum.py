from odoo import api, models


class AuditlogAutovacuum(models.TransientModel):
    """auditlog's auto-vacuum never deletes a sealed log before its retention date."""

    _inherit = "auditlog.autovacuum"

    @api.model
    def autovacuum(self, days, chunk_size=None):
        return super(AuditlogAutovacuum, self.with_context(audit_seal_vacuum=True)).autovacuum(
            days, chunk_size
        )
