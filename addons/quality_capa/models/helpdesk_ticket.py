from odoo import fields, models
from odoo.tools import html2plaintext


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    capa_nonconformity_ids = fields.One2many(
        "mgmtsystem.nonconformity", "ticket_id", string="Nonconformities"
    )

    def action_open_nonconformity(self):
        """The complaint's nonconformity, prefilled with the ticket's device, lot/serial and
        their DIs on the first click, opened afterwards."""
        self.ensure_one()
        nc = self.capa_nonconformity_ids[:1] or self._capa_create_nonconformity()
        return nc.action_open_nonconformity_form()

    def _capa_create_nonconformity(self):
        origin = self.env.ref("mgmtsystem_nonconformity.nc_origin_external_client")
        user = self.env.user
        description = self.env._(
            "Complaint %(ticket)s from %(partner)s: %(title)s\n%(description)s",
            ticket=self.number,
            partner=self.partner_id.display_name or "-",
            title=self.name,
            description=html2plaintext(self.description or ""),
        )
        return self.env["mgmtsystem.nonconformity"].create(
            {
                "name": self.env._(
                    "Complaint %(ticket)s: %(title)s", ticket=self.number, title=self.name
                ),
                "partner_id": (self.partner_id or self.company_id.partner_id).id,
                "responsible_user_id": user.id,
                "manager_user_id": user.id,
                "origin_ids": [(6, 0, origin.ids)],
                "description": description,
                "company_id": self.company_id.id,
                "capa_source": "complaint",
                "ticket_id": self.id,
                "reference": self.number,
                "res_model": self._name,
                "res_id": self.id,
                **self.env["mgmtsystem.nonconformity"]._capa_device_links(
                    self.trace_product_id, self.trace_lot_id
                ),
            }
        )
