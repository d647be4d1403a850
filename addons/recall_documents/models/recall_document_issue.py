from odoo import fields, models

from .recall_document import KINDS


class RecallDocumentIssue(models.Model):
    """The sealed record of an issued recall document: what was issued, when, by whom, under
    which signature, and the SHA-256 of the PDF and of the frozen content. Append-only and
    chained in the audit ledger: a PDF or content changed afterwards no longer matches."""

    _name = "recall.document.issue"
    _description = "Issued Recall Document (sealed)"
    _inherit = ["audit.seal.mixin"]
    _order = "issued_at desc, id desc"
    _seal_fields = (
        "document_id",
        "name",
        "kind",
        "campaign_id",
        "issued_at",
        "issued_by_id",
        "signature_id",
        "attachment_id",
        "filename",
        "pdf_sha256",
        "data_sha256",
    )

    document_id = fields.Many2one("recall.document", required=True, readonly=True, index=True)
    name = fields.Char(string="Reference", required=True, readonly=True)
    kind = fields.Selection(KINDS, string="Document Type", required=True, readonly=True)
    campaign_id = fields.Many2one("recall.campaign", string="Recall", required=True, readonly=True)
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    issued_at = fields.Datetime(required=True, readonly=True)
    issued_by_id = fields.Many2one("res.users", required=True, readonly=True)
    signature_id = fields.Many2one("recall.signature", required=True, readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="PDF", readonly=True)
    filename = fields.Char(readonly=True)
    pdf_sha256 = fields.Char(string="PDF SHA-256", required=True, readonly=True)
    data_sha256 = fields.Char(string="Content SHA-256", required=True, readonly=True)
