"""Submission formats: EUDAMED DTX XML, GUDID HL7 SPL, NMPA bulk template (xlsx).

The official schemas are not part of the repository (see readme/DI_EXPORT.md, "Schemas"): the
tests that validate against them look for them in ``$UDI_SCHEMA_DIR`` or in
``../shared/standards/`` beside the repository, and say so when they are absent.
"""

import datetime
import io
import os
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from udi_master_lib import db_export as de
from udi_master_lib import di_export as dx
from udi_master_lib import eudamed_xml, gudid_spl, nmpa_xlsx

from .test_di_export import TODAY, catheter, fields_of

ROOT = Path(__file__).resolve().parents[4]
SCHEMA_DIRS = [
    Path(p) for p in (os.environ.get("UDI_SCHEMA_DIR"), ROOT.parent / "shared" / "standards") if p
]
EUDAMED_XSD = "eudamed-dtx/service/Message.xsd"
SPL_XSD = "hl7-spl/spl.xsd"
NOW = datetime.datetime(2025, 3, 1, 9, 30, tzinfo=datetime.UTC)


def official_schema(relative):
    for directory in SCHEMA_DIRS:
        path = directory / relative
        if path.is_file():
            return etree.XMLSchema(etree.parse(str(path)))
    pytest.skip(
        f"official schema {relative} not available here: put it under $UDI_SCHEMA_DIR "
        f"(searched {[str(d) for d in SCHEMA_DIRS]}); see readme/DI_EXPORT.md"
    )


def eu_device(**overrides):
    device = catheter(
        basic_udi_di="690123456CVC7FQ",
        eu_risk_class="CLASS_III",
        emdn_code="C0104",
        eu_manufacturer_srn="CN-MF-000012345",
        eu_ar_srn="DE-AR-000000123",
        eu_market_countries=["DE", "FR"],
    )
    device.update(overrides)
    return device


EU = {
    "m": eudamed_xml.NS["m"],
    "d": eudamed_xml.NS["device"],
    "u": eudamed_xml.NS["udidi"],
    "b": eudamed_xml.NS["basicudi"],
    "c": eudamed_xml.NS["commondi"],
}


# ---- EUDAMED --------------------------------------------------------------------------


def test_complete_device_has_no_eudamed_issue():
    assert de.check(de.EUDAMED, [eu_device()], TODAY) == []


def test_eudamed_reports_missing_basic_udi_di_srn_emdn_and_risk_class():
    device = eu_device(
        basic_udi_di=None, eu_manufacturer_srn="", emdn_code=None, eu_risk_class=None
    )
    assert fields_of(de.check(de.EUDAMED, [device], TODAY)) == [
        "basic_udi_di",
        "emdn_code",
        "eu_manufacturer_srn",
        "eu_risk_class",
    ]


def test_eudamed_refuses_a_malformed_srn_and_an_agency_it_does_not_know():
    device = eu_device(eu_manufacturer_srn="MF-12345", issuing_agency="other", agency_name="MA")
    issues = de.check(de.EUDAMED, [device], TODAY)
    assert fields_of(issues) == ["eu_manufacturer_srn", "issuing_agency"]
    assert issues[0]["params"]["agency"] == "MA"


def test_eudamed_needs_the_unit_of_use_di_when_the_base_unit_holds_several():
    assert fields_of(de.check(de.EUDAMED, [eu_device(device_count=10)], TODAY)) == [
        "unit_of_use_di"
    ]


def test_eudamed_message_validates_against_the_official_dtx_schema():
    schema = official_schema(EUDAMED_XSD)
    devices = [
        eu_device(),
        eu_device(
            primary_di="06901234567885",
            device_count=5,
            unit_of_use_di="06901234567878",
            packages=[],
            kit=True,
            pi_serial=True,
            eu_ar_srn=None,
            eu_market_countries=[],
        ),
        eu_device(
            primary_di="06901234567861",
            direct_marking=True,
            distribution_end_date=datetime.date(2025, 1, 1),
            description=None,
        ),
    ]
    document = etree.fromstring(eudamed_xml.push_message(devices, TODAY, now=NOW))
    assert schema.validate(document), schema.error_log


