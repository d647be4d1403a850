from odoo import fields, models

#: the meanings of incoming inspection signatures (also those of their refused attempts)
INSPECTION_MEANINGS = [
    ("inspection_release", "Release of received stock"),
    ("inspection_reject", "Rejection of received stock"),
]
ONDELETE = {"inspection_release": "cascade", "inspection_reject": "cascade"}


class RecallSignature(models.Model):
    _inherit = "recall.signature"

    meaning = fields.Selection(selection_add=INSPECTION_MEANINGS, ondelete=ONDELETE)


class RecallSignatureFailure(models.Model):
    _inherit = "recall.signature.failure"

    meaning = fields.Selection(selection_add=INSPECTION_MEANINGS, ondelete=ONDELETE)
