from odoo import api, fields, models


class QualityCapaSignWizard(models.TransientModel):
    """Electronic signature of a CAPA closure: the approver sees the nonconformity, its actions
    and the effectiveness check, and re-enters the password (``recall.signature._recall_sign``)."""

    _name = "quality.capa.sign.wizard"
    _inherit = ["recall.sign.mixin"]
    _description = "Sign a CAPA Closure"

    nonconformity_id = fields.Many2one("mgmtsystem.nonconformity", required=True, readonly=True)

    @api.model
    def _capa_open(self, nc):
        return self._recall_open_dialog({"nonconformity_id": nc.id})

    @api.depends("nonconformity_id")
    def _compute_meaning_text(self):
        results = dict(
            self.env["mgmtsystem.nonconformity"]
            ._fields["effectiveness_result"]
            ._description_selection(self.env)
        )
        for wizard in self:
            nc = wizard.nonconformity_id
            wizard.meaning_text = self._recall_meaning_label("capa_close")
            wizard.summary = self.env._(
                "%(nc)s: %(name)s. Actions: %(actions)s. Effectiveness: %(result)s, verified "
                "by %(verifier)s on %(date)s (%(method)s).",
                nc=nc.ref,
                name=nc.name or "-",
                actions=", ".join(nc._get_all_actions().mapped("name")) or "-",
                result=results.get(nc.effectiveness_result, "-"),
                verifier=nc.effectiveness_verified_by_id.name or "-",
                date=nc.effectiveness_date or "-",
                method=nc.effectiveness_method or "-",
            )

    def action_sign(self):
        """Sign with the password in the context key ``signature_password``, then close. A
        wrong password records nothing but the throttled failure."""
        self.ensure_one()
        password, wizard = self._recall_take_password()
        nc = wizard.nonconformity_id
        nc._capa_check_closable()
        signature = wizard.env["recall.signature"]._recall_sign(nc, "capa_close", password)
        nc._capa_close(signature)
        return {"type": "ir.actions.act_window_close"}
