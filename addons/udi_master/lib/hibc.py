"""HIBC LIC (ANSI/HIBC 2.6) primitives: the mod-43 check character and the primary data structure.

biip reads GS1 only, so HIBC is handled here. A primary data structure is
``+`` LIC (4 chars, first alphabetic) + PCN (1-18 alphanumeric) + unit of measure (1 digit)
+ mod-43 check character, e.g. ``+A99912345`` ... The check character covers everything before it,
flag character included.
"""

import re

from .errors import UdiError, _lt

MOD43_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%"
_PRIMARY_RE = re.compile(r"^\+(?P<lic>[A-Z][A-Z0-9]{3})(?P<pcn>[A-Z0-9]{1,18})(?P<uom>[0-9])$")


def mod43_check_char(data):
    """The HIBC mod-43 check character of ``data``."""
    try:
        total = sum(MOD43_CHARSET.index(char) for char in data)
    except ValueError:
        bad = next(char for char in data if char not in MOD43_CHARSET)
        raise UdiError(
            "hibc_bad_character",
            _lt("Character %(char)r is not allowed in HIBC data."),
            char=bad,
        ) from None
    return MOD43_CHARSET[total % 43]


def split_primary(primary):
    """Split a primary data structure *without* its check character into LIC, PCN, unit of measure."""
    match = _PRIMARY_RE.match(primary)
    if not match:
        raise UdiError(
            "hibc_bad_primary",
            _lt("%(value)r is not an HIBC primary data structure: expected '+', a 4-character labeler "
            "code starting with a letter, a product number of 1 to 18 letters or digits and a "
            "one-digit unit of measure."),
            value=primary,
        )
    return match.group("lic"), match.group("pcn"), match.group("uom")


def normalize_hibc_di(value):
    """Validate an HIBC UDI-DI and return its canonical form ``+LICPCNU`` + check character.

    Accepts the value with or without the leading ``+``; the check character is required.
    """
    value = (value or "").strip().upper()
    if not value.startswith("+"):
        value = "+" + value
    if len(value) < 8:
        raise UdiError(
            "hibc_too_short",
            _lt("HIBC device identifier %(value)r is too short: it needs a labeler code, a product "
            "number, a unit of measure and a check character."),
            value=value,
        )
    body, check = value[:-1], value[-1]
    split_primary(body)
    expected = mod43_check_char(body)
    if check != expected:
        raise UdiError(
            "hibc_bad_check_char",
            _lt("Invalid HIBC check character for %(value)r: expected %(expected)r, got %(got)r."),
            value=value,
            expected=expected,
            got=check,
        )
    return value
