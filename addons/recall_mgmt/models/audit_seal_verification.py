from odoo import api, models


class AuditSealVerification(models.Model):
    _inherit = "audit.seal.verification"

    @api.model
    def _seal_binding_problems(self):
        return (
            super()._seal_binding_problems()
            + self.env["recall.signature"]._recall_binding_problems()
        )
