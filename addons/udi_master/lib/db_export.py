"""Entry point of the DI database exports: which databases, which formats, what is missing.

Plain Python (no Odoo import). Dispatches to the layout modules:

* NMPA UDI database: :mod:`.di_export` (XML of the public download, CSV) and
  :mod:`.nmpa_xlsx` (the bulk template as xlsx);
* FDA GUDID: :mod:`.gudid_spl` (HL7 SPL, the submission format) and :mod:`.di_export` (CSV of
  the Data Elements Reference Table, for review);
* EUDAMED: :mod:`.eudamed_xml` (the DTX ``Push`` message registering the devices).
"""

import datetime

from . import di_export as dx
from . import eudamed_xml, gudid_spl, nmpa_xlsx

NMPA = dx.NMPA
GUDID = dx.GUDID
EUDAMED = eudamed_xml.EUDAMED
DATABASES = (NMPA, GUDID, EUDAMED)

FORMAT_XML = "xml"
FORMAT_CSV = "csv"
FORMAT_XLSX = "xlsx"
FORMAT_SPL = "spl"
# Formats of each database, the one to submit first.
FORMATS = {
    NMPA: (FORMAT_XLSX, FORMAT_XML, FORMAT_CSV),
    GUDID: (FORMAT_SPL, FORMAT_CSV),
    EUDAMED: (FORMAT_XML,),
}


def _check_database(database):
    if database not in DATABASES:
        raise ValueError(f"Unknown UDI database {database!r}; expected one of {DATABASES}")


def check(database, devices, today=None):
    """Issues of all ``devices`` for ``database`` (dicts, see :func:`.di_export.check_device`)."""
    _check_database(database)
    if database == EUDAMED:
        return eudamed_xml.check(devices, today)
    return dx.check(database, devices, today)


def export_files(database, devices, formats, today=None, **options):
    """The export for ``database`` in ``formats`` (subset of FORMATS[database]):
    list of (file name, bytes). ``options`` go to the EUDAMED message (sender)."""
    _check_database(database)
    today = today or datetime.date.today()
    devices = list(devices)
    unknown = set(formats) - set(FORMATS[database])
    if unknown or not formats:
        raise ValueError(
            f"{database} has no layout in {sorted(unknown) or 'no format'}; "
            f"choose from {FORMATS[database]}"
        )
    stamp = today.strftime("%Y%m%d")
    files = []
    if database == EUDAMED:
        return eudamed_xml.export_files(devices, today, **options)
    if database == NMPA and FORMAT_XLSX in formats:
        files.append((f"nmpa_udid_template_{stamp}.xlsx", nmpa_xlsx.workbook(devices, today)))
    if database == GUDID and FORMAT_SPL in formats:
        files += gudid_spl.export_files(devices, today)
    legacy = [f for f in formats if f in dx.FORMATS[database]]
    if legacy:
        files += dx.export_files(database, devices, legacy, today)
    return files


zip_files = dx.zip_files
to_csv = dx.to_csv
