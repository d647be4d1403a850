from odoo import api, fields, models


class StockLot(models.Model):
    _inherit = "stock.lot"

    recall_quarantine_ids = fields.One2many("recall.quarantine", "lot_id", string="Quarantines")
    recall_blocked = fields.Boolean(
        string="Blocked by Recall",
        compute="_compute_recall_blocked",
        store=True,
        index=True,
        help="A recall quarantines this lot: it cannot be reserved or shipped.",
    )
    recall_line_ids = fields.One2many("recall.campaign.line", "lot_id", string="Recall Impact")
    recall_campaign_count = fields.Integer(compute="_compute_recall_campaign_count")

    @api.depends("recall_quarantine_ids.state")
    def _compute_recall_blocked(self):
        for lot in self:
            lot.recall_blocked = any(q.state == "blocked" for q in lot.recall_quarantine_ids)

    def _compute_recall_campaign_count(self):
        for lot in self:
            lot.recall_campaign_count = len(lot.recall_line_ids.campaign_id)

    def _recall_unreserve(self):
        """Free reservations on these lots (quarantine transfers keep theirs)."""
        move_lines = self.env["stock.move.line"].search(
            [
                ("lot_id", "in", self.ids),
                ("state", "not in", ("done", "cancel")),
                ("picking_id.recall_campaign_id", "=", False),
                ("location_id.usage", "=", "internal"),
            ]
        )
        moves = move_lines.move_id
        if moves:
            move_lines.unlink()
            moves._recompute_state()

    def _recall_blocking_campaign_names(self):
        """The references of the recalls quarantining these lots, for a message. Read as
        superuser, and only the references given out: a warehouse user without the
        traceability roles is still told which recall blocks the unit in their hands."""
        quarantines = self.sudo().recall_quarantine_ids
        blocking = quarantines.filtered(lambda q: q.state == "blocked").campaign_id
        return ", ".join(blocking.mapped("name"))

    def action_open_recalls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "recall_mgmt.recall_campaign_action"
        )
        action["domain"] = [("id", "in", self.recall_line_ids.campaign_id.ids)]
        return action
