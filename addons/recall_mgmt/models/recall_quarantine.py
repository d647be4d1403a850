from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.audit_seal.tools.workflow import workflow


class RecallQuarantine(models.Model):
    """A lot/serial blocked by a recall: no reservation, no delivery, until released."""

    _name = "recall.quarantine"
    _description = "Recall Quarantine"
    _inherit = ["mail.thread", "audit.seal.workflow.mixin"]
    _order = "id desc"
    _workflow_fields = "__all__"

    campaign_id = fields.Many2one("recall.campaign", required=True, ondelete="restrict")
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial", required=True, index=True)
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    reason = fields.Text(required=True)
    state = fields.Selection(
        [("blocked", "Blocked"), ("released", "Released")],
        default="blocked",
        required=True,
        tracking=True,
    )
    blocked_by_id = fields.Many2one("res.users", default=lambda self: self.env.user)
    blocked_at = fields.Datetime(default=fields.Datetime.now)
    released_by_id = fields.Many2one("res.users", readonly=True)
    released_at = fields.Datetime(readonly=True)
    release_reason = fields.Text(readonly=True)

    _active_unique = models.UniqueIndex("(campaign_id, lot_id) WHERE state = 'blocked'")

    @workflow
    @api.model
    def _recall_block(self, campaign, lots):
        """Block ``lots`` for ``campaign`` (those not blocked by it yet) and record why."""
        already = self.search(
            [("campaign_id", "=", campaign.id), ("lot_id", "in", lots.ids),
             ("state", "=", "blocked")]
        ).lot_id
        todo = lots - already
        if not todo:
            return self.browse()
        reason = self.env._(
            "Recall %(campaign)s: %(reason)s",
            campaign=campaign.name,
            reason=campaign.reason or campaign.title,
        )
        blocks = self.sudo().create(
            [{"campaign_id": campaign.id, "lot_id": lot.id, "reason": reason} for lot in todo]
        )
        todo.sudo()._recall_unreserve()
        self.env["trace.event"]._recall_record_holding(campaign, todo)
        campaign._recall_log(
            self.env._("%(count)s lot(s)/serial(s) quarantined: %(lots)s",
                       count=len(todo), lots=", ".join(todo[:20].mapped("name")))
        )
        return blocks

    def action_release(self):
        """Releasing needs a Traceability Manager and a reason (asked by a wizard)."""
        return self.env["recall.reason.wizard"]._recall_open(self, "release")

    @workflow
    def _recall_release(self, reason):
        if not (self.env.su or self.env.user.has_group("udi_master.group_trace_manager")):
            raise UserError(self.env._("Only a Traceability Manager can release quarantine."))
        if not reason or not reason.strip():
            raise UserError(self.env._("Give the reason for releasing the quarantine."))
        blocked = self.filtered(lambda q: q.state == "blocked")
        blocked.write(
            {
                "state": "released",
                "released_by_id": self.env.uid,
                "released_at": fields.Datetime.now(),
                "release_reason": reason,
            }
        )
        for campaign in blocked.campaign_id:
            lots = blocked.filtered(lambda q, c=campaign: q.campaign_id == c).lot_id
            campaign._recall_log(
                self.env._("Quarantine released for %(lots)s: %(reason)s",
                           lots=", ".join(lots.mapped("name")), reason=reason)
            )
        return True
