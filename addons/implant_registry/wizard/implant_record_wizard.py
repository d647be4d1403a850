from odoo import api, fields, models


class ImplantRecordWizard(models.TransientModel):
    """Staff record an implantation or explantation from a hospital's report (form, letter,
    phone call): scan the unit's UDI, name the facility, the date, the physician and the
    patient id the hospital gave. The patient fields are blanked once recorded."""

    _name = "implant.record.wizard"
    _description = "Record an Implantation or Explantation"

    event_type = fields.Selection(
        [("implant", "Implantation"), ("explant", "Explantation")],
        string="Event",
        required=True,
        default="implant",
    )
    udi_scan = fields.Char(string="Scan the UDI", help="The unit's UDI with its serial or lot.")
    lot_id = fields.Many2one(
        "stock.lot",
        string="Unit (serial/lot)",
        domain="[('product_id.product_tmpl_id.implant_tracked', '=', True)]",
        help="Instead of a scan: the serial number or lot of the tracked device.",
    )
    facility_id = fields.Many2one(
        "res.partner",
        required=True,
        domain="[('udi_role_ids.code', '=', 'healthcare')]",
    )
    event_date = fields.Date(string="Date", required=True, default=fields.Date.context_today)
    physician = fields.Char()
    patient_ref = fields.Char(string="Patient ID")
    patient_contact = fields.Char(string="Patient contact")
    explant_reason = fields.Text(string="Reason for explantation")
    reporter_partner_id = fields.Many2one("res.partner", string="Reported by")

    @api.model
    def _implant_open(self, event_type="implant"):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {"default_event_type": event_type},
        }

    def action_record(self):
        self.ensure_one()
        record = self.env["implant.record"]._implant_register(
            self.event_type,
            {
                "udi": self.udi_scan or False,
                "lot_id": self.lot_id.id or False,
                "facility_id": self.facility_id.id,
                "event_date": self.event_date,
                "physician": self.physician,
                "patient_ref": self.patient_ref,
                "patient_contact": self.patient_contact,
                "explant_reason": self.explant_reason,
                "reporter_partner_id": self.reporter_partner_id.id,
            },
            source="staff",
        )
        # the clear patient id does not stay in the wizard's table
        self.write({"patient_ref": False, "patient_contact": False})
        return {
            "type": "ir.actions.act_window",
            "res_model": "implant.record",
            "res_id": record.id,
            "view_mode": "form",
            "target": "current",
        }
