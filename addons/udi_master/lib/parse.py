"""Read a scanned or typed UDI: GS1 (element string, human-readable form, Digital Link) or HIBC.

:func:`parse_udi` accepts what scanners and people actually send:

- an optional AIM symbology identifier, ``]`` + letter + modifier (``]d2`` GS1 DataMatrix, ``]C1``
  GS1-128, ``]Q3`` GS1 QR, ``]e0`` GS1 DataBar, ``]J1`` GS1 DotCode, ``]d1`` / ``]Q1`` for a
  Digital Link or HIBC in a plain symbol, ``]C0`` / ``]A0`` for HIBC in Code 128 / Code 39);
  ``]E0`` / ``]E4`` (EAN/UPC) and ``]I1`` (ITF-14) mark a bare GTIN;
- GS1 element strings with the FNC1 separator as ASCII 29 or written out. Accepted spellings,
  case-insensitive: ``<GS>``, ``{GS}``, ``[GS]``, ``<FNC1>``, ``{FNC1}``, ``[FNC1]``, the escape
  sequences ``\\x1d`` and ``\\u001d`` typed literally (as copied from logs and JSON), caret
  notation ``^]`` and the symbol ``␝`` (U+241D). ``#`` is *not* read as a separator: it is no
  GS1 character, so a ``#`` stays an error rather than silently splitting a lot. A separator
  after any element, and a leading one (FNC1 in first position passed through), are tolerated
  (GS1 General Specifications §7.8.6.3);
- the parenthesised human-readable form ``(01)…(17)…(10)…``, spaces around values allowed;
- GS1 Digital Link URIs on any domain, with path prefixes, qualifiers in the path and data
  attributes (``?17=…&11=…``) in the query; non-numeric query keys (``linkType``, tracking
  parameters) are ignored. :func:`parse_digital_link` is the suite's one Digital Link reader:
  it reads those of any GS1 key (SSCC, GLN, ...), which EPCIS identifiers use too;
- HIBC primary, secondary and concatenated data, with or without the Code 39 ``*`` delimiters,
  a space check/link character written as ``_``, and a primary and a secondary symbol scanned
  into one field (separated by a line break, a tab, GS or a space), whose link character is
  then verified;
- a bare GTIN-8/12/13/14 (EAN/UPC or ITF-14 scan), with a warning that it carries no PI.

Everything invalid raises :class:`~.errors.UdiError` with a stable ``code``; nothing is guessed.
"""

import calendar
import datetime
import re
from urllib.parse import unquote, urlsplit

from biip import ParseError
from biip.checksums import gs1_standard_check_digit
from biip.gs1_application_identifiers import _GS1_APPLICATION_IDENTIFIERS, GS1ApplicationIdentifier
from biip.gs1_digital_link_uris import _PRIMARY_IDENTIFIER_MAP
from biip.gtin import Gtin

from .errors import UdiError, _lt
from .hibc import century_year, parse_hibc
from .identifiers import check_pi_value

GS = "\x1d"
MAX_INPUT_LENGTH = 1000

_SYMBOLOGY_RE = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
_BARE_GTIN_SYMBOLOGIES = ("]E0", "]E3", "]E4", "]I1")
_GS1_SYMBOLOGIES = ("]C1", "]d2", "]Q3", "]e0", "]J1")
_FNC1_SPELLINGS_RE = re.compile(
    r"<GS>|\{GS\}|\[GS\]|<FNC1>|\{FNC1\}|\[FNC1\]|\\x1d|\\u001d|\^\]|\u241d", re.IGNORECASE
)
_HRI_AI_RE = re.compile(r"\((\d{2,4})\)")
_FORMAT_PART_RE = re.compile(r"([NX])(\.\.)?(\d+)")

