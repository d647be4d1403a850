"""HIBC LIC (ANSI/HIBC 2.6): the mod-43 check character, the primary data structure (the UDI-DI),
secondary data (the UDI-PI: lot or serial, dates, quantity) and concatenated data.

biip reads GS1 only, so HIBC is handled here. A primary data structure is
``+`` LIC (4 chars, first alphabetic) + PCN (1-18 alphanumeric) + unit of measure (1 digit)
+ mod-43 check character, e.g. ``+A99912345`` ... The check character covers everything before it,
flag character included.
"""

import calendar
import datetime
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
    """Split a primary data structure *without* its check character into LIC, PCN and unit of
    measure."""
    match = _PRIMARY_RE.match(primary)
    if not match:
        raise UdiError(
            "hibc_bad_primary",
            _lt("%(value)r is not an HIBC primary data structure: expected '+', a 4-character "
            "labeler code starting with a letter, a product number of 1 to 18 letters or digits "
            "and a one-digit unit of measure."),
            value=primary,
        )
    return match.group("lic"), match.group("pcn"), match.group("uom")


def normalize_hibc_di(value):
    """Validate an HIBC UDI-DI and return its canonical form ``+LICPCNU`` + check character.

    Accepts the value with or without the leading ``+``; the check character is required. A space
    check character is kept (also when written as ``_``, as the human-readable form prints it);
    other trailing spaces are padding.
    """
    value = (value or "").lstrip().rstrip("\r\n\t").upper().replace("_", " ")
    if value.endswith(" "):
        try:
            return _normalize_hibc_di(value)
        except UdiError:
            value = value.rstrip(" ")
    return _normalize_hibc_di(value)


def _normalize_hibc_di(value):
    if not value.startswith("+"):
        value = "+" + value
    if len(value) < 8:
        raise UdiError(
            "hibc_too_short",
            _lt("HIBC device identifier %(value)r is too short: it needs a labeler code, a product "
            "number, a unit of measure and a check character."),
            value=value,
        )
    split_primary(value[:-1])
    _verify_check_char(value)
    return value


# -- secondary and concatenated data (ANSI/HIBC 2.6 §2.2, Appendix E) ----------------------------
#
# Secondary data follows ``+`` (its own symbol, then a link character = the primary's check
# character, then its own check character) or ``/`` (concatenated after the primary in one
# symbol, one check character at the end, no link character). It starts with a reference identifier:
#
#   ``$$`` / ``$$+``   expiry date format flag, then lot (``$$``) or serial (``$$+``)
#                      flag ``0``/``1``: MMYY (the flag *is* the first month digit), ``2`` MMDDYY,
#                      ``3`` YYMMDD, ``4`` YYMMDDHH, ``5`` YYJJJ, ``6`` YYJJJHH, ``7`` no date;
#                      ``8`` + 2-digit or ``9`` + 5-digit quantity, then a date flag as above
#   ``$`` / ``$+``     lot / serial without date (FDA: "for backward compatibility only")
#   ``nnnnn``          5-digit Julian expiry date YYJJJ, then lot (the original format)
#
# then optional supplemental fields, each after ``/``: ``S`` serial, ``16D`` manufacture date
# YYYYMMDD, ``14D`` expiry date YYYYMMDD.

HIBC_PI_MAX_LENGTH = 18
_PI_RE = re.compile(r"^[A-Z0-9\-.]*$")
_DATE_FORMATS = {
    # flag: (length of the date data after the flag, strptime-like layout)
    "2": (6, "MMDDYY"),
    "3": (6, "YYMMDD"),
    "4": (8, "YYMMDDHH"),
    "5": (5, "YYJJJ"),
    "6": (7, "YYJJJHH"),
    "7": (0, None),
}


def century_year(two_digits, today):
    """GS1 General Specifications §7.12 sliding window, also used for HIBC two-digit years."""
    year = int(two_digits)
    current = today.year
    century = current - current % 100
    diff = year - current % 100
    if 51 <= diff <= 99:
        return century - 100 + year
    if -99 <= diff <= -50:
        return century + 100 + year
    return century + year


def _impossible(value, layout):
    return UdiError(
        "date_impossible",
        _lt("HIBC date %(value)r is not a real date in the format %(layout)s."),
        value=value,
        layout=layout,
    )


