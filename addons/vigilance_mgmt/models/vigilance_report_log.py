from odoo import fields, models

from .vigilance_report import STATES


class VigilanceReportLog(models.Model):
    """One step of a vigilance report (who, when, which state, content digest, document
    digests, signature): sealed."""

    _name = "vigilance.report.log"
    _description = "Vigilance Report History"
    _inherit = ["audit.seal.mixin", "audit.seal.workflow.mixin"]
    _order = "date desc, id desc"
    _workflow_fields = "__all__"
    _seal_fields = (
        "report_id",
        "state",
        "date",
        "user_id",
        "signature_id",
        "note",
        "content_digest",
        "document_digests",
    )

    report_id = fields.Many2one(
        "vigilance.report", required=True, readonly=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="report_id.company_id", store=True)
    state = fields.Selection(STATES, required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one(
        "res.users", string="By", required=True, readonly=True, default=lambda self: self.env.user
    )
    signature_id = fields.Many2one("recall.signature", readonly=True)
    note = fields.Char(readonly=True)
    content_digest = fields.Char(
        readonly=True, help="SHA-256 of the report's content at this step."
    )
    document_digests = fields.Text(
        readonly=True, help="SHA-256 and name of each document issued with the report."
    )
