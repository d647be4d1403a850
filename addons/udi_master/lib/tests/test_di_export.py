"""NMPA UDI database and FDA GUDID layouts: mapping, checks, serialisation."""

import csv
import datetime
import io
import zipfile

import pytest
from lxml import etree
from udi_master_lib import di_export as dx

TODAY = datetime.date(2025, 3, 1)


def catheter(**overrides):
    """A complete sterile single-use catheter in a box of 10, boxes in cases of 5."""
    device = {
        "ref": "Central venous catheter 7Fr",
        "primary_di": "06901234567892",
        "issuing_agency": "gs1",
        "device_count": 1,
        "packages": [
            {
                "di": "16901234567899",
                "contains_di": "06901234567892",
                "quantity": 10,
                "depth": 1,
            },
            {
                "di": "26901234567896",
                "contains_di": "16901234567899",
                "quantity": 5,
                "depth": 2,
            },
        ],
        "name": "中心静脉导管",
        "brand": "VenaCath",
        "model": "CVC-7F-20",
        "catalog_number": "CVC7F20",
        "description": "Sterile single-use central venous catheter, 7 Fr, 20 cm",
        "registration_number": "国械注准20203030001",
        "nmpa_class": "3",
        "nmpa_category_code": "14-01-02",
        "is_ivd": False,
        "nmpa_publish_date": datetime.date(2024, 5, 6),
        "gudid_publish_date": datetime.date(2024, 6, 1),
        "registrant_name": "Shanghai Example Medical Co., Ltd.",
        "registrant_uscc": "91310000MA1FL0000X",
        "contact_phone": "+86 21 5555 0100",
        "contact_email": "ra@example.com",
        "labeler_duns": "123456789",
        "fda_class": "2",
        "fda_product_code": "FOZ",
        "fda_premarket_number": "K201234",
        "gmdn_code": "47744",
        "fda_use": "rx",
        "mri_safety": "conditional",
        "kit": False,
        "combination_product": False,
        "implantable": False,
        "single_use": True,
        "sterile": True,
        "sterilize_before_use": False,
        "contains_latex": False,
        "labeled_no_latex": True,
        "direct_marking": False,
        "pi_lot": True,
        "pi_serial": False,
        "pi_manufacture_date": True,
        "pi_expiry": True,
    }
    device.update(overrides)
    return device


def read_csv(data):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def fields_of(issues):
    return sorted(issue["field"] for issue in issues)


# ---- checks -------------------------------------------------------------------------


@pytest.mark.parametrize("database", dx.DATABASES)
def test_complete_device_has_no_issue(database):
    assert dx.check(database, [catheter()], TODAY) == []


def test_nmpa_reports_missing_registration_number():
    issues = dx.check(dx.NMPA, [catheter(registration_number="")], TODAY)
    assert fields_of(issues) == ["registration_number"]
    assert issues[0]["ref"] == "Central venous catheter 7Fr"
    assert issues[0]["database"] == dx.NMPA


def test_gudid_does_not_need_the_nmpa_registration_number():
    assert dx.check(dx.GUDID, [catheter(registration_number=None)], TODAY) == []


def test_gudid_reports_missing_duns_brand_and_product_code():
    device = catheter(labeler_duns=None, brand="", fda_product_code=None)
    assert fields_of(dx.check(dx.GUDID, [device], TODAY)) == [
        "brand",
        "fda_product_code",
        "labeler_duns",
    ]


def test_unit_of_use_di_required_only_when_base_unit_holds_several_devices():
    assert dx.check(dx.GUDID, [catheter(device_count=1)], TODAY) == []
    issues = dx.check(dx.GUDID, [catheter(device_count=10)], TODAY)
    assert fields_of(issues) == ["unit_of_use_di"]
    assert fields_of(dx.check(dx.NMPA, [catheter(device_count=10)], TODAY)) == [
        "unit_of_use_di"
    ]


def test_sterilisation_method_required_only_when_sterilised_before_use():
    assert dx.check(dx.NMPA, [catheter(sterilize_before_use=False)], TODAY) == []
    issues = dx.check(dx.NMPA, [catheter(sterilize_before_use=True)], TODAY)
    assert fields_of(issues) == ["sterilization_method"]


def test_class_one_device_without_premarket_number_is_exempt():
    device = catheter(fda_class="1", fda_premarket_number=None)
    assert dx.check(dx.GUDID, [device], TODAY) == []
    assert dx.device_row(dx.GUDID, device, TODAY)["FDA Premarket Exempt"] == "true"


def test_class_two_device_without_premarket_number_is_reported():
    issues = dx.check(dx.GUDID, [catheter(fda_premarket_number=None)], TODAY)
    assert fields_of(issues) == ["fda_premarket_number"]


