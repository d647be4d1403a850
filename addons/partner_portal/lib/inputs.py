"""What a consignee types in the portal or sends over the API, read without Odoo.

Each function returns the value it read or raises :class:`PortalInputError`, whose English
``message`` is marked with :func:`_lt` for translation; the Odoo layer translates it (with
``params`` filling its ``%(name)s`` placeholders) and, for rows, puts the row number in front.
"""

import datetime
import math
import re

#: free text the consignee types (notes, names) is kept within these lengths
NOTE_MAX = 2000
NAME_MAX = 128
DOCUMENT_MAX = 64
#: the quantities of a report row, per lot or serial
QTY_KEYS = ("qty_on_hand", "qty_used", "qty_returned", "qty_destroyed")
REPORT_KEYS = frozenset({"lot_id", "lot", *QTY_KEYS})
#: the keys of an onward row (one shipment of the consignee to its own customer)
ONWARD_KEYS = ("name", "gln", "lot_id", "lot", "quantity", "date", "document")
#: the fields of an onward row in the portal form (``onward_<field>_<index>``)
ONWARD_FORM_FIELDS = ("name", "gln", "lot", "quantity", "date", "document")
ONWARD_MAX_ROWS = 500

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _lt(message):
    """Mark ``message`` for translation extraction (the Odoo layer translates it)."""
    return message


class PortalInputError(ValueError):
    """A value the consignee gave cannot be used.

    ``message`` is English text marked with :func:`_lt`; ``params`` fill its placeholders
    (the caller adds those it knows better, such as ``what``, the name of the field).
    """

    def __init__(self, message, **params):
        self.message = message
        self.params = params
        super().__init__(message)


def is_number(value):
    """A finite int or float (not a bool, not NaN or infinity)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def clean_text(text, limit=NOTE_MAX):
    """Free text: a string without control characters, trimmed, within ``limit`` characters;
    ``False`` when empty or not given. The messages leave ``%(what)s`` to the caller."""
    if text in (None, False):
        return False
    if not isinstance(text, str):
        raise PortalInputError(_lt("%(what)s must be text."))
    text = _CONTROL_CHARS.sub("", text).strip()
    if len(text) > limit:
        raise PortalInputError(
            _lt("%(what)s is too long (%(length)s characters, at most %(limit)s)."),
            length=len(text),
            limit=limit,
        )
    return text or False


def unknown_keys(row, allowed):
    """The keys of ``row`` not in ``allowed``, as short sorted texts."""
    return sorted(str(key)[:40] for key in set(row) - set(allowed))


def resolve_lot(row, lots, by_name):
    """The lot a row names by ``lot_id`` (a key of ``lots``) or by ``lot`` (a key of
    ``by_name``, whose values are lists: one name may be used by lots of several devices)."""
    lot_id, name = row.get("lot_id"), row.get("lot")
    if lot_id not in (None, False):
        if isinstance(lot_id, int) and not isinstance(lot_id, bool) and lot_id in lots:
            return lots[lot_id]
        raise PortalInputError(_lt("lot/serial id %(lot)s is not in this notice"), lot=lot_id)
    if isinstance(name, str) and name.strip():
        name = name.strip()
        found = by_name.get(name, [])
        if len(found) == 1:
            return found[0]
        if found:
            raise PortalInputError(
                _lt("%(lot)s names lots of several devices; give its lot_id"), lot=name
            )
        raise PortalInputError(_lt("lot/serial %(lot)s is not in this notice"), lot=name[:NAME_MAX])
    raise PortalInputError(_lt("give the lot or serial (lot or lot_id)"))


def report_quantities(row):
    """``({key: number}, [keys that are not numbers])`` of a report row: a missing or null
    quantity is 0, and so is one that is not a number (after it was named)."""
    values, wrong = {}, []
    for key in QTY_KEYS:
        value = row.get(key, 0)
        if value is None:
            value = 0
        if not is_number(value):
            wrong.append(key)
            value = 0
        values[key] = value
    return values, wrong


def parse_date(value, today):
    """A shipping date (``YYYY-MM-DD`` text, a date or a datetime), not after ``today``."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise PortalInputError(
                _lt("%(value)s is not a date (YYYY-MM-DD)"), value=value.strip()[:20]
            ) from None
    if not isinstance(value, datetime.date):
        raise PortalInputError(_lt("give the shipping date (YYYY-MM-DD)"))
    if value > today:
        raise PortalInputError(
            _lt("the shipping date %(date)s is in the future"), date=value.isoformat()
        )
    return value


def parse_quantity(value, serial=None):
    """A quantity above 0 (a number, or its text); exactly 1 for the serial number
    ``serial``."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            value = None
    if not is_number(value) or value <= 0:
        raise PortalInputError(_lt("the quantity must be a number above 0"))
    if serial is not None and value != 1:
        raise PortalInputError(
            _lt("%(serial)s is a serial number: its quantity is 1"), serial=serial
        )
    return value


def parse_gln(value, normalize, own_glns=()):
    """The GLN of the consignee's customer, ``False`` if not given. ``normalize`` turns the
    text into a valid GLN or raises (the suite has one GLN check, in ``udi_master``); a GLN of
    ``own_glns`` (the consignee's, the maker's) does not name a customer."""
    if not value:
        return False
    if not isinstance(value, str):
        value = str(value) if is_number(value) else ""
    gln = normalize(value.strip())
    if gln in own_glns:
        raise PortalInputError(_lt("GLN %(gln)s is yours or ours, not your customer's"), gln=gln)
    return gln


def onward_form_rows(form, count):
    """The onward rows filled in the portal form (fields ``onward_<field>_<index>`` for the
    ``count`` rows it shows): trimmed, without the empty fields, empty rows left out."""
    rows = []
    for index in range(count):
        row = {key: _form_text(form.get(f"onward_{key}_{index}")) for key in ONWARD_FORM_FIELDS}
        if any(row.values()):
            rows.append({key: value for key, value in row.items() if value})
    return rows


def _form_text(value):
    return (value or "").strip()
