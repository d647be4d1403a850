from odoo import api, fields, models

#: meaning of the signature (recall.signature, extended by this addon)
MEANING = "recall_document_sign"


class RecallDocumentSignWizard(models.TransientModel):
    """Electronic signature of a reviewed recall document: the signer sees name, meaning and
    what is signed, and re-enters the password (the suite's recall signature and its rules)."""

    _name = "recall.document.sign.wizard"
    _inherit = ["recall.sign.mixin"]
    _description = "Sign a Recall Document"

    document_id = fields.Many2one("recall.document", required=True, readonly=True)

    @api.model
    def _recall_open(self, document):
        return self._recall_open_dialog({"document_id": document.id})

    @api.depends("document_id")
    def _compute_meaning_text(self):
        for wizard in self:
            document = wizard.document_id
            wizard.meaning_text = self._recall_meaning_label(MEANING)
            wizard.summary = self.env._(
                "%(document)s of recall %(campaign)s, for %(authority)s. The content is "
                "frozen as it is now; it cannot change after signing, and is issued as signed.",
                document=document.display_name,
                campaign=document.campaign_id.display_name,
                authority=document.jurisdiction_id.authority or document.jurisdiction_id.name,
            )

    def action_sign(self):
        """Sign with the password in the context key ``signature_password``."""
        self.ensure_one()
        password, wizard = self._recall_take_password()
        document = wizard.document_id
        document._recall_doc_check_manager()
        document._recall_doc_check_state(("review",), self.env._("be signed"))
        document._recall_doc_check_complete(self.env._("signed"))
        document._recall_doc_freeze()
        signature = wizard.env["recall.signature"]._recall_sign(document, MEANING, password)
        document._recall_doc_signed(signature)
        return {"type": "ir.actions.act_window_close"}
