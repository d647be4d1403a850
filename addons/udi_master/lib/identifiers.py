"""Validation of UDI device identifiers, GLNs and PI values, per issuing agency."""

import re

from biip import ParseError
from biip.gln import Gln
from biip.gtin import Gtin

from .errors import UdiError, _lt
from .hibc import normalize_hibc_di

# GS1 General Specifications, figure 7.11-1: the 82 characters allowed in AIs such as 10 and 21.
_AI82_RE = re.compile(r"""^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$""")
_ICCBBA_RE = re.compile(r"^[A-Z0-9]{1,23}$")
_FREE_FORMAT_RE = re.compile(r"^[\x21-\x7e]{1,50}$")

AGENCIES = ("gs1", "hibcc", "iccbba", "other")
PI_MAX_LENGTH = 20


def normalize_gtin(value):
    """Validate a GTIN-8/12/13/14 (mod-10 check digit) and return it as GTIN-14."""
    value = (value or "").strip()
    try:
        return Gtin.parse(value).as_gtin_14()
    except ParseError as exc:
        raise UdiError("gtin_invalid", _lt("Invalid GTIN %(value)r: %(reason)s"), value=value,
                       reason=str(exc)) from None


def normalize_di(agency, value):
    """Validate ``value`` as a UDI-DI of ``agency`` and return its canonical form.

    GS1: GTIN-14. HIBCC: ``+LICPCNU`` + mod-43 check character. ICCBBA: upper-case ISBT 128
    product code. Other agencies (China's MA / ZIIOT and AHM): 1-50 printable ASCII characters,
    kept as given.
    """
    if agency == "gs1":
        return normalize_gtin(value)
    if agency == "hibcc":
        return normalize_hibc_di(value)
    value = (value or "").strip()
    if agency == "iccbba":
        if not _ICCBBA_RE.match(value.upper()):
            raise UdiError(
                "iccbba_invalid",
                _lt("Invalid ISBT 128 product code %(value)r: expected 1 to 23 letters or digits."),
                value=value,
            )
        return value.upper()
    if agency == "other":
        if not _FREE_FORMAT_RE.match(value):
            raise UdiError(
                "di_invalid",
                _lt("Invalid device identifier %(value)r: expected 1 to 50 printable characters "
                    "without spaces."),
                value=value,
            )
        return value
    raise UdiError("agency_unknown", _lt("Unknown issuing agency %(agency)r."), agency=agency)


def normalize_gln(value):
    """Validate a 13-digit GLN (mod-10 check digit) and return it."""
    value = (value or "").strip()
    if not re.fullmatch(r"\d{13}", value):
        raise UdiError("gln_invalid", _lt("Invalid GLN %(value)r: a GLN has exactly 13 digits."),
                       value=value)
    try:
        return Gln.parse(value).value
    except ParseError as exc:
        raise UdiError("gln_invalid", _lt("Invalid GLN %(value)r: %(reason)s"), value=value,
                       reason=str(exc)) from None


def check_pi_value(value, what="lot"):
    """A lot or serial number as GS1 AI 10/21 allows it: at most 20 characters of the AI 82 set."""
    if len(value) > PI_MAX_LENGTH:
        raise UdiError("pi_too_long", _lt("The %(what)s %(value)r has %(length)s characters; a UDI "
                       "allows at most 20."), what=what, value=value, length=len(value))
    if not _AI82_RE.match(value):
        bad = next(c for c in value if not _AI82_RE.match(c))
        raise UdiError(
            "pi_bad_character",
            _lt("The %(what)s %(value)r contains %(char)r, which is not in the GS1 character set "
                "82 allowed in a UDI."),
            what=what, value=value, char=bad,
        )
    return value
