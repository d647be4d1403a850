from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import timestamp
from .audit_seal_checkpoint import PARAM_TSA_CERTIFICATE, PARAM_TSA_URL


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    audit_seal_tsa_url = fields.Char(
        string="Time-Stamping Authority URL",
        config_parameter=PARAM_TSA_URL,
        help="RFC 3161 time-stamping authority (TSA) that time-stamps each new signed checkpoint "
        "of the sealed ledger, e.g. https://tsa.example.com/tsr. Leave empty to switch "
        "time-stamping off.",
    )
    audit_seal_tsa_certificate = fields.Char(
        string="TSA Certificate (PEM)",
        config_parameter=PARAM_TSA_CERTIFICATE,
        help="Certificate of the time-stamping authority, or of the certification authority "
        "that issued it, in PEM form. Tokens are accepted only when their signature verifies "
        "with it; without it, with the certificate each token carries.",
    )

    @api.constrains("audit_seal_tsa_url", "audit_seal_tsa_certificate")
    def _check_audit_seal_tsa(self):
        for settings in self:
            url = (settings.audit_seal_tsa_url or "").strip()
            if url:
                try:
                    timestamp.check_url(url)
                except timestamp.TimestampError as exc:
                    raise ValidationError(
                        self.env._(
                            "The time-stamping authority URL “%(url)s” is not valid. Enter the "
                            "TSA's http:// or https:// address (for example "
                            "https://tsa.example.com/tsr), or leave it empty to switch "
                            "time-stamping off.",
                            url=url,
                        )
                    ) from exc
            pem = settings.audit_seal_tsa_certificate
            if pem and pem.strip():
                try:
                    timestamp.load_certificates(pem)
                except timestamp.TimestampError as exc:
                    raise ValidationError(
                        self.env._(
                            "The TSA certificate cannot be read: %(reason)s. Paste the "
                            "certificate of the time-stamping authority (or of its CA) in PEM "
                            "form, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----, "
                            "or leave it empty.",
                            reason=exc,
                        )
                    ) from exc

    def set_values(self):
        params = self.env["ir.config_parameter"].sudo()
        was_on = bool((params.get_param(PARAM_TSA_URL) or "").strip())
        result = super().set_values()
        if not was_on and (self.audit_seal_tsa_url or "").strip():
            self.env["audit.seal.checkpoint"].sudo()._seal_tsa_switched_on()
        return result