# AIs whose data is a YYMMDD date in which day 00 means "last day of the month".
_DAY00_DATE_AIS = ("11", "12", "13", "15", "16", "17")
# AIs whose data starts with a YYMMDD date that must be a real calendar day.
_OTHER_DATE_AIS = ("4324", "4325", "4326", "7003", "7006", "7007", "7011", "8008")
_PI_AIS = ("10", "21", "11", "17")
# Digital Link: the primary keys (biip's table), the legacy short names of path AIs, and the keys
# whose check digit is verified besides the GTIN (SSCC, GLN of a location or of a party).
_DL_PRIMARY_KEYS = frozenset(_PRIMARY_IDENTIFIER_MAP)
_DL_ALIASES = {"gtin": "01", "cpv": "22", "lot": "10", "ser": "21"}
_CHECK_DIGIT_KEYS = ("00", "414", "417")
_DATE_AI_LABELS = {"11": "manufacture date", "17": "expiry date"}


def _today(today):
    return today or datetime.date.today()


def _warning(code, message, **params):
    return {"code": code, "message": message, "params": params}


# -- entry point -----------------------------------------------------------------------------------


def parse_udi(code, today=None):
    """Parse a scanned UDI and return its meaning.

    :param code: the scanned or typed text
    :param today: reference date for two-digit years and the ``expired`` warning (default: today)
    :return: dict with ``issuer`` ('gs1' | 'hibcc'), ``format``, ``symbology`` (or None), ``di``
        (GTIN-14, or the HIBC primary ``+LICPCNU`` + check character; None for an HIBC secondary
        symbol alone), ``lot``, ``serial``, ``expiry``, ``manufactured`` (:class:`datetime.date`
        or None), ``quantity`` (int or None), ``link`` (HIBC link character or None), ``hri``
        (normalised human-readable text), ``elements`` (list of (key, value) pairs as read) and
        ``warnings`` (list of dicts ``{code, message, params}``; ``message`` is English with
        ``%(name)s`` placeholders filled from ``params``).
    :raise UdiError: with a stable ``code`` naming what is wrong
    """
    today = _today(today)
    text = _clean(code)
    symbology = None
    match = _SYMBOLOGY_RE.match(text)
    if match:
        symbology = match.group()
        text = text[len(symbology) :].lstrip()
        if not text:
            raise UdiError(
                "empty",
                _lt("The scan contains only a symbology identifier (%(symbology)s) and no data."),
                symbology=symbology,
            )
    if text.startswith("*") and text.endswith("*") and len(text) > 2:
        text = text[1:-1]  # Code 39 start/stop characters printed in HIBC human-readable text
    if text.startswith("+"):
        result = _parse_hibc_text(text, today)
    elif is_digital_link(text):
        result = _parse_digital_link(text.strip(), today)
    elif text.startswith("("):
        result = _parse_gs1_hri(text.strip(), today)
    elif text.isdigit() and (
        symbology in _BARE_GTIN_SYMBOLOGIES
        or (symbology not in _GS1_SYMBOLOGIES and _looks_like_bare_gtin(text))
    ):
        result = _bare_gtin(text)
    elif text[:1].isdigit() or text.startswith(GS) or _FNC1_SPELLINGS_RE.match(text):
        result = _parse_gs1_element_string(text.rstrip(), today)
    else:
        raise UdiError(
            "unrecognised",
            _lt(
                "%(value)r is not a UDI: expected GS1 data (starting with an application identifier"
                " such as 01, a '(' or 'https://') or HIBC data (starting with '+')."
            ),
            value=_short(text),
        )
    result["symbology"] = symbology
    if result["expiry"] and result["expiry"] < today:
        result["warnings"].append(
            _warning(
                "expired", _lt("The device expired on %(date)s."), date=result["expiry"].isoformat()
            )
        )
    return result


def _clean(code):
    if not isinstance(code, str) or not code.strip(" \r\n\t\x00"):
        raise UdiError("empty", _lt("Nothing was scanned: the UDI is empty."))
    if len(code) > MAX_INPUT_LENGTH:
        raise UdiError(
            "input_too_long",
            _lt("The scan has %(length)s characters; a UDI has at most %(max)s."),
            length=len(code),
            max=MAX_INPUT_LENGTH,
        )
    text = code.strip("\r\n\t\x00").lstrip(" ")
    for char in text:
        if (
            char != GS
            and char != "\n"
            and char != "\t"
            and char != "\u241d"
            and not (" " <= char <= "~")
        ):
            raise UdiError(
                "bad_character",
                _lt(
                    "The scan contains the character %(char)r (code %(codepoint)s), which no UDI "
                    "carries. Check the scanner's keyboard layout and that it sends ASCII."
                ),
                char=char,
                codepoint="U+%04X" % ord(char),
            )
    return text