def test_eudamed_message_carries_basic_udi_di_udi_di_and_packages():
    data = eudamed_xml.push_message([eu_device()], TODAY, now=NOW, message_id="m-1")
    root = etree.fromstring(data)
    assert root.tag == f"{{{EU['m']}}}Push"
    assert root.get("version") == eudamed_xml.XSD_VERSION
    assert root.findtext("m:messageID", namespaces=EU) == "m-1"
    device = root.find("m:payload/d:Device", EU)
    assert (
        device.findtext("d:MDRBasicUDI/b:identifier/c:DICode", namespaces=EU) == "690123456CVC7FQ"
    )
    assert device.findtext("d:MDRBasicUDI/b:riskClass", namespaces=EU) == "CLASS_III"
    assert device.findtext("d:MDRBasicUDI/b:MFActorCode", namespaces=EU) == "CN-MF-000012345"
    data_el = device.find("d:MDRUDIDIData", EU)
    assert data_el.findtext("u:identifier/c:DICode", namespaces=EU) == "06901234567892"
    assert data_el.findtext("u:status/c:code", namespaces=EU) == "ON_THE_MARKET"
    assert data_el.findtext("u:MDNCodes", namespaces=EU) == "C0104"
    assert data_el.findtext("u:numberOfReuses", namespaces=EU) == "0"  # single use
    assert data_el.findtext("u:productionIdentifier", namespaces=EU) == (
        "BATCH_NUMBER MANUFACTURING_DATE EXPIRATION_DATE"
    )
    packages = [
        (
            p.findtext("u:identifier/c:DICode", namespaces=EU),
            p.findtext("u:numberOfItems", namespaces=EU),
            p.findtext("u:child/c:DICode", namespaces=EU),
        )
        for p in data_el.findall("u:packages/u:package", EU)
    ]
    assert packages == [
        ("16901234567899", "10", "06901234567892"),
        ("26901234567896", "5", "16901234567899"),
    ]


def test_eudamed_device_past_its_distribution_end_is_no_longer_on_the_market():
    data = eudamed_xml.push_message(
        [eu_device(distribution_end_date=datetime.date(2025, 1, 1))], TODAY, now=NOW
    )
    status = etree.fromstring(data).find(".//u:status/c:code", EU)
    assert status.text == "NO_LONGER_PLACED_ON_THE_MARKET"


def test_eudamed_splits_more_than_300_devices_into_messages():
    devices = [eu_device(primary_di=f"{i:014d}") for i in range(301)]
    files = de.export_files(de.EUDAMED, devices, ["xml"], TODAY)
    assert [name for name, _data in files] == [
        "eudamed_device_post_20250301_1.xml",
        "eudamed_device_post_20250301_2.xml",
    ]
    with pytest.raises(ValueError):
        eudamed_xml.push_message([], TODAY)


# ---- GUDID SPL ------------------------------------------------------------------------

V3 = {"v": gudid_spl.NS}


def test_gudid_spl_is_one_document_per_di_record():
    files = de.export_files(
        de.GUDID, [catheter(), catheter(primary_di="06901234567885")], ["spl"], TODAY
    )
    assert [name for name, _data in files] == [
        "gudid_spl_06901234567892_20250301.xml",
        "gudid_spl_06901234567885_20250301.xml",
    ]


def test_gudid_spl_header_names_the_labeler_by_duns_and_keeps_the_set_id():
    first = etree.fromstring(gudid_spl.spl_document(catheter(), TODAY))
    again = etree.fromstring(gudid_spl.spl_document(catheter(), TODAY))
    assert first.tag == "{urn:hl7-org:v3}document"
    organization = first.find("v:author/v:assignedEntity/v:representedOrganization", V3)
    assert organization.find("v:id", V3).attrib == {
        "extension": "123456789",
        "root": gudid_spl.DUNS_OID,
    }
    assert organization.findtext("v:name", namespaces=V3) == "Shanghai Example Medical Co., Ltd."
    # a new document id for each submission, the same set id for all versions of the DI record
    assert first.find("v:id", V3).get("root") != again.find("v:id", V3).get("root")
    assert first.find("v:setId", V3).get("root") == again.find("v:setId", V3).get("root")


