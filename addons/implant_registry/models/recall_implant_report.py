from odoo import api, fields, models

PATIENT_STATUSES = [
    ("notified", "Patient notified"),
    ("follow_up", "Follow-up planned"),
    ("explanted", "Explanted"),
]
CHANNELS = [
    ("portal", "Portal"),
    ("api", "API"),
    ("backend", "Recorded by staff"),
]


class RecallImplantReport(models.Model):
    """What a facility did for one patient with a recalled implant (notified, follow-up
    planned, explanted) and when; sealed, so a later report supplements it, never changes it."""

    _name = "recall.implant.report"
    _description = "Recall Patient Report"
    _inherit = ["audit.seal.mixin"]
    _order = "id desc"
    _seal_fields = (
        "line_id",
        "notice_id",
        "implant_id",
        "status",
        "status_date",
        "channel",
        "note",
        "create_uid",
        "create_date",
    )

    line_id = fields.Many2one(
        "recall.implant.line",
        string="Implanted Unit",
        required=True,
        readonly=True,
        ondelete="restrict",
        index=True,
    )
    notice_id = fields.Many2one(
        "recall.notice", required=True, readonly=True, ondelete="restrict", index=True
    )
    campaign_id = fields.Many2one(related="line_id.campaign_id", store=True)
    company_id = fields.Many2one(related="line_id.company_id", store=True, precompute=True)
    facility_id = fields.Many2one(related="line_id.facility_id", store=True)
    implant_id = fields.Many2one(
        "implant.record", string="Implantation", required=True, readonly=True
    )
    lot_id = fields.Many2one(related="line_id.lot_id")
    status = fields.Selection(
        PATIENT_STATUSES, string="Patient Status", required=True, readonly=True
    )
    status_date = fields.Date(string="Date", required=True, readonly=True)
    channel = fields.Selection(CHANNELS, required=True, readonly=True, default="backend")
    note = fields.Text(readonly=True)

    @api.depends("line_id", "status")
    def _compute_display_name(self):
        statuses = dict(self._fields["status"]._description_selection(self.env))
        for report in self:
            report.display_name = (
                f"{report.line_id.lot_id.name or ''}: {statuses.get(report.status, '')}"
            )