def _short(text, size=40):
    return text if len(text) <= size else text[:size] + "…"


def _looks_like_bare_gtin(text):
    """All digits, and a GTIN rather than an element string: 8, 12 or 13 digits (no element string
    with a GTIN is that short), or 14 digits with a valid GTIN check digit."""
    if len(text) in (8, 12, 13):
        return True
    return len(text) == 14 and gs1_standard_check_digit(text[:-1]) == int(text[-1])


def _new_result(issuer, fmt, di=None, hri=""):
    return {
        "issuer": issuer,
        "format": fmt,
        "symbology": None,
        "di": di,
        "lot": None,
        "serial": None,
        "expiry": None,
        "manufactured": None,
        "quantity": None,
        "link": None,
        "hri": hri,
        "elements": [],
        "warnings": [],
    }


# -- GS1 ---------------------------------------------------------------------------------------


def _bare_gtin(text):
    di = _gtin14(text)
    result = _new_result("gs1", "gtin", di=di, hri="(01)" + di)
    result["elements"] = [("01", di)]
    result["warnings"].append(
        _warning(
            "bare_gtin",
            _lt(
                "The scan carries only the GTIN %(gtin)s (an EAN/UPC or ITF-14 barcode), no lot, "
                "serial or dates: scan the UDI barcode (GS1 DataMatrix or GS1-128) for those."
            ),
            gtin=di,
        )
    )
    return result


def _gtin14(value):
    """``value`` as GTIN-14 after checking its check digit."""
    if len(value) not in (8, 12, 13, 14) or not value.isdigit():
        raise UdiError(
            "gs1_bad_value", _lt("GTIN %(value)r must have 8, 12, 13 or 14 digits."), value=value
        )
    expected = gs1_standard_check_digit(value[:-1])
    if expected != int(value[-1]):
        raise UdiError(
            "gtin_bad_check_digit",
            _lt(
                "GTIN %(value)s has a bad check digit: expected %(expected)s, got %(got)s. The "
                "barcode is damaged or the number was mistyped."
            ),
            value=value,
            expected=expected,
            got=value[-1],
        )
    return Gtin.parse(value).as_gtin_14()


def _ai(code):
    """biip's definition of AI ``code``, or UdiError ``gs1_unknown_ai``."""
    ai = _GS1_APPLICATION_IDENTIFIERS.get(code)
    if ai is None:
        raise UdiError(
            "gs1_unknown_ai",
            _lt("(%(ai)s) is not a GS1 application identifier."),
            ai=code,
        )
    return ai


def _lengths(ai):
    """(fixed length or None, maximum length) of the data of ``ai``, from its GS1 format."""
    parts = _FORMAT_PART_RE.findall(ai.format)[1:]  # the first part is the AI itself
    maximum = sum(int(size) for _kind, _dots, size in parts)
    if not ai.separator_required:
        return maximum, maximum
    return None, maximum


