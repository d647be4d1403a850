from odoo import api, models
from odoo.exceptions import UserError


class AuditlogRule(models.Model):
    _inherit = "auditlog.rule"

    @api.model
    def _audit_seal_subscribe_configuration(self):
        """Seal every change to the retention periods (install and update)."""
        self._audit_seal_subscribe("audit.seal.retention")
        return True

    def _audit_seal_subscribe(self, model_name, field_names=None, name=None):
        """Log (and therefore seal) changes to ``field_names`` of ``model_name``.

        For bridges and configuration code, e.g. the UDI fields of products and lots. Creates
        or updates a confirmed "full" auditlog rule that logs creation, changes and deletion;
        fields not listed are excluded. Returns the rule.
        """
        model = self.env["ir.model"]._get(model_name)
        if not model:
            raise UserError(self.env._("Unknown model %(model)s.", model=model_name))
        excluded = self.env["ir.model.fields"]
        if field_names:
            unknown = set(field_names) - set(self.env[model_name]._fields)
            if unknown:
                raise UserError(
                    self.env._(
                        "Model %(model)s has no field %(fields)s.",
                        model=model_name,
                        fields=", ".join(sorted(unknown)),
                    )
                )
            excluded = self.env["ir.model.fields"].search(
                [("model_id", "=", model.id), ("name", "not in", list(field_names))]
            )
        vals = {
            "name": name or self.env._("Sealed change log: %(model)s", model=model.name),
            "model_id": model.id,
            "log_type": "full",
            "log_create": True,
            "log_write": True,
            "log_unlink": True,
            "log_read": False,
            "log_export_data": False,
            "fields_to_exclude_ids": [(6, 0, excluded.ids)],
        }
        rule = self.sudo().with_context(active_test=False).search([("model_id", "=", model.id)])
        if rule:
            if rule.state == "confirmed":
                rule.set_to_draft()
            rule.write(vals)
        else:
            rule = self.sudo().create(vals)
        rule.set_to_confirmed()
        return rule
