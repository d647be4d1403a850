from odoo import api, models

from odoo.addons.trace_events.models.auditlog_rule import MASTER_DATA_FIELDS

#: life cycle fields of a DI, logged and sealed with the DI's master data
DI_LIFECYCLE_FIELDS = ("other_agency_name", "state", "approval_signature_id", "previous_di_id")
#: fields of a submission task that change after it is opened
SUBMISSION_FIELDS = (
    "state",
    "changed_fields",
    "done_at",
    "export_model",
    "export_id",
    "export_name",
    "alerted_at",
    "escalated_at",
)


class AuditlogRule(models.Model):
    _inherit = "auditlog.rule"

    def _trace_subscribe_master_data(self):
        result = super()._trace_subscribe_master_data()
        self._udi_subscribe_change_control()
        return result

    @api.model
    def _udi_subscribe_change_control(self):
        """Seal every change of a DI (life cycle included), of the device record's DI fields
        (name and reference included), of submission tasks and of the trigger attributes."""
        self._audit_seal_subscribe(
            "udi.di", list(MASTER_DATA_FIELDS["udi.di"]) + list(DI_LIFECYCLE_FIELDS)
        )
        template = self.env["product.template"]
        names = sorted(
            name
            for name, field in template._fields.items()
            if field.store and not field.compute and (name.startswith("udi_") or name == "tracking")
        )
        self._audit_seal_subscribe("product.template", names + ["name", "default_code"])
        self._audit_seal_subscribe("udi.di.submission", list(SUBMISSION_FIELDS))
        self._audit_seal_subscribe("udi.di.trigger.attribute")
        return True