def _parse_gs1_element_string(text, today):
    data = _FNC1_SPELLINGS_RE.sub(GS, text).replace("\u241d", GS)
    elements = []
    pos = 0
    while pos < len(data):
        if data[pos] == GS:
            pos += 1
            continue
        rest = data[pos:]
        try:
            ai = GS1ApplicationIdentifier.extract(rest)
        except ParseError:
            raise UdiError(
                "gs1_unknown_ai",
                _lt("No GS1 application identifier starts at %(rest)r (position %(position)s)."),
                rest=_short(rest, 12),
                position=pos + 1,
            ) from None
        value_start = pos + len(ai.ai)
        fixed, maximum = _lengths(ai)
        if fixed:
            value = data[value_start : value_start + fixed]
            if GS in value or len(value) < fixed:
                raise UdiError(
                    "gs1_truncated",
                    _lt("(%(ai)s) needs %(length)s characters but the data ends after %(got)r."),
                    ai=ai.ai,
                    length=fixed,
                    got=value.split(GS)[0],
                )
            pos = value_start + fixed
        else:
            end = data.find(GS, value_start)
            end = len(data) if end < 0 else end
            value = data[value_start:end]
            pos = end
            if len(value) > maximum and ai.ai in ("10", "21"):
                raise UdiError(
                    "pi_too_long",
                    _lt(
                        "The %(what)s in (%(ai)s) reads %(value)r, %(length)s characters; a "
                        "UDI allows at most 20. If more data follows the %(what)s on the label, "
                        "the FNC1 separator after it is missing."
                    ),
                    what="lot" if ai.ai == "10" else "serial number",
                    ai=ai.ai,
                    value=_short(value),
                    length=len(value),
                )
        elements.append((ai.ai, value))
    return _gs1_result("gs1_element_string", elements, today)


def _parse_gs1_hri(text, today):
    pieces = _HRI_AI_RE.split(text)
    if pieces[0].strip():
        raise UdiError(
            "gs1_bad_hri",
            _lt(
                "Human-readable GS1 data must start with an AI in "
                "parentheses, e.g. (01); got %(value)r."
            ),
            value=_short(text),
        )
    elements = []
    for index in range(1, len(pieces), 2):
        elements.append((pieces[index], pieces[index + 1].strip()))
    if not elements:
        raise UdiError(
            "gs1_bad_hri",
            _lt("No application identifier in parentheses found in %(value)r."),
            value=_short(text),
        )
    return _gs1_result("gs1_hri", elements, today)


def _parse_digital_link(text, today):
    """A UDI in a Digital Link: its primary key must be a GTIN (a device)."""
    path, query = _digital_link_parts(text)
    if not path or _DL_ALIASES.get(path[0], path[0]) != "01":
        raise UdiError(
            "no_di",
            _lt(
                "The Digital Link %(value)r has no GTIN (/01/…) in its path, so it identifies no "
                "device."
            ),
            value=_short(text, 80),
        )
    return _gs1_result("gs1_digital_link", _digital_link_elements(path, query), today)


def is_digital_link(text):
    """Whether ``text`` has the form of a GS1 Digital Link: an http(s) URI, its scheme in any
    case (a QR code in alphanumeric mode carries it upper-case)."""
    return text.lower().startswith(("http://", "https://"))


def parse_digital_link(uri, today=None):
    """The GS1 element strings of a GS1 Digital Link URI: ``[(AI, value)]``, primary key first.

    The one Digital Link reader of the suite (UDI scans, EPCIS identifiers). It reads any domain
    and path prefix, a primary key (``/01/`` GTIN, ``/00/`` SSCC, ``/414/`` GLN, ``/417/`` party
    GLN, and the other keys of the standard) with its qualifiers in the path, in any order,
    including the legacy short names ``gtin``, ``cpv``, ``lot`` and ``ser``, and data attributes
    in the query, whose non-numeric keys are ignored. A GTIN-8, -12 or -13 becomes a GTIN-14.
    Every value is checked against its AI's format, an unknown AI or one given twice with
    different values is refused, a date must be a day of the calendar (century from ``today``,
    day 00 allowed where a UDI allows it), and the check digit of a GTIN (01), SSCC (00) or GLN
    (414, 417) is verified. :func:`gs1_date` gives the dates.

    :raise UdiError: with a stable ``code`` naming what is wrong
    """
    path, query = _digital_link_parts(uri)
    if not path:
        raise UdiError(
            "dl_no_key",
            _lt(
                "The Digital Link %(value)r has no GS1 key (such as /01/ for a GTIN or /414/ for "
                "a GLN) in its path."
            ),
            value=_short(uri, 80),
        )
    elements = [
        (ai_code, _checked_key(ai_code, value))
        for ai_code, value in _gs1_elements(_digital_link_elements(path, query))
    ]
    for ai_code, value in elements:
        if ai_code in _DAY00_DATE_AIS + _OTHER_DATE_AIS:
            gs1_date(ai_code, value, today)
    return elements


