"""EUDAMED UDI/Device registration as the XML of EUDAMED's machine-to-machine data exchange.

Plain Python (no Odoo import). One ``m:Push`` message (service ``DEVICE``, operation ``POST``)
carries up to 300 ``device:Device`` elements, each an ``MDRDevice`` with its Basic UDI-DI
(``device:MDRBasicUDI``) and its UDI-DI data (``device:MDRUDIDIData``), as in the European
Commission's sample ``SAMPLE_DTX_UDI_001.01.xml`` and the DTX XSD (``service/Message.xsd``,
version in :data:`XSD_VERSION`). Sources and the field mapping: ``readme/DI_EXPORT.md``.

Device dict keys read here, besides the common ones of :mod:`.di_export`::

    basic_udi_di          Basic UDI-DI (MDR Annex VI Part C 1.1), issued by ``issuing_agency``
    eu_risk_class         'CLASS_I' | 'CLASS_IIA' | 'CLASS_IIB' | 'CLASS_III' (MDR Annex VIII)
    emdn_code             EMDN code (European Medical Device Nomenclature, MDR Art. 26)
    eu_manufacturer_srn   manufacturer's Single Registration Number, e.g. 'DE-MF-000012345'
    eu_ar_srn             authorised representative's SRN (non-EU manufacturers)
    eu_active, eu_measuring_function, eu_administering_medicine, eu_reusable_instrument,
    eu_animal_tissues, eu_human_tissues, eu_medicinal_product, eu_human_product,
    eu_reprocessed                                                              bool
    eu_max_reuses         int; None: 0 for a single-use device, else -1 (not defined)
    eu_market_countries   ISO country codes where the device is made available; the first is
                          the member state where it was first placed on the market
"""

import datetime
import re
import uuid

from lxml import etree

from . import di_export as dx
from .errors import _lt

EUDAMED = "eudamed"
XSD_VERSION = "3.0.25"
MAX_DEVICES_PER_MESSAGE = 300

_BASE = "https://ec.europa.eu/tools/eudamed/dtx"
NS = {
    "m": f"{_BASE}/servicemodel/Message/v1",
    "s": f"{_BASE}/servicemodel/Service/v1",
    "device": f"{_BASE}/datamodel/Entity/Device/v1",
    "basicudi": f"{_BASE}/datamodel/Entity/Device/BasicUDI/v1",
    "udidi": f"{_BASE}/datamodel/Entity/UDIDI/v1",
    "commondi": f"{_BASE}/datamodel/Entity/Device/CommonDevice/v1",
    "lsn": f"{_BASE}/datamodel/Entity/Common/LanguageSpecific/v1",
    "marketinfo": f"{_BASE}/datamodel/Entity/MktInfo/MarketInfo/v1",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}

RISK_CLASSES = ("CLASS_I", "CLASS_IIA", "CLASS_IIB", "CLASS_III")
ISSUING_ENTITIES = {"gs1": "GS1", "hibcc": "HIBCC", "iccbba": "ICCBBA"}
# stringSRNType of CommonBasicType.xsd: country, role (MF = manufacturer), 9 digits
SRN_PATTERN = re.compile(r"^[A-Z]{2}-(AR|MF|SP|IM|PR)-[0-9]{9}$")
# EMDN codes: category letter, then groups of two digits (e.g. C0104, P020103, W0599)
EMDN_PATTERN = re.compile(r"^[A-Z]([0-9]{2}){0,7}$")
PI_ELEMENTS = (
    ("pi_lot", "BATCH_NUMBER"),
    ("pi_serial", "SERIALISATION_NUMBER"),
    ("pi_manufacture_date", "MANUFACTURING_DATE"),
    ("pi_expiry", "EXPIRATION_DATE"),
)


def _q(prefix, name):
    return etree.QName(NS[prefix], name)


def _text(device, key):
    value = device.get(key)
    return None if value is False or value == "" else value


# -----------------------------------------------------------------------
# Checks
# -----------------------------------------------------------------------

