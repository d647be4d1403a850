import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    recall_fda_registration = fields.Char(
        string="FDA Registration Number",
        help="Establishment registration number (7 or 10 digits) of the entity that reports "
        "corrections and removals to the FDA: it opens the 21 CFR 806.10 report number. "
        "Empty: reports use seven zeros, as 806.10(c)(1) allows until FDA assigns a number.",
    )
    recall_eu_srn = fields.Char(
        string="EU Single Registration Number",
        help="SRN of the manufacturer in EUDAMED (e.g. CN-MF-000012345), printed on field "
        "safety notices.",
    )

    @api.constrains("recall_fda_registration")
    def _check_recall_fda_registration(self):
        for company in self:
            number = company.recall_fda_registration
            if number and not re.fullmatch(r"\d{7}|\d{10}", number):
                raise ValidationError(
                    self.env._(
                        "%(company)s: the FDA registration number %(number)s must be 7 or 10 "
                        "digits, without spaces or dashes.",
                        company=company.display_name,
                        number=number,
                    )
                )
