"""Compose the UDI carried by a label from a DI and PI values.

GS1: element string with FNC1 (ASCII 29) between variable-length fields, the parenthesised human
readable form, and the GS1 Digital Link URI. The AI order is the one GS1 healthcare labels use:
(01) GTIN, (11) production date, (17) expiry, (10) lot, (21) serial -- fixed-length AIs first,
so only the lot needs a separator when a serial follows it. Dates are calendar dates
(:class:`datetime.date`).
"""

from urllib.parse import quote

GS = "\x1d"
DIGITAL_LINK_BASE = "https://id.gs1.org"


def _yymmdd(day):
    return day.strftime("%y%m%d")


def gs1_elements(gtin, lot=None, serial=None, manufactured=None, expiry=None):
    """The (AI, value) pairs of a GS1 UDI in label order."""
    pairs = [("01", gtin)]
    if manufactured:
        pairs.append(("11", _yymmdd(manufactured)))
    if expiry:
        pairs.append(("17", _yymmdd(expiry)))
    if lot:
        pairs.append(("10", lot))
    if serial:
        pairs.append(("21", serial))
    return pairs


def gs1_element_string(gtin, **pi):
    """The element string as a scanner delivers it (without symbology identifier)."""
    variable = {"10", "21"}
    out = []
    pairs = gs1_elements(gtin, **pi)
    for index, (ai, value) in enumerate(pairs):
        out.append(ai + value)
        if ai in variable and index < len(pairs) - 1:
            out.append(GS)
    return "".join(out)


def gs1_hri(gtin, **pi):
    """Human-readable interpretation: ``(01)…(17)…(10)…``."""
    return "".join(f"({ai}){value}" for ai, value in gs1_elements(gtin, **pi))


def gs1_digital_link(gtin, lot=None, serial=None, manufactured=None, expiry=None,
                     base=DIGITAL_LINK_BASE):
    """GS1 Digital Link URI: primary key and qualifiers in the path, dates in the query."""
    path = f"/01/{gtin}"
    if lot:
        path += "/10/" + quote(lot, safe="")
    if serial:
        path += "/21/" + quote(serial, safe="")
    query = []
    if manufactured:
        query.append("11=" + _yymmdd(manufactured))
    if expiry:
        query.append("17=" + _yymmdd(expiry))
    return base.rstrip("/") + path + ("?" + "&".join(query) if query else "")


def plain_hri(di, lot=None, serial=None, manufactured=None, expiry=None):
    """Human-readable UDI for agencies without an element-string syntax we compose."""
    parts = [di]
    if manufactured:
        parts.append(f"MFG {manufactured.isoformat()}")
    if expiry:
        parts.append(f"EXP {expiry.isoformat()}")
    if lot:
        parts.append(f"LOT {lot}")
    if serial:
        parts.append(f"SN {serial}")
    return " ".join(parts)