# (key, label, predicate of "required") of the values EUDAMED rejects a registration without
# (XSD minOccurs=1, or a business rule of the EUDAMED data dictionary, see DI_EXPORT.md)
REQUIRED = (
    ("primary_di", _lt("UDI-DI"), None),
    ("issuing_agency", _lt("Issuing entity"), None),
    ("basic_udi_di", _lt("Basic UDI-DI"), None),
    ("eu_risk_class", _lt("Risk class (MDR)"), None),
    ("eu_manufacturer_srn", _lt("Manufacturer SRN"), None),
    ("emdn_code", _lt("EMDN code"), None),
    ("model", _lt("Model / specification"), None),
    ("catalog_number", _lt("Reference / catalogue number"), None),
    ("unit_of_use_di", _lt("Unit-of-use DI"), dx._needs_unit_of_use),
)


def check_device(device, today=None):
    """Issues that keep ``device`` from being accepted by EUDAMED (same shape as
    :func:`.di_export.check_device`)."""
    issues = []
    for key, label, condition in REQUIRED:
        if (condition is None or condition(device)) and dx._is_empty(_text(device, key)):
            issues.append(dx._issue(device, EUDAMED, key, label, dx.MISSING))
    agency = device.get("issuing_agency")
    if agency and agency not in ISSUING_ENTITIES:
        issues.append(
            dx._issue(
                device,
                EUDAMED,
                "issuing_agency",
                _lt("Issuing entity designated by the Commission"),
                _lt("%(agency)s is not an EU issuing entity (GS1, HIBCC, ICCBBA)"),
                agency=device.get("agency_name") or agency,
            )
        )
    if not any(device.get(key) for key, _code in PI_ELEMENTS):
        issues.append(
            dx._issue(
                device,
                EUDAMED,
                "pi_lot",
                _lt("Type of UDI-PI"),
                _lt("the label must carry a lot, serial, manufacture or expiry date"),
            )
        )
    issues += _format_issues(device)
    if device.get("contains_latex") and device.get("labeled_no_latex"):
        issues.append(
            dx._issue(
                device,
                EUDAMED,
                "labeled_no_latex",
                _lt("Labelled as not made with natural rubber latex"),
                _lt("contradicts 'contains natural rubber latex'"),
            )
        )
    return issues


# (key, pattern, example) of the codes EUDAMED checks the form of
FORMAT_CHECKS = (
    ("eu_manufacturer_srn", SRN_PATTERN, "DE-MF-000012345"),
    ("eu_ar_srn", SRN_PATTERN, "DE-AR-000012345"),
    ("emdn_code", EMDN_PATTERN, "C0104"),
)
AR_SRN_LABEL = _lt("Authorised representative SRN")


def _format_issues(device):
    issues = []
    labels = {key: label for key, label, _condition in REQUIRED}
    for key, pattern, example in FORMAT_CHECKS:
        value = _text(device, key)
        if value and not pattern.match(str(value)):
            issues.append(
                dx._issue(
                    device,
                    EUDAMED,
                    key,
                    labels.get(key, AR_SRN_LABEL),
                    _lt("%(value)s is not in the form EUDAMED accepts, e.g. %(example)s"),
                    value=value,
                    example=example,
                )
            )
    risk = _text(device, "eu_risk_class")
    if risk and risk not in RISK_CLASSES:
        issues.append(
            dx._issue(
                device,
                EUDAMED,
                "eu_risk_class",
                _lt("Risk class (MDR)"),
                _lt("%(value)s is not an MDR risk class"),
                value=risk,
            )
        )
    return issues


def check(devices, today=None):
    return [issue for device in devices for issue in check_device(device, today)]


# -----------------------------------------------------------------------
# XML
# -----------------------------------------------------------------------


def _bool(value):
    return "true" if value else "false"


def _sub(parent, prefix, name, text=None):
    element = etree.SubElement(parent, _q(prefix, name))
    if text is not None:
        element.text = str(text)
    return element


def _identifier(parent, prefix, name, code, agency):
    element = _sub(parent, prefix, name)
    _sub(element, "commondi", "DICode", code)
    _sub(element, "commondi", "issuingEntityCode", ISSUING_ENTITIES.get(agency, "GS1"))
    return element


