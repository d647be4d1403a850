from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..models.recall_jurisdiction import SEVERITIES

MANAGER = "udi_master.group_trace_manager"


class VigilanceAssessWizard(models.TransientModel):
    """Electronic signature of a complaint's vigilance assessment: the quality manager says
    whether the event is reportable, how severe, why, since when the company knows, and to which
    jurisdictions, and re-enters the password (``recall.signature._recall_sign``)."""

    _name = "vigilance.assess.wizard"
    _inherit = ["recall.sign.mixin"]
    _description = "Sign a Vigilance Assessment"

    ticket_id = fields.Many2one("helpdesk.ticket", string="Complaint", required=True, readonly=True)
    product_id = fields.Many2one(related="ticket_id.trace_product_id", string="Device")
    lot_id = fields.Many2one(related="ticket_id.trace_lot_id", string="Lot/Serial")
    reportable = fields.Boolean(
        help="The event meets the reporting criteria of at least one jurisdiction (serious "
        "incident, death, serious injury, malfunction that could cause one)."
    )
    severity = fields.Selection(SEVERITIES)
    reason = fields.Text(help="Why the event is, or is not, reportable.")
    awareness_date = fields.Datetime(
        default=fields.Datetime.now,
        help="When the company became aware of the event: the reporting clocks start here.",
    )
    jurisdiction_ids = fields.Many2many(
        "recall.jurisdiction",
        string="Jurisdictions",
        help="Where the event is reported: by default the jurisdictions of the countries the "
        "lot/serial was shipped to.",
    )

    @api.model
    def _vigilance_open(self, ticket):
        return self._recall_open_dialog(
            {
                "ticket_id": ticket.id,
                "awareness_date": ticket.create_date,
                "jurisdiction_ids": [(6, 0, ticket._vigilance_default_jurisdictions().ids)],
            }
        )

    @api.depends("ticket_id", "reportable", "severity")
    def _compute_meaning_text(self):
        severities = dict(self._fields["severity"]._description_selection(self.env))
        for wizard in self:
            wizard.meaning_text = self._recall_meaning_label("vigilance_assess")
            ticket = wizard.ticket_id
            wizard.summary = self.env._(
                "%(ticket)s: %(device)s, lot/serial %(lot)s. %(verdict)s%(severity)s",
                ticket=ticket.display_name,
                device=ticket.trace_product_id.display_name or "-",
                lot=ticket.trace_lot_id.name or "-",
                verdict=self.env._("Reportable")
                if wizard.reportable
                else self.env._("Not reportable"),
                severity=f" ({severities[wizard.severity]})" if wizard.severity else "",
            )

    def action_sign(self):
        """Sign with the password in the context key ``signature_password``; record the
        assessment and, when reportable, its initial reports."""
        self.ensure_one()
        if not self.env.user.has_group(MANAGER):
            raise AccessError(
                self.env._("Only a Traceability Manager (quality manager) can assess complaints.")
            )
        password, wizard = self._recall_take_password()
        values = {
            "reportable": wizard.reportable,
            "severity": wizard.severity if wizard.reportable else wizard.severity or False,
            "reason": wizard.reason,
            "awareness_date": wizard.awareness_date,
            "jurisdiction_ids": wizard.jurisdiction_ids
            if wizard.reportable
            else (self.env["recall.jurisdiction"]),
        }
        wizard.env["vigilance.assessment"]._vigilance_assess(wizard.ticket_id, values, password)
        return {"type": "ir.actions.act_window_close"}
