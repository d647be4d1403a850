from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

MANAGER = "udi_master.group_trace_manager"


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    vigilance_assessment_ids = fields.One2many(
        "vigilance.assessment", "ticket_id", string="Vigilance Assessments"
    )
    vigilance_report_ids = fields.One2many(
        "vigilance.report", "ticket_id", string="Vigilance Reports"
    )
    vigilance_report_count = fields.Integer(compute="_compute_vigilance_report_count")

    def _compute_vigilance_report_count(self):
        reports = self.env["vigilance.report"]
        counts = {}
        if reports.has_access("read"):
            counts = dict(
                reports._read_group([("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"])
            )
        for ticket in self:
            ticket.vigilance_report_count = counts.get(ticket, 0)

    def action_vigilance_assess(self):
        """The signing dialog where the quality manager assesses this complaint."""
        self.ensure_one()
        if not self.env.user.has_group(MANAGER):
            raise AccessError(
                self.env._(
                    "Only a Traceability Manager (quality manager) can assess complaints for "
                    "vigilance."
                )
            )
        if not self.trace_product_id:
            raise UserError(
                self.env._(
                    "%(ticket)s names no device: scan the UDI of the device on the complaint "
                    "before assessing it.",
                    ticket=self.display_name,
                )
            )
        return self.env["vigilance.assess.wizard"]._vigilance_open(self)

    def action_view_vigilance_reports(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Vigilance Reports"),
            "res_model": "vigilance.report",
            "view_mode": "list,form",
            "domain": [("ticket_id", "=", self.id)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------ helpers

    def _vigilance_udi_di(self):
        """The UDI-DI of the device the complaint names: the scanned DI, else the device's
        base-level DI."""
        self.ensure_one()
        dis = self.env["udi.di"].sudo()
        if self.trace_udi_scan:
            parsed = self.env["udi.parser"].parse(self.trace_udi_scan)
            if parsed.get("di"):
                found = dis.search([("di", "=", parsed["di"])], limit=1)
                if found:
                    return found
        return self._vigilance_product_di(self.trace_product_id)

    @api.model
    def _vigilance_product_di(self, product):
        """The base-level UDI-DI of ``product`` (of its variant, else of its template)."""
        dis = self.env["udi.di"].sudo()
        if not product:
            return dis
        candidates = dis.search(
            [("product_tmpl_id", "=", product.product_tmpl_id.id), ("packaging_level", "=", "base")]
        )
        return (
            candidates.filtered(lambda d: d.product_id == product)[:1]
            or candidates.filtered(lambda d: not d.product_id)[:1]
            or candidates[:1]
        )

    def _vigilance_narrative(self):
        """The first draft of a report's narrative: the complaint as the customer told it."""
        self.ensure_one()
        description = self.description or ""
        text = fields.Html.to_plaintext(description) if description else ""
        return f"{self.name}\n\n{text}".strip()

    def _vigilance_default_jurisdictions(self):
        """The jurisdictions of the countries the complaint's lots were shipped to, else of the
        company's country (jurisdictions know their countries when udi_change_control is
        installed); empty when neither is known."""
        self.ensure_one()
        jurisdictions = self.env["recall.jurisdiction"].sudo()
        if "country_ids" not in jurisdictions._fields:
            return jurisdictions
        countries = self._vigilance_shipped_countries()
        if not countries:
            countries = self.company_id.country_id or self.env.company.country_id
        if not countries:
            return jurisdictions
        return jurisdictions.search([("country_ids", "in", countries.ids)])

    def _vigilance_shipped_countries(self):
        """Countries of the customers the complaint's lots/serials were delivered to."""
        self.ensure_one()
        if not self.trace_lot_id:
            return self.env["res.country"]
        lines = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", self.trace_lot_id.ids),
                    ("state", "=", "done"),
                    ("location_dest_id.usage", "=", "customer"),
                ]
            )
        )
        partners = lines.picking_id.partner_id | lines.move_id.partner_id
        return partners.mapped(lambda p: p.country_id or p.commercial_partner_id.country_id)