def _texts(parent, prefix, name, text, language="EN"):
    element = _sub(parent, prefix, name)
    name_el = _sub(element, "lsn", "name")
    _sub(name_el, "lsn", "language", language)
    _sub(name_el, "lsn", "textValue", text)
    return element


def _basic_udi(device_el, device):
    basic = _sub(device_el, "device", "MDRBasicUDI")
    basic.set(_q("xsi", "type"), "device:MDRBasicUDIType")
    _sub(basic, "basicudi", "riskClass", device.get("eu_risk_class"))
    _sub(basic, "basicudi", "model", device.get("model"))
    _identifier(
        basic, "basicudi", "identifier", device.get("basic_udi_di"), device.get("issuing_agency")
    )
    _sub(basic, "basicudi", "animalTissuesCells", _bool(device.get("eu_animal_tissues")))
    if _text(device, "eu_ar_srn"):
        _sub(basic, "basicudi", "ARActorCode", device["eu_ar_srn"])
    _sub(basic, "basicudi", "humanTissuesCells", _bool(device.get("eu_human_tissues")))
    _sub(basic, "basicudi", "MFActorCode", device.get("eu_manufacturer_srn"))
    _sub(basic, "basicudi", "humanProductCheck", _bool(device.get("eu_human_product")))
    _sub(basic, "basicudi", "medicinalProductCheck", _bool(device.get("eu_medicinal_product")))
    _sub(basic, "basicudi", "type", "PROCEDURE_PACK" if device.get("kit") else "DEVICE")
    for name, key in (
        ("active", "eu_active"),
        ("administeringMedicine", "eu_administering_medicine"),
        ("implantable", "implantable"),
        ("measuringFunction", "eu_measuring_function"),
        ("reusable", "eu_reusable_instrument"),
    ):
        _sub(basic, "commondi", name, _bool(device.get(key)))
    return basic


def _max_reuses(device):
    reuses = device.get("eu_max_reuses")
    if reuses is None or reuses is False:
        return 0 if device.get("single_use") else -1
    return reuses


def _udi_di_data(device_el, device, today):
    data = _sub(device_el, "device", "MDRUDIDIData")
    data.set(_q("xsi", "type"), "device:MDRUDIDIDataType")
    agency = device.get("issuing_agency")
    _identifier(data, "udidi", "identifier", device.get("primary_di"), agency)
    status = _sub(data, "udidi", "status")
    on_market = dx._in_distribution(device, today)
    _sub(
        status,
        "commondi",
        "code",
        "ON_THE_MARKET" if on_market else "NO_LONGER_PLACED_ON_THE_MARKET",
    )
    if _text(device, "description"):
        _texts(data, "udidi", "additionalDescription", device["description"])
    _identifier(data, "udidi", "basicUDIIdentifier", device.get("basic_udi_di"), agency)
    _sub(data, "udidi", "MDNCodes", device.get("emdn_code"))
    elements = [code for key, code in PI_ELEMENTS if device.get(key)]
    if elements:
        _sub(data, "udidi", "productionIdentifier", " ".join(elements))
    _sub(data, "udidi", "referenceNumber", device.get("catalog_number"))
    _sub(data, "udidi", "sterile", _bool(device.get("sterile")))
    _sub(data, "udidi", "sterilization", _bool(device.get("sterilize_before_use")))
    if _text(device, "brand"):
        _texts(data, "udidi", "tradeNames", device["brand"])
    _packages(data, device)
    _sub(data, "udidi", "numberOfReuses", _max_reuses(device))
    _market_infos(data, device)
    _device_marking(data, device)
    _sub(data, "udidi", "baseQuantity", dx._count(device))
    _sub(data, "udidi", "latex", _bool(device.get("contains_latex")))
    _sub(data, "udidi", "reprocessed", _bool(device.get("eu_reprocessed")))
    return data


