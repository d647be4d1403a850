from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    implant_tracked = fields.Boolean(
        string="Tracked device (21 CFR 821)",
        help="The device is subject to tracking (21 CFR 821.20 order, or an implant the maker "
        "tracks to the patient): each unit's implantation and explantation is recorded in the "
        "implant registry, and the tracking report says where every unit is.",
    )

    @api.constrains("implant_tracked", "tracking")
    def _check_implant_tracked_tracking(self):
        for template in self:
            if template.implant_tracked and template.tracking == "none":
                raise ValidationError(
                    self.env._(
                        "%(device)s is a tracked device: track it by serial number (or by lot) "
                        "so each unit can be followed to the patient.",
                        device=template.display_name,
                    )
                )
