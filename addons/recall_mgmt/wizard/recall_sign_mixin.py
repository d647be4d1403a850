from odoo import api, fields, models

#: context key of the password typed in a signing dialog (the Sign button sends it)
PASSWORD_KEY = "signature_password"


class RecallSignMixin(models.AbstractModel):
    """What every signing dialog of the suite shares (21 CFR 11.50, 11.200): the signer's printed
    name, the meaning and a summary of what is signed, and the password, never stored.

    A dialog computes ``meaning_text`` and ``summary`` in ``_compute_meaning_text`` and signs in
    its ``action_sign`` with :meth:`_recall_take_password` and ``recall.signature._recall_sign``.
    """

    _name = "recall.sign.mixin"
    _description = "Electronic Signature Dialog"

    signer_name = fields.Char(
        string="Signer", readonly=True, default=lambda self: self.env.user.name
    )
    meaning_text = fields.Char(string="Meaning", compute="_compute_meaning_text")
    summary = fields.Text(compute="_compute_meaning_text")
    # never stored (as Odoo's res.users.identitycheck): the Sign button sends the typed
    # password in its context (PASSWORD_KEY), the column-less field only holds it in the form
    password = fields.Char(store=False)

    def _compute_meaning_text(self):
        raise NotImplementedError  # each dialog says what its signature means

    @api.model
    def _recall_open_dialog(self, values):
        """The dialog, created with ``values``, as the action that opens it."""
        wizard = self.create(values)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Electronic Signature"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    @api.model
    def _recall_meaning_label(self, meaning):
        """The label of a signature meaning, in the user's language."""
        meanings = self.env["recall.signature"]._fields["meaning"]._description_selection(self.env)
        return dict(meanings).get(meaning, "")

    def _recall_take_password(self):
        """``(typed password, this dialog in a context without it)``: the password typed in the
        dialog (the button's context for the web client and RPC, else the unstored field set
        in this transaction by server code) goes no further than the signature check."""
        password = self.env.context.get(PASSWORD_KEY) or self.password
        return password, self.with_context(**{PASSWORD_KEY: None})