def _digital_link_parts(text):
    """(path segments from the primary key on, query) of a Digital Link URI; the segments are
    empty when the path names no primary key (followed by a value starting with a digit, as
    every GS1 key does: so a path prefix such as ``/01/products/`` is skipped)."""
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if not parts or not parts.netloc:
        raise UdiError(
            "dl_invalid", _lt("%(value)r is not a valid GS1 Digital Link URI."), value=_short(text)
        )
    segments = [segment for segment in parts.path.split("/") if segment]
    start = next(
        (
            index
            for index, segment in enumerate(segments)
            if _DL_ALIASES.get(segment, segment) in _DL_PRIMARY_KEYS
            and index + 1 < len(segments)
            and segments[index + 1][:1].isdigit()
        ),
        None,
    )
    return (segments[start:] if start is not None else []), parts.query


def _digital_link_elements(path, query):
    """(AI, value) pairs of the path from the primary key on, then of the query's numeric keys
    (as read: :func:`_gs1_elements` checks them)."""
    if len(path) % 2:
        raise UdiError(
            "dl_invalid",
            _lt(
                "The Digital Link path %(path)r must alternate AIs and values; %(last)r has no "
                "value."
            ),
            path="/" + "/".join(path),
            last=path[-1],
        )
    elements = [
        (_DL_ALIASES.get(path[index], path[index]), unquote(path[index + 1]))
        for index in range(0, len(path), 2)
    ]
    ai_code, value = elements[0]
    if ai_code == "01" and value.isdigit() and len(value) in (8, 12, 13):
        elements[0] = ("01", value.zfill(14))
    for pair in filter(None, query.split("&")):
        key, _sep, value = pair.partition("=")
        key = unquote(key)
        if key.isdigit():
            elements.append((key, unquote(value)))
    return elements


def _checked_key(ai_code, value):
    """``value`` of AI ``ai_code``, a GTIN as GTIN-14; a GTIN, SSCC or GLN whose last digit is
    not its check digit is refused."""
    if ai_code == "01":
        return _gtin14(value)
    if ai_code in _CHECK_DIGIT_KEYS:
        expected = gs1_standard_check_digit(value[:-1])
        if expected != int(value[-1]):
            raise UdiError(
                "gs1_bad_check_digit",
                _lt(
                    "(%(ai)s) %(value)s has a bad check digit: expected %(expected)s, got %(got)s."
                ),
                ai=ai_code,
                value=value,
                expected=expected,
                got=value[-1],
            )
    return value


def _gs1_elements(elements):
    """``elements`` with each value checked against its AI, a repeated AI once; a repeated AI
    with another value is refused."""
    seen = {}
    unique = []
    for ai_code, value in elements:
        value = _gs1_value(ai_code, value)
        if ai_code in seen:
            if seen[ai_code] != value:
                raise UdiError(
                    "gs1_duplicate_ai",
                    _lt("(%(ai)s) appears twice with different values, %(first)r and %(second)r."),
                    ai=ai_code,
                    first=seen[ai_code],
                    second=value,
                )
            continue
        seen[ai_code] = value
        unique.append((ai_code, value))
    return unique


