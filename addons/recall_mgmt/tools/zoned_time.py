"""Times shown to partners and regulators: one format, with the time zone named.

``2026-12-08 01:22 (Asia/Shanghai, UTC+08:00)``: ISO-like date and time (21 CFR 801.18 favours
YYYY-MM-DD), the IANA zone and its offset at that moment, so a reader in another zone (or a
regulator comparing two documents) never has to guess. Plain Python, no Odoo import.
"""

import pytz


def zone(tz_name):
    """The pytz zone of ``tz_name``; UTC when it is empty or unknown."""
    try:
        return pytz.timezone(tz_name or "UTC")
    except pytz.UnknownTimeZoneError:
        return pytz.utc


def to_local(moment, tz_name):
    """Naive UTC ``moment`` as an aware datetime in ``tz_name``."""
    return pytz.utc.localize(moment).astimezone(zone(tz_name))


def utc_offset(local):
    """``+HH:MM`` offset of an aware datetime."""
    minutes = int(local.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_zoned(moment, tz_name):
    """``YYYY-MM-DD HH:MM (Zone, UTC+HH:MM)`` of naive UTC ``moment``; "" without one."""
    if not moment:
        return ""
    local = to_local(moment, tz_name)
    return f"{local:%Y-%m-%d %H:%M} ({local.tzinfo.zone}, UTC{utc_offset(local)})"


def format_local_date(moment, tz_name):
    """``YYYY-MM-DD``: the calendar day of naive UTC ``moment`` in ``tz_name``."""
    return to_local(moment, tz_name).date().isoformat() if moment else ""