def test_gudid_refuses_an_agency_fda_has_not_accredited():
    device = catheter(issuing_agency="other", agency_name="MA")
    issues = dx.check(dx.GUDID, [device], TODAY)
    assert fields_of(issues) == ["issuing_agency"]
    assert issues[0]["params"] == {"agency": "MA"}


def test_nmpa_accepts_a_chinese_coding_system():
    device = catheter(issuing_agency="other", agency_name="MA")
    assert dx.check(dx.NMPA, [device], TODAY) == []
    assert dx.device_row(dx.NMPA, device, TODAY)["产品标识编码体系名称"] == "MA"


def test_latex_claims_that_contradict_each_other_are_reported():
    issues = dx.check(
        dx.GUDID, [catheter(contains_latex=True, labeled_no_latex=True)], TODAY
    )
    assert fields_of(issues) == ["labeled_no_latex"]


def test_duns_number_must_have_nine_digits():
    issues = dx.check(dx.GUDID, [catheter(labeler_duns="12345")], TODAY)
    assert fields_of(issues) == ["labeler_duns"]


def test_unknown_mri_status_is_missing_for_both_databases():
    for database in dx.DATABASES:
        assert fields_of(dx.check(database, [catheter(mri_safety=None)], TODAY)) == [
            "mri_safety"
        ]


def test_false_boolean_is_a_value_not_a_missing_field():
    device = catheter(single_use=False, sterile=False, pi_lot=False, kit=False)
    assert dx.check(dx.NMPA, [device], TODAY) == []


def test_unknown_database_is_refused():
    with pytest.raises(ValueError):
        dx.check("eudamed", [catheter()], TODAY)


# ---- value formats ------------------------------------------------------------------


def test_nmpa_writes_booleans_as_shi_fou_and_iso_dates():
    row = dx.device_row(dx.NMPA, catheter(), TODAY)
    assert row["是否为无菌包装"] == "是"
    assert row["使用前是否需要进行灭菌"] == "否"
    assert row["生产标识是否包含序列号"] == "否"
    assert row["产品标识发布日期"] == "2024-05-06"
    assert row["医疗器械管理类别"] == "Ⅲ类"
    assert row["器械类别"] == "器械"


def test_gudid_writes_booleans_as_true_false_and_iso_dates():
    row = dx.device_row(dx.GUDID, catheter(), TODAY)
    assert row["Device Packaged as Sterile"] == "true"
    assert row["Requires Sterilization Prior to Use"] == "false"
    assert row["DI Record Publish Date"] == "2024-06-01"
    assert row["Prescription Use (Rx)"] == "true"
    assert row["Over the Counter (OTC)"] == "false"
    assert row["MRI Safety Status"] == "MR Conditional"
    assert row["Issuing Agency"] == "GS1"


def test_gudid_status_follows_the_end_of_distribution_date():
    ended = catheter(distribution_end_date=datetime.date(2025, 1, 31))
    assert (
        dx.device_row(dx.GUDID, ended, TODAY)["Commercial Distribution Status"]
        == "Not in Commercial Distribution"
    )
    later = catheter(distribution_end_date=datetime.date(2026, 1, 31))
    assert (
        dx.device_row(dx.GUDID, later, TODAY)["Commercial Distribution Status"]
        == "In Commercial Distribution"
    )


# ---- packaging hierarchy ------------------------------------------------------------


def test_nmpa_package_rows_chain_levels_with_quantities():
    rows = dx.package_rows(dx.NMPA, catheter(), TODAY)
    assert [
        (
            r["包装产品标识"],
            r["包装内含小一级相同产品标识的数量"],
            r["包装内含小一级包装产品标识"],
        )
        for r in rows
    ] == [
        ("16901234567899", "10", "06901234567892"),
        ("26901234567896", "5", "16901234567899"),
    ]
    assert {r["最小销售单元产品标识"] for r in rows} == {"06901234567892"}


def test_gudid_package_rows_carry_quantity_and_contained_di():
    rows = dx.package_rows(dx.GUDID, catheter(), TODAY)
    assert [
        (r["Package DI Number"], r["Quantity per Package"], r["Contains DI Package"])
        for r in rows
    ] == [
        ("16901234567899", "10", "06901234567892"),
        ("26901234567896", "5", "16901234567899"),
    ]
    assert rows[0]["Package Status"] == "In Commercial Distribution"


def test_package_without_quantity_is_reported():
    device = catheter(
        packages=[
            {
                "di": "16901234567899",
                "contains_di": "06901234567892",
                "quantity": 0,
                "depth": 1,
            }
        ]
    )
    assert fields_of(dx.check(dx.GUDID, [device], TODAY)) == ["packages"]


# ---- XML ----------------------------------------------------------------------------