def _gs1_result(fmt, elements, today):
    """Validate (AI, value) pairs read from any GS1 syntax and give them UDI meaning."""
    unique = _gs1_elements(elements)
    seen = dict(unique)
    result = _new_result("gs1", fmt)
    result["elements"] = unique
    result["hri"] = "".join(f"({ai}){value}" for ai, value in unique)
    if "01" not in seen:
        present = [ai for ai in _PI_AIS if ai in seen]
        if present:
            raise UdiError(
                "gtin_missing",
                _lt(
                    "The scan has production data (%(ais)s) but no GTIN (01): the device cannot be "
                    "identified. Scan the barcode that carries (01)."
                ),
                ais=", ".join(f"({ai})" for ai in present),
            )
        raise UdiError(
            "no_di",
            _lt("The scan %(hri)s carries no device identifier (GTIN, AI 01)."),
            hri=_short(result["hri"], 80),
        )
    result["di"] = _gtin14(seen["01"])
    result["lot"] = seen.get("10")
    result["serial"] = seen.get("21")
    for ai_code, key in (("11", "manufactured"), ("17", "expiry")):
        if ai_code in seen:
            result[key] = _gs1_date(ai_code, seen[ai_code], today, result["warnings"])
    if not result["expiry"] and "7003" in seen:
        result["expiry"] = _gs1_date("7003", seen["7003"][:6], today, result["warnings"])
    for ai_code in seen:
        if ai_code in _DAY00_DATE_AIS + _OTHER_DATE_AIS and ai_code not in ("11", "17"):
            _gs1_date(ai_code, seen[ai_code][:6], today, result["warnings"])
    quantity = seen.get("30") or seen.get("37")
    result["quantity"] = int(quantity) if quantity else None
    _check_date_order(result)
    return result


def _check_date_order(result):
    """A UDI whose expiry is before its manufacture date is refused, whatever its syntax."""
    if result["manufactured"] and result["expiry"] and result["expiry"] < result["manufactured"]:
        raise UdiError(
            "expiry_before_manufacture",
            _lt("The expiry date %(expiry)s is before the manufacture date %(manufactured)s."),
            expiry=result["expiry"].isoformat(),
            manufactured=result["manufactured"].isoformat(),
        )


def _gs1_value(ai_code, value):
    """Check ``value`` against the format of AI ``ai_code``; return it."""
    ai = _ai(ai_code)
    fixed, maximum = _lengths(ai)
    if not value:
        raise UdiError("gs1_empty_value", _lt("(%(ai)s) has no data."), ai=ai_code)
    if ai_code in ("10", "21"):
        return check_pi_value(value, "lot" if ai_code == "10" else "serial number")
    if fixed and len(value) < fixed:
        raise UdiError(
            "gs1_truncated",
            _lt("(%(ai)s) needs %(length)s characters but has only %(got)r."),
            ai=ai_code,
            length=fixed,
            got=value,
        )
    if len(value) > maximum:
        raise UdiError(
            "gs1_value_too_long",
            _lt("(%(ai)s) allows at most %(length)s characters, %(value)r has %(got)s."),
            ai=ai_code,
            length=maximum,
            value=_short(value),
            got=len(value),
        )
    if ai_code in _DAY00_DATE_AIS:
        if not value.isdigit():
            raise UdiError(
                "gs1_bad_value",
                _lt("(%(ai)s) must be a date YYMMDD in digits, got %(value)r."),
                ai=ai_code,
                value=value,
            )
        return value
    if not re.fullmatch(ai.pattern, ai.ai + value):
        raise UdiError(
            "gs1_bad_value",
            _lt("%(value)r is not valid data for (%(ai)s) %(title)s, whose format is %(format)s."),
            value=_short(value),
            ai=ai_code,
            title=ai.data_title,
            format=ai.format,
        )
    return value


def gs1_date(ai_code, value, today=None):
    """The calendar date of the GS1 YYMMDD ``value`` of a date AI (such as 11 or 17), as a UDI
    scan reads it (century from ``today``, day 00 the last day of the month)."""
    return _gs1_date(ai_code, value[:6], _today(today), [])


