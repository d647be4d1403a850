from odoo import api, models
from odoo.exceptions import AccessError

from ..tools.workflow import in_workflow


class AuditSealWorkflowMixin(models.AbstractModel):
    """Fields that only the model's workflow methods set: states, decision and acknowledgement
    times, signatures, releases, and every stored computed or related value.

    Inherit ``audit.seal.workflow.mixin``, name the fields in ``_workflow_fields`` (or set
    ``_workflow_fields = "__all__"`` for a model whose records only its workflow writes), and
    decorate the methods that set them with ``odoo.addons.audit_seal.tools.workflow.workflow``::

        class RecallQuarantine(models.Model):
            _inherit = ["audit.seal.workflow.mixin"]
            _workflow_fields = ("state", "released_by_id", "released_at")

            @workflow
            def _recall_release(self, reason): ...

    Any other ``create`` or ``write`` that sets one of them is refused, for every user and every
    context; on ``create`` a guarded field may only take its default or an empty value.
    """

    _name = "audit.seal.workflow.mixin"
    _description = "Workflow-Guarded Fields"

    #: names of the fields only workflow methods set, or "__all__"
    _workflow_fields = ()

    @api.model
    def _workflow_guarded_fields(self):
        if self._workflow_fields == "__all__":
            return {
                name
                for name, field in self._fields.items()
                if field.store and name not in models.MAGIC_COLUMNS
            }
        guarded = set(self._workflow_fields)
        for name, field in self._fields.items():
            # a stored computed or related value is the workflow's (or the ORM's), not a caller's,
            # unless the model declares it editable (readonly=False)
            if field.store and (field.related or field.compute) and field.readonly:
                guarded.add(name)
        return guarded - set(models.MAGIC_COLUMNS)

    @api.model
    def _workflow_default(self, name):
        field = self._fields[name]
        if not field.default:
            return None
        return field.convert_to_write(field.convert_to_cache(field.default(self), self), self)

    @api.model
    def _workflow_check_values(self, vals_list, creating=False):
        if in_workflow():
            return
        guarded = self._workflow_guarded_fields()
        forbidden = set()
        for vals in vals_list:
            for name in guarded.intersection(vals):
                if creating and (not vals[name] or vals[name] == self._workflow_default(name)):
                    continue  # an empty or default value decides nothing
                forbidden.add(name)
        if forbidden:
            labels = sorted(self._fields[name]._description_string(self.env) for name in forbidden)
            raise AccessError(
                self.env._(
                    "%(fields)s of %(model)s are set by its workflow (its buttons and "
                    "electronic signatures), never written directly.",
                    fields=", ".join(labels),
                    model=self._description,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._workflow_check_values(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._workflow_check_values([vals])
        return super().write(vals)