def test_gudid_spl_product_has_primary_di_brand_packages_and_data_elements():
    root = etree.fromstring(gudid_spl.spl_document(catheter(), TODAY))
    outer = root.find(".//v:section/v:subject/v:manufacturedProduct", V3)
    product = outer.find("v:manufacturedProduct", V3)
    assert product.find("v:code", V3).attrib == {"code": "06901234567892", "codeSystem": "1.3.160"}
    assert product.findtext("v:name", namespaces=V3) == "VenaCath"
    box = product.find("v:asContent", V3)
    assert box.find("v:quantity/v:numerator", V3).get("value") == "10"
    assert box.find("v:containerPackagedProduct/v:code", V3).get("code") == "16901234567899"
    case = box.find("v:containerPackagedProduct/v:asContent", V3)
    assert case.find("v:containerPackagedProduct/v:code", V3).get("code") == "26901234567896"
    elements = {
        c.find("v:code", V3).get("code"): c.find("v:value", V3)
        for c in outer.findall("v:subjectOf/v:characteristic", V3)
    }
    assert elements["deviceSterile"].get("value") == "true"
    assert elements["serialNumber"].get("value") == "false"
    assert elements["devicePublishDate"].get("value") == "20240601"
    assert elements["MRISafetyStatus"].text == "MR Conditional"
    assert elements["premarketSubmissionNumber"].text == "K201234"


def test_gudid_spl_validates_against_the_spl_schema():
    schema = official_schema(SPL_XSD)
    document = etree.fromstring(gudid_spl.spl_document(catheter(), TODAY))
    assert schema.validate(document), schema.error_log


# ---- NMPA bulk template ---------------------------------------------------------------


def test_nmpa_template_has_the_template_columns_and_text_cells():
    data = nmpa_xlsx.workbook([catheter()], TODAY)
    book = openpyxl.load_workbook(io.BytesIO(data))
    products = book[nmpa_xlsx.PRODUCT_SHEET]
    headers = [cell.value for cell in products[1]]
    assert headers == [c.header for c in dx.NMPA_COLUMNS]
    row = dict(zip(headers, (cell.value for cell in products[2]), strict=True))
    assert row["最小销售单元产品标识"] == "06901234567892"  # leading zero kept
    assert row["产品标识发布日期"] == "2024-05-06"
    assert row["是否为无菌包装"] == "是"
    packages = book[nmpa_xlsx.PACKAGE_SHEET]
    assert [cell.value for cell in packages[1]] == list(dx.NMPA_PACKAGE_HEADERS)
    assert packages.max_row == 3


# ---- dispatch -------------------------------------------------------------------------


def test_formats_of_each_database():
    assert de.FORMATS == {
        "nmpa": ("xlsx", "xml", "csv"),
        "gudid": ("spl", "csv"),
        "eudamed": ("xml",),
    }
    files = de.export_files(de.NMPA, [catheter()], ["xlsx", "csv"], TODAY)
    assert [name for name, _data in files] == [
        "nmpa_udid_template_20250301.xlsx",
        "nmpa_products_20250301.csv",
        "nmpa_packages_20250301.csv",
    ]


def test_unknown_database_or_format_is_refused():
    with pytest.raises(ValueError, match="Unknown UDI database"):
        de.check("pmda", [catheter()])
    with pytest.raises(ValueError, match="no layout"):
        de.export_files(de.EUDAMED, [eu_device()], ["csv"], TODAY)


def test_eudamed_needs_at_least_one_production_identifier_on_the_label():
    device = eu_device(pi_lot=False, pi_serial=False, pi_manufacture_date=False, pi_expiry=False)
    issues = de.check(de.EUDAMED, [device], TODAY)
    assert [(i["field"], i["label"]) for i in issues] == [("pi_lot", "Type of UDI-PI")]