def _hibc_date(layout, value, today):
    """The calendar date written as ``value`` in ``layout`` (MMYY, MMDDYY, YYMMDD, YYMMDDHH,
    YYJJJ, YYJJJHH or YYYYMMDD). Hours are checked, then dropped: a UDI expiry is a day."""
    if not value.isdigit():
        raise _impossible(value, layout)
    try:
        if layout == "MMYY":
            year, month = century_year(value[2:4], today), int(value[0:2])
            return datetime.date(year, month, calendar.monthrange(year, month)[1])
        if layout == "MMDDYY":
            return datetime.date(century_year(value[4:6], today), int(value[0:2]), int(value[2:4]))
        if layout == "YYYYMMDD":
            return datetime.date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
        if layout.endswith("HH") and int(value[-2:]) > 23:
            raise _impossible(value, layout)
        if layout.startswith("YYMMDD"):
            return datetime.date(century_year(value[0:2], today), int(value[2:4]), int(value[4:6]))
        year, day = century_year(value[0:2], today), int(value[2:5])  # YYJJJ[HH]
        if not 1 <= day <= (366 if calendar.isleap(year) else 365):
            raise _impossible(value, layout)
        return datetime.date(year, 1, 1) + datetime.timedelta(days=day - 1)
    except ValueError as exc:
        if isinstance(exc, UdiError):
            raise
        raise _impossible(value, layout) from None


def _check_pi(value, what):
    if len(value) > HIBC_PI_MAX_LENGTH:
        raise UdiError(
            "pi_too_long",
            _lt("The HIBC %(what)s %(value)r has %(length)s characters; HIBC allows at most 18."),
            what=what,
            value=value,
            length=len(value),
        )
    if not _PI_RE.match(value):
        bad = next(char for char in value if not _PI_RE.match(char))
        raise UdiError(
            "pi_bad_character",
            _lt("The HIBC %(what)s %(value)r contains %(char)r; HIBC allows only letters, digits, "
                "'-' and '.'."),
            what=what,
            value=value,
            char=bad,
        )
    return value


def _truncated(data, what):
    return UdiError(
        "hibc_truncated",
        _lt("HIBC secondary data %(value)r ends before its %(what)s is complete."),
        value=data,
        what=what,
    )


def parse_hibc_secondary(data, today):
    """Parse secondary data (without its leading ``+`` or ``/``, link and check characters).

    Returns a dict with ``lot``, ``serial``, ``expiry``, ``manufactured``, ``quantity`` and
    ``warnings`` (codes of legacy formats).
    """
    result = {"lot": None, "serial": None, "expiry": None, "manufactured": None, "quantity": None,
              "warnings": []}
    main, *supplements = data.split("/")
    what = "lot"
    if main.startswith("$$"):
        rest = main[2:]
        if rest.startswith("+"):
            what, rest = "serial", rest[1:]
        if rest[:1] in ("8", "9"):
            size = 2 if rest[0] == "8" else 5
            quantity = rest[1:1 + size]
            if len(quantity) < size or not quantity.isdigit():
                raise _truncated(data, "quantity")
            result["quantity"] = int(quantity)
            rest = rest[1 + size:]
        flag = rest[:1]
        if flag in ("0", "1"):
            if len(rest) < 4:
                raise _truncated(data, "expiry date")
            result["expiry"] = _hibc_date("MMYY", rest[:4], today)
            rest = rest[4:]
        elif flag in _DATE_FORMATS:
            length, layout = _DATE_FORMATS[flag]
            if len(rest) < 1 + length:
                raise _truncated(data, "expiry date")
            if layout:
                result["expiry"] = _hibc_date(layout, rest[1:1 + length], today)
            rest = rest[1 + length:]
        elif rest or result["quantity"] is None:
            raise UdiError(
                "hibc_bad_secondary",
                _lt("HIBC secondary data %(value)r: after '$$' a date format digit 0 to 9 is "
                    "expected, got %(char)r."),
                value=data,
                char=flag,
            )
        value = rest
    elif main.startswith("$"):
        what = "serial" if main.startswith("$+") else "lot"
        value = main[2:] if what == "serial" else main[1:]
        result["warnings"].append("hibc_legacy_format")
    elif len(main) >= 5 and main[:5].isdigit():
        result["expiry"] = _hibc_date("YYJJJ", main[:5], today)
        value = main[5:]
    else:
        raise UdiError(
            "hibc_bad_secondary",
            _lt("HIBC secondary data %(value)r must start with '$$', '$$+', '$', '$+' or a 5-digit "
                "Julian date."),
            value=data,
        )
    if value:
        result[what] = _check_pi(value, what)
    result.update(_parse_supplements(supplements, today))
    return result


