"""GUDID DI records as HL7 Structured Product Labeling (SPL) documents.

Plain Python (no Odoo import). GUDID takes HL7 SPL files through the FDA Electronic Submissions
Gateway, one DI record per file (FDA, *Global Unique Device Identification Database (GUDID)
Guidance for Industry*, section III.B(2)). The document follows the HL7 SPL Release 5 header
that FDA's *SPL Implementation Guide with Validation Procedures* describes (``document`` in the
``urn:hl7-org:v3`` namespace with ``id``, ``code``, ``effectiveTime``, ``setId``,
``versionNumber``, ``author`` naming the labeler by its DUNS number, OID 1.3.6.1.4.1.519.1) and
one "SPL product data elements" section (LOINC 48780-1) whose ``manufacturedProduct`` carries
the primary DI, its packages (``asContent``) and the GUDID data elements.

The GUDID-specific codes (document type, the codes of the device characteristics) come from
FDA's *GUDID HL7 SPL Implementation Files*, which could not be read here: they are collected in
:data:`GUDID_CODES` and marked "to verify" in ``readme/DI_EXPORT.md``. FDA asks every SPL
submitter to pass GUDID test submissions before production, which is where they are confirmed.

The GUDID rules on which data is mandatory are those of :mod:`.di_export` (``check('gudid')``).
"""

import datetime
import uuid

from lxml import etree

from . import di_export as dx

NS = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} https://www.accessdata.fda.gov/spl/schema/spl.xsd"
LOINC = "2.16.840.1.113883.6.1"
DUNS_OID = "1.3.6.1.4.1.519.1"
# UDI issuing agencies as HL7 identifier systems (HL7 UDI Harmonization Pattern)
AGENCY_OIDS = {"gs1": "1.3.160", "hibcc": "1.0.15961.10.816", "iccbba": "2.16.840.1.113883.6.18"}
SECTION_CODE = ("48780-1", "SPL PRODUCT DATA ELEMENTS SECTION")
# To verify against the GUDID HL7 SPL Implementation Files (see module docstring).
GUDID_CODES = {
    "document": ("GUDID", "2.16.840.1.113883.3.26.1.1", "GUDID DI RECORD"),
    "characteristic_system": "2.16.840.1.113883.3.26.1.1",
}
GUDID_MRI_CODES = dx.GUDID_MRI


