from odoo import fields, models

#: the meaning of a CAPA closure signature (also that of its refused attempts)
CAPA_MEANINGS = [("capa_close", "Closure of the CAPA (effectiveness verified)")]
ONDELETE = {"capa_close": "cascade"}


class RecallSignature(models.Model):
    _inherit = "recall.signature"

    meaning = fields.Selection(selection_add=CAPA_MEANINGS, ondelete=ONDELETE)


class RecallSignatureFailure(models.Model):
    _inherit = "recall.signature.failure"

    meaning = fields.Selection(selection_add=CAPA_MEANINGS, ondelete=ONDELETE)
