from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .udi_di_publication import DATABASES

#: models whose fields a trigger attribute can map
TRIGGER_MODELS = ("product.template", "udi.di")


class UdiDiTriggerAttribute(models.Model):
    """A data element of a UDI database whose change requires a new UDI-DI once the DI record is
    published there (FDA GUDID "New DI Trigger", NMPA locked fields, EU MDR Annex VI Part C).

    Regulatory data, with its source: which database, which attribute, which field of the
    suite holds it. An attribute without a field is listed but not enforced yet.
    """

    _name = "udi.di.trigger.attribute"
    _description = "UDI-DI Trigger Attribute"
    _order = "database, sequence, id"

    name = fields.Char(
        string="Attribute", required=True, translate=True, help="As the database names it."
    )
    database = fields.Selection(DATABASES, required=True)
    sequence = fields.Integer(default=10)
    field_id = fields.Many2one(
        "ir.model.fields",
        ondelete="cascade",
        domain=[("model", "in", TRIGGER_MODELS), ("store", "=", True)],
        help="The field of the device record (product) or of the DI that holds the attribute. "
        "Empty: not held by the suite yet, so not enforced.",
    )
    model = fields.Char(related="field_id.model", string="Model")
    source = fields.Char(
        required=True, help="The regulation or guidance that makes it a trigger (a citation)."
    )
    source_url = fields.Char(string="Source URL")
    note = fields.Text(translate=True)
    active = fields.Boolean(default=True)

    _database_field_unique = models.UniqueIndex(
        "(database, field_id) WHERE field_id IS NOT NULL",
        "A field is mapped once per database.",
    )

    @api.constrains("field_id")
    def _check_field_id(self):
        for attribute in self.filtered("field_id"):
            if attribute.field_id.model not in TRIGGER_MODELS:
                raise ValidationError(
                    self.env._(
                        "Trigger attribute %(attribute)s: field %(field)s belongs to %(model)s; "
                        "map a field of the device (product) or of the UDI-DI.",
                        attribute=attribute.name,
                        field=attribute.field_id.name,
                        model=attribute.field_id.model,
                    )
                )

    @api.model
    def _udi_triggers(self, model_name, field_names):
        """{field name: trigger attributes} of ``model_name`` among ``field_names``."""
        attributes = self.sudo().search(
            [("field_id.model", "=", model_name), ("field_id.name", "in", list(field_names))]
        )
        result = {}
        for attribute in attributes:
            name = attribute.field_id.name
            result[name] = result.get(name, attributes.browse()) | attribute
        return result
