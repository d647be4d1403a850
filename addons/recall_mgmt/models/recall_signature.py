import hashlib

from odoo import api, fields, models
from odoo.exceptions import AccessDenied, UserError

from odoo.addons.audit_seal.lib.canonical import canonical_json

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
        "content_digest",
    )

    user_id = fields.Many2one("res.users", string="Signed By", required=True, readonly=True)
    signer_name = fields.Char(string="Printed Name", required=True, readonly=True)
    signer_function = fields.Char(string="Function", readonly=True)
    meaning = fields.Selection(MEANINGS, string="Signature Type", required=True, readonly=True)
    meaning_text = fields.Char(string="Meaning", required=True, readonly=True)
    signed_at = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now
    )
    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Document", model_field="res_model", required=True, readonly=True
    )
    document_name = fields.Char(readonly=True)
    content_digest = fields.Char(
        readonly=True,
        help="SHA-256 of the signed document's decisive content (for a recall: scope, class, "
        "kind, reason, jurisdictions; for a notice: its consignee and recall) when it was "
        "signed. Chain verification compares it with the document as it is now.",
    )
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
        """Check the password of ``user`` (default: current) and create the signature.

        Wrong passwords are recorded and throttled like login failures
        (``recall.signature.failure``): on cooldown, signing is refused even with the right one.
        """
        user = user or self.env.user
        if not password:
            raise UserError(self.env._("Enter your password to sign."))
        failures = self.env["recall.signature.failure"]
        failures._recall_check_cooldown(user)
        try:
            # _check_credentials checks the password of the environment's user
            user.with_user(user)._check_credentials(
                {"login": user.login, "password": password, "type": "password"},
                {"interactive": True},
            )
        except AccessDenied:
            failures._recall_record_failure(user, record, meaning)
            raise UserError(self.env._("Wrong password: the signature was not recorded.")) from None
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
                "content_digest": self._recall_digest(record),
            }
        )

    @api.model
    def _recall_digest(self, record):
        """SHA-256 of the canonical form of what ``record`` puts under its signatures."""
        content = record._recall_signed_content()
        return hashlib.sha256(canonical_json(content)).hexdigest()

    def _recall_binding_problem(self):
        """Why this signature no longer binds its document, or None when it does."""
        self.ensure_one()
        if self.res_model not in self.env:
            return None  # the addon of the document is uninstalled
        document = self.env[self.res_model].sudo().browse(self.res_id).exists()
        if not document:
            return None  # purged after retention; the ledger reports unexplained deletions
        if self.content_digest and self._recall_digest(document) != self.content_digest:
            return self.env._(
                "signature %(signature)s (%(signer)s, %(meaning)s) no longer matches %(document)s: "
                "its signed content was changed after signing",
                signature=self.id,
                signer=self.signer_name,
                meaning=self.meaning_text,
                document=document.display_name,
            )
        return None

    @api.model
    def _recall_binding_problems(self):
        """Every signature that no longer binds its document, and every document that shows a
        signature made for another record."""
        problems = []
        for signature in self.sudo().search([], order="id"):
            problem = signature._recall_binding_problem()
            if problem:
                problems.append(problem)
        for model, field, document in (
            ("recall.campaign", "approval_signature_id", None),
            ("recall.response", "signature_id", "notice_id"),
        ):
            records = self.env[model].sudo().search([(field, "!=", False)], order="id")
            for record in records:
                signed = record[document] if document else record
                signature = record[field]
                if (signature.res_model, signature.res_id) != (signed._name, signed.id):
                    problems.append(
                        self.env._(
                            "%(document)s shows signature %(signature)s, which was made for "
                            "%(other)s",
                            document=record.display_name,
                            signature=signature.id,
                            other=signature.document_name,
                        )
                    )
        return problems
