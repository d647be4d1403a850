from odoo import api, models


class AuditlogRule(models.Model):
    _inherit = "auditlog.rule"

    @api.model
    def _recall_subscribe_configuration(self):
        """Seal every change to the regulatory clocks: deadline rules and jurisdictions."""
        self._audit_seal_subscribe("recall.deadline.rule")
        self._audit_seal_subscribe("recall.jurisdiction")
        return True