def test_nmpa_xml_has_udid_root_devices_and_packing_list():
    root = etree.fromstring(
        dx.nmpa_xml(
            [catheter(), catheter(primary_di="06901234500011", packages=[])], TODAY
        )
    )
    assert root.tag == "udid"
    devices = root.findall("devices/device")
    assert len(devices) == 2
    first = devices[0]
    assert first.findtext("zxxsdycpbs") == "06901234567892"
    assert first.findtext("cpbsbmtxmc") == "GS1"
    assert first.findtext("zczbhhzbapzbh") == "国械注准20203030001"
    assert first.findtext("sfwwjbz") == "是"
    assert first.findtext("cpbsfbrq") == "2024-05-06"
    packings = first.findall("packingList/packing")
    assert [
        (p.findtext("bzcpbs"), p.findtext("bznhxyjcpbssl"), p.findtext("bznhxyjbzcpbs"))
        for p in packings
    ] == [
        ("16901234567899", "10", "06901234567892"),
        ("26901234567896", "5", "16901234567899"),
    ]
    assert devices[1].findall("packingList/packing") == []
    assert first.findtext("contactList/contact/qylxrdh") == "+86 21 5555 0100"


def test_nmpa_xml_keeps_csv_only_fields_out():
    root = etree.fromstring(dx.nmpa_xml([catheter()], TODAY))
    tags = {child.tag for child in root.find("devices/device")}
    assert "zxxsdycpbs" in tags
    assert not any(tag.startswith("医") for tag in tags)
    assert len(tags) == len([c for c in dx.NMPA_COLUMNS if c.xml_tag]) + 2


def test_nmpa_xml_escapes_markup_in_text():
    root = etree.fromstring(
        dx.nmpa_xml([catheter(description="<b>7 Fr & 20 cm</b>")], TODAY)
    )
    assert root.findtext("devices/device/cpms") == "<b>7 Fr & 20 cm</b>"


# ---- files --------------------------------------------------------------------------


def test_nmpa_csv_files_have_chinese_headers_and_one_row_per_device():
    files = dict(dx.export_files(dx.NMPA, [catheter()], [dx.FORMAT_CSV], TODAY))
    assert sorted(files) == ["nmpa_packages_20250301.csv", "nmpa_products_20250301.csv"]
    products = read_csv(files["nmpa_products_20250301.csv"])
    assert len(products) == 1
    assert products[0]["最小销售单元产品标识"] == "06901234567892"
    assert files["nmpa_products_20250301.csv"].startswith(b"\xef\xbb\xbf")
    assert len(read_csv(files["nmpa_packages_20250301.csv"])) == 2


def test_gudid_csv_files_have_reference_table_headers():
    files = dict(dx.export_files(dx.GUDID, [catheter()], [dx.FORMAT_CSV], TODAY))
    devices = read_csv(files["gudid_devices_20250301.csv"])
    assert devices[0]["Primary DI Number"] == "06901234567892"
    assert devices[0]["Labeler DUNS Number"] == "123456789"
    assert list(devices[0])[:3] == [
        "Primary DI Number",
        "Issuing Agency",
        "Device Count",
    ]


def test_gudid_has_no_xml_layout():
    with pytest.raises(ValueError):
        dx.export_files(dx.GUDID, [catheter()], [dx.FORMAT_XML], TODAY)


def test_csv_quotes_commas_and_newlines():
    files = dict(
        dx.export_files(
            dx.GUDID,
            [catheter(description='7 Fr, "long"\n20 cm')],
            [dx.FORMAT_CSV],
            TODAY,
        )
    )
    assert (
        read_csv(files["gudid_devices_20250301.csv"])[0]["Device Description"]
        == '7 Fr, "long"\n20 cm'
    )


def test_zip_holds_every_file_and_is_reproducible():
    files = dx.export_files(
        dx.NMPA, [catheter()], [dx.FORMAT_XML, dx.FORMAT_CSV], TODAY
    )
    archive = dx.zip_files(files)
    assert archive == dx.zip_files(files)
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert sorted(opened.namelist()) == sorted(name for name, _data in files)


def test_issue_report_lists_device_field_and_problem():
    issues = dx.check(dx.NMPA, [catheter(registration_number=None)], TODAY)
    rows = read_csv(dx.issues_csv(issues))
    assert rows == [
        {
            "Device": "Central venous catheter 7Fr",
            "Primary DI": "06901234567892",
            "Database": "nmpa",
            "Field": "Registration certificate or filing number",
            "Problem": "mandatory, missing",
        }
    ]


def test_false_in_a_text_field_means_unknown_not_the_word_false():
    device = catheter(registration_number=False, brand=False)
    assert fields_of(dx.check(dx.NMPA, [device], TODAY)) == ["registration_number"]
    assert dx.device_row(dx.NMPA, device, TODAY)["商品名称"] == ""
