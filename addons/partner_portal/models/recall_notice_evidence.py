"""Recall notices: evidence the consignee attaches (destruction certificates, photos)."""

from odoo import models
from odoo.exceptions import UserError

from ..lib import evidence

EVIDENCE_MAX_MB_PARAM = "partner_portal.evidence_max_mb"


class RecallNotice(models.Model):
    _inherit = "recall.notice"

    def _portal_evidence_limit(self):
        """The size limit of one evidence file in MB (setting ``partner_portal.evidence_max_mb``,
        10 by default)."""
        setting = self.env["ir.config_parameter"].sudo().get_param(EVIDENCE_MAX_MB_PARAM)
        return evidence.size_limit_mb(setting)

    def _portal_check_evidence(self, files):
        """``files`` [(name, bytes)]: PDF, PNG or JPEG, each within the size limit; returns
        ``[(name, bytes, mimetype)]`` or refuses them all."""
        _ = self.env._
        if not files:
            raise UserError(_("Choose the file(s) to attach."))
        if len(files) > evidence.EVIDENCE_MAX_FILES:
            raise UserError(
                _("Attach at most %(count)s files at a time.", count=evidence.EVIDENCE_MAX_FILES)
            )
        limit_mb = self._portal_evidence_limit()
        errors, checked = [], []
        for name, content in files:
            name = self._portal_clean_text(
                evidence.base_name(name), _("The file name"), limit=255
            ) or _("evidence")
            error = self._portal_evidence_file_error(name, content, limit_mb)
            if error:
                errors.append(error)
            else:
                checked.append((name, content, evidence.evidence_mimetype(name, content)))
        if errors:
            raise UserError(_("Nothing was attached: %(errors)s.", errors="; ".join(errors)))
        return checked

    def _portal_evidence_file_error(self, name, content, limit_mb):
        """What is wrong with one evidence file (a translated text), else ``None``."""
        _ = self.env._
        if not content:
            return _("%(file)s is empty", file=name)
        if len(content) > limit_mb * 1024 * 1024:
            return _(
                "%(file)s is %(size).1f MB, more than the %(limit)s MB allowed",
                file=name,
                size=len(content) / 1024 / 1024,
                limit=f"{limit_mb:g}",
            )
        if not evidence.evidence_mimetype(name, content):
            return _(
                "%(file)s is not a PDF, PNG or JPEG file (only these are accepted as evidence)",
                file=name,
            )
        return None

    def _portal_attach_evidence(self, files, note=None, channel="portal"):
        """Attach evidence (destruction certificates, photos) as a new response."""
        notice = self._portal_check_consignee()
        notice._portal_check_open()
        note = self._portal_clean_text(note, self.env._("The note"))
        checked = notice._portal_check_evidence(files)
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": name,
                        "raw": content,
                        "mimetype": mimetype,
                        "res_model": "recall.notice",
                        "res_id": notice.id,
                    }
                    for name, content, mimetype in checked
                ]
            )
        )
        response = (
            self.env["recall.response"]
            .sudo()
            .create(
                {
                    "notice_id": notice.id,
                    "kind": "note",
                    "channel": channel,
                    "note": note or self.env._("Evidence attached."),
                    "attachment_ids": [(6, 0, attachments.ids)],
                }
            )
        )
        attachments.write({"res_model": "recall.response", "res_id": response.id})
        return response