def _gs1_date(ai_code, value, today, warnings):
    """The calendar date of a GS1 YYMMDD value (GS1 General Specifications §7.12)."""
    year = century_year(value[0:2], today)
    month, day = int(value[2:4]), int(value[4:6])
    what = _DATE_AI_LABELS.get(ai_code, "date")
    if not 1 <= month <= 12:
        raise UdiError(
            "date_impossible",
            _lt("The %(what)s (%(ai)s) %(value)s is impossible: there is no month %(month)s."),
            what=what,
            ai=ai_code,
            value=value,
            month=value[2:4],
        )
    last_day = calendar.monthrange(year, month)[1]
    if day == 0 and ai_code in _DAY00_DATE_AIS:
        date = datetime.date(year, month, last_day)
        warnings.append(
            _warning(
                "date_day_00",
                _lt(
                    "The %(what)s (%(ai)s) %(value)s has day 00, read as %(date)s (last day of the "
                    "month). Day 00 is no longer allowed on healthcare labels since 2025 (GS1 GSCN "
                    "21-040); ask the supplier to print the full date."
                ),
                what=what,
                ai=ai_code,
                value=value,
                date=date.isoformat(),
            )
        )
        return date
    if not 1 <= day <= last_day:
        raise UdiError(
            "date_impossible",
            _lt(
                "The %(what)s (%(ai)s) %(value)s is impossible: %(year)s-%(month)s has %(days)s "
                "days."
            ),
            what=what,
            ai=ai_code,
            value=value,
            year=year,
            month=value[2:4],
            days=last_day,
        )
    return datetime.date(year, month, day)


# -- HIBC --------------------------------------------------------------------------------------


_HIBC_SPLIT_RE = re.compile(r"[\r\n\t\x1d]+| (?=\+[$0-9])")


def _parse_hibc_text(text, today):
    symbols = [symbol for symbol in _HIBC_SPLIT_RE.split(text) if symbol.strip()]
    if len(symbols) > 2:
        raise UdiError(
            "hibc_too_many_symbols",
            _lt(
                "The scan holds %(count)s HIBC symbols; scan "
                "one label at a time (a primary and its secondary at most)."
            ),
            count=len(symbols),
        )
    parsed = [_parse_hibc_symbol(symbol, today) for symbol in symbols]
    if len(parsed) == 2:
        primary, secondary = parsed
        if primary["kind"] != "primary" or secondary["kind"] != "secondary":
            raise UdiError(
                "hibc_bad_pair",
                _lt(
                    "Two HIBC symbols were scanned together; expected a primary symbol followed by "
                    "its secondary symbol."
                ),
            )
        if secondary["link"] != primary["di"][-1]:
            raise UdiError(
                "hibc_link_mismatch",
                _lt(
                    "The secondary HIBC symbol belongs to another product: its link character is "
                    "%(link)r but the primary %(di)s ends with %(check)r."
                ),
                link=secondary["link"],
                di=primary["di"],
                check=primary["di"][-1],
            )
        data = {**secondary, "kind": "primary+secondary", "di": primary["di"], "link": None}
        hri = primary["hri"] + " " + secondary["hri"]
    else:
        data = parsed[0]
        hri = data["hri"]
    result = _new_result("hibcc", "hibc_" + data["kind"].replace("+", "_"), di=data["di"], hri=hri)
    for key in ("lot", "serial", "expiry", "manufactured", "quantity", "link"):
        result[key] = data[key]
    result["elements"] = [
        (key, data[key])
        for key in ("di", "link", "lot", "serial", "expiry", "manufactured", "quantity")
        if data[key] is not None
    ]
    for code in data["warnings"]:
        if code == "hibc_legacy_format":
            result["warnings"].append(
                _warning(
                    code,
                    _lt(
                        "The HIBC secondary data uses the '$' / '$+' format, kept by the FDA for "
                        "backward compatibility only; new labels use '$$7' / '$$+7'."
                    ),
                )
            )
    if data["kind"] == "secondary":
        result["warnings"].append(
            _warning(
                "hibc_secondary_only",
                _lt(
                    "This is an HIBC secondary symbol (lot, serial, dates) without the device "
                    "identifier; it belongs to the primary symbol whose check character is "
                    "%(link)r. Scan the primary symbol too."
                ),
                link=data["link"],
            )
        )
    _check_date_order(result)
    return result


def _parse_hibc_symbol(symbol, today):
    symbol = symbol.lstrip()
    try:
        data = parse_hibc(symbol, today)
    except UdiError as exc:
        # A trailing space may be a real check character, or padding added by a keyboard wedge.
        stripped = symbol.rstrip(" ")
        if exc.code != "hibc_bad_check_char" or stripped == symbol:
            raise
        data = parse_hibc(stripped, today)
        symbol = stripped
    data["hri"] = symbol.upper().replace(" ", "_")
    return data
