from odoo import api, models
from odoo.exceptions import UserError

#: context key: the list into which ``auditlog.log.create`` puts its values instead of creating
#: (see :meth:`AuditlogRule.create_logs`)
LOG_BATCH_KEY = "audit_seal_log_batch"


class AuditlogRule(models.Model):
    _inherit = "auditlog.rule"

    @api.model
    def _audit_seal_subscribe_configuration(self):
        """Seal every change to the retention periods (install and update)."""
        self._audit_seal_subscribe("audit.seal.retention")
        return True

    def create_logs(
        self,
        uid,
        res_model,
        res_ids,
        method,
        old_values=None,
        new_values=None,
        additional_log_values=None,
    ):
        """The logs of several records in one ``create``, not one per record.

        OCA auditlog creates the log of each record (and its lines) by itself: for a receipt of
        serial numbers, one INSERT of a log, one of its lines and a read of the fields per lot,
        each log then sealed as a record apart. The values are collected here and created
        together: the same logs, lines, order and ledger entries, in a few queries. An export
        log (whose record the caller gets back) is created as before.
        """
        if method == "export_data" or len(res_ids) < 2 or LOG_BATCH_KEY in self.env.context:
            return super().create_logs(
                uid, res_model, res_ids, method, old_values, new_values, additional_log_values
            )
        batch = []
        result = super(AuditlogRule, self.with_context(**{LOG_BATCH_KEY: batch})).create_logs(
            uid, res_model, res_ids, method, old_values, new_values, additional_log_values
        )
        if batch:
            self.env["auditlog.log"].create(batch)
        return result

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
