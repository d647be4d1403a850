from odoo import api, fields, models

from .mgmtsystem_nonconformity import EFFECTIVENESS_RESULTS


class QualityCapaClosure(models.Model):
    """The signed closure of a CAPA, sealed in the audit ledger: who closed it and when, with
    the effectiveness check and the actions as they were when it was signed."""

    _name = "quality.capa.closure"
    _description = "Signed CAPA Closure"
    _inherit = ["audit.seal.mixin"]
    _order = "closed_at desc, id desc"
    _rec_name = "nonconformity_ref"
    _seal_fields = (
        "nonconformity_id",
        "nonconformity_ref",
        "company_id",
        "signature_id",
        "closed_at",
        "closed_by_id",
        "effectiveness_method",
        "effectiveness_result",
        "effectiveness_verified_by_id",
        "effectiveness_date",
        "evidence_summary",
        "action_summary",
        "content_digest",
    )

    nonconformity_id = fields.Many2one(
        "mgmtsystem.nonconformity", required=True, readonly=True, ondelete="restrict", index=True
    )
    nonconformity_ref = fields.Char(string="Reference", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    signature_id = fields.Many2one("recall.signature", required=True, readonly=True)
    closed_at = fields.Datetime(required=True, readonly=True)
    closed_by_id = fields.Many2one("res.users", required=True, readonly=True)
    effectiveness_method = fields.Text(string="Verification Method", readonly=True)
    effectiveness_result = fields.Selection(EFFECTIVENESS_RESULTS, string="Result", readonly=True)
    effectiveness_verified_by_id = fields.Many2one("res.users", string="Verified By", readonly=True)
    effectiveness_date = fields.Date(string="Verified On", readonly=True)
    evidence_summary = fields.Text(
        string="Evidence", readonly=True, help="Each evidence file with its SHA-1 checksum."
    )
    action_summary = fields.Text(string="Actions", readonly=True)
    content_digest = fields.Char(
        readonly=True, help="SHA-256 of the signed content of the CAPA (as in the signature)."
    )

    @api.model
    def _capa_record(self, nc, signature):
        """The sealed closure of ``nc`` signed with ``signature``."""
        types = dict(
            self.env["mgmtsystem.action"]._fields["type_action"]._description_selection(self.env)
        )
        actions = "\n".join(
            f"{action.reference or ''} {action.name} ({types.get(action.type_action, '')}, "
            f"{action.user_id.name}, {action.date_deadline or '-'} / {action.date_closed or '-'})"
            for action in nc._get_all_actions().sorted("id")
        )
        evidence = "\n".join(
            f"{item['name']} sha1:{item['checksum']}" for item in nc._capa_evidence_digests()
        )
        return self.create(
            {
                "nonconformity_id": nc.id,
                "nonconformity_ref": nc.ref,
                "company_id": (nc.company_id or self.env.company).id,
                "signature_id": signature.id,
                "closed_at": signature.signed_at,
                "closed_by_id": signature.user_id.id,
                "effectiveness_method": nc.effectiveness_method,
                "effectiveness_result": nc.effectiveness_result,
                "effectiveness_verified_by_id": nc.effectiveness_verified_by_id.id,
                "effectiveness_date": nc.effectiveness_date,
                "evidence_summary": evidence,
                "action_summary": actions,
                "content_digest": signature.content_digest,
            }
        )
