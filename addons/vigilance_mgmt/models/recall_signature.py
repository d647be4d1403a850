from odoo import fields, models

#: the meanings of vigilance signatures (also those of their refused attempts)
VIGILANCE_MEANINGS = [
    ("vigilance_assess", "Vigilance assessment of a complaint"),
    ("vigilance_approve", "Approval of a vigilance report"),
]
ONDELETE = {key: "cascade" for key, _label in VIGILANCE_MEANINGS}


class RecallSignature(models.Model):
    _inherit = "recall.signature"

    meaning = fields.Selection(selection_add=VIGILANCE_MEANINGS, ondelete=ONDELETE)


class RecallSignatureFailure(models.Model):
    _inherit = "recall.signature.failure"

    meaning = fields.Selection(selection_add=VIGILANCE_MEANINGS, ondelete=ONDELETE)
