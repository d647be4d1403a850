from odoo import fields, models

MEANING = [("recall_document_sign", "Approval of a regulatory recall document")]


class RecallSignature(models.Model):
    _inherit = "recall.signature"

    meaning = fields.Selection(selection_add=MEANING, ondelete={"recall_document_sign": "cascade"})


class RecallSignatureFailure(models.Model):
    _inherit = "recall.signature.failure"

    meaning = fields.Selection(selection_add=MEANING, ondelete={"recall_document_sign": "cascade"})