def _packages(data, device):
    packages = sorted(
        device.get("packages") or (), key=lambda p: (p.get("depth") or 0, p.get("di"))
    )
    if not packages:
        return
    agency = device.get("issuing_agency")
    packages_el = _sub(data, "udidi", "packages")
    for package in packages:
        package_el = _sub(packages_el, "udidi", "package")
        _identifier(package_el, "udidi", "identifier", package.get("di"), agency)
        status = _sub(package_el, "udidi", "status")
        _sub(status, "commondi", "code", "ON_THE_MARKET")
        _identifier(package_el, "udidi", "child", package.get("contains_di"), agency)
        _sub(package_el, "udidi", "numberOfItems", package.get("quantity") or 1)


def _market_infos(data, device):
    countries = [c for c in device.get("eu_market_countries") or () if c]
    if not countries:
        return
    infos = _sub(data, "udidi", "marketInfos")
    for index, country in enumerate(countries):
        info = _sub(infos, "marketinfo", "marketInfo")
        _sub(info, "marketinfo", "country", country)
        _sub(info, "marketinfo", "originalPlacedOnTheMarket", _bool(index == 0))


def _device_marking(data, device):
    agency = device.get("issuing_agency")
    if device.get("direct_marking"):
        marking = _sub(data, "udidi", "deviceMarking")
        _identifier(marking, "udidi", "directMarkingDI", device.get("primary_di"), agency)
    elif dx._needs_unit_of_use(device) and _text(device, "unit_of_use_di"):
        marking = _sub(data, "udidi", "deviceMarking")
        _identifier(marking, "udidi", "unitOfUseIdentifier", device["unit_of_use_di"], agency)


def _endpoint(parent, name, actor_code, node_id):
    endpoint = _sub(parent, "m", name)
    node = _sub(endpoint, "m", "node")
    _sub(node, "s", "nodeActorCode", actor_code)
    _sub(node, "s", "nodeID", node_id)
    service = _sub(endpoint, "m", "service")
    _sub(service, "s", "serviceID", "DEVICE")
    _sub(service, "s", "serviceOperation", "POST")
    return endpoint


def push_message(
    devices, today=None, sender_srn=None, sender_node_id=None, now=None, message_id=None
):
    """One ``m:Push`` (DEVICE / POST) registering ``devices`` (at most 300): UTF-8 bytes.

    ``sender_srn`` / ``sender_node_id`` identify the sender's access point (default: the first
    device's manufacturer SRN for both; the access point may rewrite the node ID)."""
    devices = list(devices)
    if not devices or len(devices) > MAX_DEVICES_PER_MESSAGE:
        raise ValueError(
            f"a EUDAMED message holds 1 to {MAX_DEVICES_PER_MESSAGE} devices, got {len(devices)}"
        )
    today = today or datetime.date.today()
    now = now or datetime.datetime.now(datetime.UTC)
    sender_srn = sender_srn or devices[0].get("eu_manufacturer_srn")
    root = etree.Element(_q("m", "Push"), nsmap=NS, version=XSD_VERSION)
    message_id = message_id or str(uuid.uuid4())
    _sub(root, "m", "conversationID", message_id)
    _sub(root, "m", "correlationID", message_id)
    _sub(root, "m", "creationDateTime", now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    _sub(root, "m", "messageID", message_id)
    _endpoint(root, "recipient", "EUDAMED", "eDelivery:EUDAMED")
    payload = _sub(root, "m", "payload")
    for device in devices:
        device_el = _sub(payload, "device", "Device")
        device_el.set(_q("xsi", "type"), "device:MDRDeviceType")
        _basic_udi(device_el, device)
        _udi_di_data(device_el, device, today)
    _endpoint(root, "sender", sender_srn, sender_node_id or sender_srn)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_files(devices, today=None, **kwargs):
    """[(file name, bytes)]: one message per 300 devices."""
    today = today or datetime.date.today()
    stamp = today.strftime("%Y%m%d")
    devices = list(devices)
    chunks = [
        devices[i : i + MAX_DEVICES_PER_MESSAGE]
        for i in range(0, len(devices), MAX_DEVICES_PER_MESSAGE)
    ]
    if len(chunks) == 1:
        return [(f"eudamed_device_post_{stamp}.xml", push_message(chunks[0], today, **kwargs))]
    return [
        (f"eudamed_device_post_{stamp}_{index}.xml", push_message(chunk, today, **kwargs))
        for index, chunk in enumerate(chunks, 1)
    ]
