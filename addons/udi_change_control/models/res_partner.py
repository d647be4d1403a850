from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _udi_jurisdiction(self):
        """The jurisdiction with a UDI database that covers this address's country."""
        self.ensure_one()
        country = self.country_id or self.commercial_partner_id.country_id
        if not country:
            return self.env["recall.jurisdiction"]
        return (
            self.env["recall.jurisdiction"]
            .sudo()
            .search([("country_ids", "in", country.id), ("udi_database", "!=", False)], limit=1)
        )
