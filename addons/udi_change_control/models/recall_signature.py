from odoo import fields, models

MEANING = [("udi_di_approve", "Approval of a device identifier")]


class RecallSignature(models.Model):
    _inherit = "recall.signature"

    meaning = fields.Selection(selection_add=MEANING, ondelete={"udi_di_approve": "cascade"})


class RecallSignatureFailure(models.Model):
    _inherit = "recall.signature.failure"

    meaning = fields.Selection(selection_add=MEANING, ondelete={"udi_di_approve": "cascade"})
