from odoo import api, fields, models

SEXES = [("female", "Female"), ("male", "Male"), ("unknown", "Unknown")]
OUTCOMES = [
    ("death", "Death"),
    ("life_threatening", "Life-threatening"),
    ("hospitalization", "Hospitalization (initial or prolonged)"),
    ("disability", "Disability or permanent damage"),
    ("intervention", "Required intervention to prevent permanent damage"),
    ("recovered", "Recovered"),
    ("recovering", "Recovering"),
    ("not_recovered", "Not recovered"),
    ("unknown", "Unknown"),
]


class VigilanceReportPatient(models.Model):
    """A patient affected by the event, in pseudonymised form only: no name, no contact."""

    _name = "vigilance.report.patient"
    _description = "Vigilance Report Patient"
    _order = "report_id, id"

    report_id = fields.Many2one("vigilance.report", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="report_id.company_id", store=True)
    pseudonym = fields.Char(
        required=True,
        help="A code that identifies the patient to the reporting facility only (e.g. the "
        "facility's case number or initials and age). Never the patient's name.",
    )
    age = fields.Integer(help="Age in years at the time of the event.")
    sex = fields.Selection(SEXES, default="unknown")
    outcome = fields.Selection(OUTCOMES, default="unknown")
    note = fields.Text(help="Clinical details the regulator needs, without identifying data.")

    def _vigilance_content(self):
        self.ensure_one()
        return {
            "pseudonym": self.pseudonym,
            "age": self.age,
            "sex": self.sex or "",
            "outcome": self.outcome or "",
            "note": self.note or "",
        }

    def _vigilance_copy_vals(self):
        self.ensure_one()
        return {
            "pseudonym": self.pseudonym,
            "age": self.age,
            "sex": self.sex,
            "outcome": self.outcome,
            "note": self.note,
        }

    @api.model_create_multi
    def create(self, vals_list):
        reports = self.env["vigilance.report"].browse(
            [vals["report_id"] for vals in vals_list if vals.get("report_id")]
        )
        reports._vigilance_check_editable()
        return super().create(vals_list)

    def write(self, vals):
        self.report_id._vigilance_check_editable()
        if vals.get("report_id"):
            self.env["vigilance.report"].browse(vals["report_id"])._vigilance_check_editable()
        return super().write(vals)

    def unlink(self):
        self.report_id._vigilance_check_editable()
        return super().unlink()