def _sub(parent, name, text=None, **attrs):
    element = etree.SubElement(parent, f"{{{NS}}}{name}", {k: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = str(text)
    return element


def _bl(value):
    return "true" if value else "false"


def _characteristic(product, name, value, kind):
    """A GUDID data element as ``subjectOf/characteristic`` with a typed value."""
    characteristic = _sub(_sub(product, "subjectOf"), "characteristic")
    _sub(
        characteristic,
        "code",
        code=name,
        codeSystem=GUDID_CODES["characteristic_system"],
        displayName=name,
    )
    attrs = {f"{{{XSI}}}type": kind}
    if kind == "BL":
        attrs["value"] = _bl(value)
    elif kind == "INT":
        attrs["value"] = str(value)
    elif kind == "TS":
        attrs["value"] = value.strftime("%Y%m%d")
    value_el = etree.SubElement(characteristic, f"{{{NS}}}value", attrs)
    if kind == "ST":
        value_el.text = str(value)
    return characteristic


def _flags(device, today):
    """(GUDID data element name, value, HL7 type) in the order of the Data Elements Reference
    Table."""
    in_distribution = dx._in_distribution(device, today)
    rows = [
        ("deviceCount", dx._count(device), "INT"),
        ("devicePublishDate", device.get("gudid_publish_date"), "TS"),
        (
            "deviceCommDistributionStatus",
            dx.IN_DISTRIBUTION if in_distribution else dx.NOT_IN_DISTRIBUTION,
            "ST",
        ),
        ("deviceCommDistributionEndDate", device.get("distribution_end_date"), "TS"),
        ("DMExempt", not device.get("direct_marking"), "BL"),
        ("deviceKit", device.get("kit"), "BL"),
        ("deviceCombinationProduct", device.get("combination_product"), "BL"),
        ("deviceHCTP", False, "BL"),
        ("rx", device.get("fda_use") in ("rx", "rx_otc"), "BL"),
        ("otc", device.get("fda_use") in ("otc", "rx_otc"), "BL"),
        ("lotBatch", device.get("pi_lot"), "BL"),
        ("serialNumber", device.get("pi_serial"), "BL"),
        ("manufacturingDate", device.get("pi_manufacture_date"), "BL"),
        ("expirationDate", device.get("pi_expiry"), "BL"),
        ("donationIdNumber", False, "BL"),
        ("labeledContainsNRL", device.get("contains_latex"), "BL"),
        ("labeledNoNRL", device.get("labeled_no_latex"), "BL"),
        ("MRISafetyStatus", dx.GUDID_MRI.get(device.get("mri_safety")), "ST"),
        ("deviceSterile", device.get("sterile"), "BL"),
        ("sterilizationPriorToUse", device.get("sterilize_before_use"), "BL"),
        ("sterilizationMethod", device.get("sterilization_method"), "ST"),
        ("singleUse", device.get("single_use"), "BL"),
        ("premarketExempt", dx._premarket_exempt(device), "BL"),
    ]
    return [row for row in rows if row[1] is not None and row[1] is not False or row[2] == "BL"]


def _packages(product, device):
    """Packages as nested ``asContent/containerPackagedProduct``, innermost first."""
    agency_oid = AGENCY_OIDS.get(device.get("issuing_agency"), "")
    by_inner = {p.get("contains_di"): p for p in device.get("packages") or ()}
    parent, inner = product, device.get("primary_di")
    while inner in by_inner:
        package = by_inner[inner]
        content = _sub(parent, "asContent")
        quantity = _sub(content, "quantity")
        _sub(quantity, "numerator", value=package.get("quantity") or 1, unit="1")
        _sub(quantity, "denominator", value=1)
        container = _sub(content, "containerPackagedProduct")
        _sub(container, "code", code=package.get("di"), codeSystem=agency_oid)
        parent, inner = container, package.get("di")


def _product(section, device, today):
    agency_oid = AGENCY_OIDS.get(device.get("issuing_agency"), "")
    outer = _sub(_sub(section, "subject"), "manufacturedProduct")
    product = _sub(outer, "manufacturedProduct")
    _sub(product, "code", code=device.get("primary_di"), codeSystem=agency_oid)
    _sub(product, "name", device.get("brand"))
    if device.get("description"):
        _sub(product, "desc", device["description"])
    if device.get("unit_of_use_di"):
        entity = _sub(product, "asIdentifiedEntity", classCode="IDENT")
        _sub(entity, "id", extension=device["unit_of_use_di"], root=agency_oid)
        _sub(entity, "code", code="unitOfUse", codeSystem=GUDID_CODES["characteristic_system"])
    kind = _sub(_sub(product, "asSpecializedKind"), "generalizedMaterialKind")
    _sub(
        kind,
        "code",
        code=device.get("gmdn_code") or "",
        codeSystem="2.16.840.1.113883.6.276",
        displayName="GMDN",
    )
    _packages(product, device)
    for name, value, kind_ in (
        ("versionModelNumber", device.get("model"), "ST"),
        ("catalogNumber", device.get("catalog_number"), "ST"),
        ("productCode", device.get("fda_product_code"), "ST"),
        ("premarketSubmissionNumber", device.get("fda_premarket_number"), "ST"),
    ):
        if value:
            _characteristic(outer, name, value, kind_)
    for name, value, kind_ in _flags(device, today):
        _characteristic(outer, name, value, kind_)
    return outer


def spl_document(device, today=None, document_id=None, set_id=None, version=1):
    """One GUDID DI record as an SPL document (UTF-8 bytes with declaration).

    ``document_id`` is new for every submission; ``set_id`` stays the same for all versions of
    the DI record and ``version`` counts them (SPL document identity rules)."""
    today = today or datetime.date.today()
    root = etree.Element(
        f"{{{NS}}}document",
        {f"{{{XSI}}}schemaLocation": SCHEMA_LOCATION},
        nsmap={None: NS, "xsi": XSI},
    )
    _sub(root, "id", root=document_id or str(uuid.uuid4()))
    code, system, name = GUDID_CODES["document"]
    _sub(root, "code", code=code, codeSystem=system, displayName=name)
    _sub(root, "effectiveTime", value=today.strftime("%Y%m%d"))
    _sub(
        root,
        "setId",
        root=set_id or str(uuid.uuid5(uuid.NAMESPACE_OID, f"gudid:{device.get('primary_di')}")),
    )
    _sub(root, "versionNumber", value=version)
    organization = _sub(_sub(_sub(root, "author"), "assignedEntity"), "representedOrganization")
    _sub(organization, "id", extension=device.get("labeler_duns") or "", root=DUNS_OID)
    _sub(organization, "name", device.get("registrant_name"))
    if device.get("contact_phone") or device.get("contact_email"):
        contact = _sub(organization, "contactParty")
        if device.get("contact_phone"):
            _sub(contact, "telecom", value=f"tel:{device['contact_phone']}")
        if device.get("contact_email"):
            _sub(contact, "telecom", value=f"mailto:{device['contact_email']}")
    body = _sub(_sub(root, "component"), "structuredBody")
    section = _sub(_sub(body, "component"), "section")
    _sub(
        section,
        "id",
        root=str(uuid.uuid5(uuid.NAMESPACE_OID, f"gudid-section:{device.get('primary_di')}")),
    )
    _sub(section, "code", code=SECTION_CODE[0], codeSystem=LOINC, displayName=SECTION_CODE[1])
    _sub(section, "effectiveTime", value=today.strftime("%Y%m%d"))
    _product(section, device, today)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_files(devices, today=None):
    """[(file name, bytes)]: one SPL file per DI record, as GUDID takes them."""
    today = today or datetime.date.today()
    stamp = today.strftime("%Y%m%d")
    return [
        (f"gudid_spl_{d.get('primary_di')}_{stamp}.xml", spl_document(d, today)) for d in devices
    ]