def _parse_supplements(supplements, today):
    """Supplemental data fields: ``S`` serial, ``16D`` manufacture date, ``14D`` expiry date."""
    result = {}
    for supplement in supplements:
        if supplement.startswith("S") and len(supplement) > 1:
            result["serial"] = _check_pi(supplement[1:], "serial")
        elif supplement.startswith(("16D", "14D")) and len(supplement) == 11:
            day = _hibc_date("YYYYMMDD", supplement[3:], today)
            result["manufactured" if supplement.startswith("16D") else "expiry"] = day
        else:
            raise UdiError(
                "hibc_unknown_supplement",
                _lt("HIBC supplemental data field %(field)r is not one of 'S' (serial), "
                    "'16D' (manufacture date YYYYMMDD) or '14D' (expiry date YYYYMMDD)."),
                field="/" + supplement,
            )
    return result


def _verify_check_char(data):
    body, check = data[:-1], data[-1]
    expected = mod43_check_char(body)
    if check != expected:
        raise UdiError(
            "hibc_bad_check_char",
            _lt("Invalid HIBC check character for %(value)r: expected %(expected)r, got %(got)r."),
            value=data,
            expected=expected,
            got=check,
        )
    return body


def parse_hibc(data, today):
    """Parse one HIBC symbol's data: primary, secondary or concatenated.

    ``data`` starts with ``+`` and ends with the check character (a space check character may be
    given as ``_``, as the human-readable form prints it). Returns a dict with ``kind``
    (``primary`` / ``secondary`` / ``concatenated``), ``di`` (canonical, None for secondary),
    ``link`` (secondary only), ``lot``, ``serial``, ``expiry``, ``manufactured``, ``quantity``
    and ``warnings`` (codes).
    """
    data = data.upper().replace("_", " ")
    if not data.startswith("+") or len(data) < 3:
        raise UdiError(
            "hibc_too_short",
            _lt("HIBC data %(value)r is too short: it needs the '+' flag, data and a check "
                "character."),
            value=data,
        )
    body = _verify_check_char(data)
    empty = {"lot": None, "serial": None, "expiry": None, "manufactured": None, "quantity": None,
             "warnings": []}
    if body[1].isalpha():
        primary, slash, secondary = body.partition("/")
        split_primary(primary)
        di = primary + mod43_check_char(primary)
        if not slash:
            return {"kind": "primary", "di": di, "link": None, **empty}
        return {"kind": "concatenated", "di": di, "link": None,
                **parse_hibc_secondary(secondary, today)}
    if len(body) < 3:
        raise _truncated(data, "link character")
    return {"kind": "secondary", "di": None, "link": body[-1],
            **parse_hibc_secondary(body[1:-1], today)}


# -- composing (labels and round-trip tests) ------------------------------------------------------

def hibc_secondary_data(lot=None, serial=None, expiry=None, manufactured=None, quantity=None):
    """Secondary data in the ``$$`` formats: date flag ``3`` (YYMMDD) or ``7`` (no date); a serial
    with a lot goes to the ``/S`` supplement, a manufacture date to ``/16D``."""
    main = "$$+" if serial and not lot else "$$"
    if quantity is not None:
        main += "8%02d" % quantity if quantity < 100 else "9%05d" % quantity
    main += "3" + expiry.strftime("%y%m%d") if expiry else "7"
    main += lot or serial or ""
    if serial and lot:
        main += "/S" + serial
    if manufactured:
        main += "/16D" + manufactured.strftime("%Y%m%d")
    return main


def hibc_concatenated(di, **pi):
    """One-symbol HIBC data: the primary (without its check character), ``/``, the secondary data
    and one check character over everything."""
    primary = normalize_hibc_di(di)[:-1]
    body = primary + "/" + hibc_secondary_data(**pi)
    return body + mod43_check_char(body)


def hibc_secondary(di, **pi):
    """Secondary-symbol HIBC data for the primary ``di``: ``+``, data, link and check characters."""
    body = "+" + hibc_secondary_data(**pi) + normalize_hibc_di(di)[-1]
    return body + mod43_check_char(body)
