from odoo import api, fields, models
from odoo.exceptions import AccessDenied, UserError

MEANINGS = [
    ("approve", "Approval of the recall decision"),
    ("close", "Closure of the recall"),
    ("acknowledge", "Acknowledgement of the recall notice"),
    ("release", "Release of quarantined stock"),
]


class RecallSignature(models.Model):
    """An electronic signature (21 CFR 11.50 / 11.200): who, when, meaning; sealed.

    The signer re-enters the password (the second component next to the logged-in user);
    the record is append-only and chained in the audit ledger.
    """

    _name = "recall.signature"
    _description = "Electronic Signature"
    _inherit = ["audit.seal.mixin"]
    _order = "signed_at desc, id desc"
    _seal_fields = (
        "user_id",
        "signer_name",
        "signer_function",
        "meaning",
        "meaning_text",
        "signed_at",
        "res_model",
        "res_id",
        "document_name",
    )

    user_id = fields.Many2one("res.users", string="Signed By", required=True, readonly=True)
    signer_name = fields.Char(string="Printed Name", required=True, readonly=True)
    signer_function = fields.Char(string="Function", readonly=True)
    meaning = fields.Selection(MEANINGS, string="Signature Type", required=True, readonly=True)
    meaning_text = fields.Char(string="Meaning", required=True, readonly=True)
    signed_at = fields.Datetime(
        string="Signed At", required=True, readonly=True, default=fields.Datetime.now
    )
    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Document", model_field="res_model", required=True, readonly=True
    )
    document_name = fields.Char(string="Document Name", readonly=True)
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        precompute=True,
        help="The company of the signed document (set when the signature is recorded).",
    )

    @api.depends("res_model", "res_id")
    def _compute_company_id(self):
        """The signed document's company; the signer's current company for a document
        without one. The document never changes (it is sealed), nor does this company."""
        for signature in self:
            company = self.env["res.company"]
            model = signature.res_model
            if model in self.env and "company_id" in self.env[model]._fields:
                document = self.env[model].sudo().browse(signature.res_id).exists()
                company = document.company_id
            signature.company_id = company or self.env.company

    @api.depends("signer_name", "meaning", "signed_at")
    def _compute_display_name(self):
        meanings = dict(self._fields["meaning"]._description_selection(self.env))
        for signature in self:
            signature.display_name = (
                f"{signature.signer_name}, {meanings.get(signature.meaning, '')}, "
                f"{signature.signed_at}"
            )

    @api.model
    def _recall_sign(self, record, meaning, password, signer_function=None, user=None):
        """Check the password of ``user`` (default: current) and create the signature."""
        user = user or self.env.user
        if not password:
            raise UserError(self.env._("Enter your password to sign."))
        try:
            # _check_credentials checks the password of the environment's user
            user.with_user(user)._check_credentials(
                {"login": user.login, "password": password, "type": "password"},
                {"interactive": True},
            )
        except AccessDenied:
            raise UserError(
                self.env._("Wrong password: the signature was not recorded.")
            ) from None
        meanings = dict(self._fields["meaning"]._description_selection(self.env))
        return self.sudo().create(
            {
                "user_id": user.id,
                "signer_name": user.name,
                "signer_function": signer_function or user.partner_id.function or False,
                "meaning": meaning,
                "meaning_text": meanings[meaning],
                "res_model": record._name,
                "res_id": record.id,
                "document_name": record.display_name,
            }
        )
