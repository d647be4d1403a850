from odoo import fields, models

#: milestones of the documents this addon adds (recall_mgmt's campaigns only pick their own)
DOCUMENT_MILESTONES = [
    ("nmpa_summary", "Recall summary evaluation report"),
    ("fsca_progress", "FSCA progress report"),
    ("fsca_final", "FSCA final report"),
]


class RecallDeadlineRule(models.Model):
    _inherit = "recall.deadline.rule"

    milestone = fields.Selection(
        selection_add=DOCUMENT_MILESTONES,
        ondelete={key: "cascade" for key, _label in DOCUMENT_MILESTONES},
    )
    start_event = fields.Selection(
        [
            ("decision", "Recall decision"),
            ("completion", "Recall completed (effectiveness check starts)"),
        ],
        string="Clock Starts At",
        required=True,
        default="decision",
        help="Recall decision: the clock starts when the recall is approved. Recall completed: "
        "it starts when the recall actions are done and the effectiveness check starts (the "
        "summary and final reports).",
    )
