"""Packages as logistic units: the SSCC on an Odoo package, and how packing events name them.

A package with an SSCC (GS1 AI 00, 18 digits, check digit verified) is named by it in its
events, as GS1 identifies a logistic unit everywhere (label, EPCIS, partners' systems). The
SSCC is scanned or typed on the package, or taken from the package's name when Odoo's own
check (``valid_sscc``) finds a valid SSCC there. The suite does not allocate SSCCs itself: the
companies have no GS1 company prefix setting, and an SSCC made up without one would collide
with real ones. A package without an SSCC is named ``urn:udi-trace:<database uuid>:package:<id>``
(the suite's URN for things known in one database only, as for locations without GLN): the
record id never changes, whereas a package's name can be edited and reused.
"""

import re
from urllib.parse import unquote

from biip.checksums import gs1_standard_check_digit

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import epcis

_SSCC_RE = re.compile(r"^\d{18}$")


def sscc_digits(code):
    """The 18 digits of an SSCC written as itself, ``(00)`` + SSCC, ``00`` + SSCC, a GS1
    Digital Link with ``/00/`` or an EPC URN ``urn:epc:id:sscc:``; None if ``code`` is none of
    these forms. The check digit is not verified here (see :func:`sscc_problem`)."""
    if not isinstance(code, str):
        return None
    text = code.strip()
    if text.lower().startswith("urn:epc:id:sscc:"):
        company, _dot, ref = text[16:].partition(".")
        digits = ref[:1] + company + ref[1:]
        if not (company.isdigit() and ref.isdigit() and len(digits) == 17):
            return None
        return digits + str(gs1_standard_check_digit(digits))
    if epcis.is_uri(text) and "/00/" in text:
        text = unquote(text.split("/00/", 1)[1].split("/", 1)[0].split("?", 1)[0])
    text = text.replace(" ", "")
    if text.startswith("(00)"):
        text = text[4:]
    elif len(text) == 20 and text.startswith("00"):
        text = text[2:]
    return text if _SSCC_RE.match(text) else None


def sscc_problem(digits):
    """None if the last digit of ``digits`` (18) is the GS1 check digit of the 17 before it,
    else the digit it should be."""
    expected = str(gs1_standard_check_digit(digits[:-1]))
    return None if digits[-1] == expected else expected


class StockPackage(models.Model):
    _inherit = "stock.package"

    udi_sscc = fields.Char(
        string="SSCC",
        copy=False,
        index="btree_not_null",
        help="Serial Shipping Container Code (GS1 AI 00, 18 digits) on the package's label: "
        "its packing, unpacking and shipping events name it, and a trace can start from its "
        "scan. Taken from the package's name when that is a valid SSCC.",
    )

    _udi_sscc_unique = models.UniqueIndex(
        "(udi_sscc) WHERE udi_sscc IS NOT NULL",
        "This SSCC is already on another package: an SSCC names one logistic unit.",
    )

    @api.model
    def _udi_clean_sscc(self, code, package_name=None):
        """The 18 digits of the SSCC ``code`` (any form :func:`sscc_digits` reads); a
        ValidationError that says what is wrong otherwise."""
        digits = sscc_digits(code)
        where = package_name or self.env._("the package")
        if not digits:
            raise ValidationError(
                self.env._(
                    "%(code)s is not an SSCC (18 digits, or a GS1 Digital Link with /00/) for "
                    "%(package)s: scan the package's SSCC label again or type its 18 digits.",
                    code=code,
                    package=where,
                )
            )
        expected = sscc_problem(digits)
        if expected:
            raise ValidationError(
                self.env._(
                    "SSCC %(code)s of %(package)s has a wrong check digit: %(given)s, where GS1's "
                    "check digit of the first 17 digits is %(expected)s. Scan the label again or "
                    "correct the number; nothing was saved.",
                    code=digits,
                    package=where,
                    given=digits[-1],
                    expected=expected,
                )
            )
        return digits

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("udi_sscc"):
                vals["udi_sscc"] = self._udi_clean_sscc(vals["udi_sscc"], vals.get("name"))
            elif vals.get("name") and (digits := sscc_digits(vals["name"])):
                if not sscc_problem(digits):
                    vals["udi_sscc"] = digits
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("udi_sscc"):
            vals = dict(vals, udi_sscc=self._udi_clean_sscc(vals["udi_sscc"], self[:1].name))
        return super().write(vals)

    def _trace_package_ref(self):
        """How events name this package: its SSCC (18 digits), else the suite's local URN."""
        self.ensure_one()
        if self.udi_sscc:
            return self.udi_sscc
        scope = self.env["trace.event"]._epcis_scope()
        return epcis.local_uri(scope, "package", self.id)
