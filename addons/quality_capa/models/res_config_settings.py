from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    capa_drill_analysis_minutes = fields.Float(
        related="company_id.capa_drill_analysis_minutes", readonly=False
    )
    capa_drill_decision_hours = fields.Float(
        related="company_id.capa_drill_decision_hours", readonly=False
    )
    capa_drill_first_notice_hours = fields.Float(
        related="company_id.capa_drill_first_notice_hours", readonly=False
    )
    capa_drill_notify_hours = fields.Float(
        related="company_id.capa_drill_notify_hours", readonly=False
    )
    capa_drill_notified_percent = fields.Float(
        related="company_id.capa_drill_notified_percent", readonly=False
    )
    capa_drill_ack_percent = fields.Float(
        related="company_id.capa_drill_ack_percent", readonly=False
    )
    capa_drill_owner_id = fields.Many2one(related="company_id.capa_drill_owner_id", readonly=False)
    capa_drill_action_days = fields.Integer(
        related="company_id.capa_drill_action_days", readonly=False
    )
