"""DI records in the field layouts of the NMPA UDI database and of FDA GUDID.

Plain Python (no Odoo import): the input is a list of plain dicts, one per device
identifier record (one base-unit DI with its unit-of-use DI and its higher packaging
levels); the output is file contents (bytes) plus a list of issues (mandatory data
still missing, contradictions).

Layouts and sources are documented in ``readme/DI_EXPORT.md``. In short:

* NMPA (国家药监局医疗器械唯一标识数据库): the element names of the public
  UDI data download (``<udid><devices><device>…<packingList><packing>…``,
  pinyin-initial tags such as ``zxxsdycpbs``) for XML, and the same fields under
  their Chinese names for CSV, one file for the products and one for the packaging
  levels. Booleans ``是`` / ``否``, dates ``YYYY-MM-DD``.
* GUDID: the data element names of FDA's "GUDID Data Elements Reference Table" as
  CSV headers, one file for the device records and one for the package DIs.
  Booleans ``true`` / ``false`` (as AccessGUDID publishes them), dates
  ``YYYY-MM-DD``. A full HL7 SPL submission is out of scope.

Device dict keys (all optional unless a rule below makes them mandatory)::

    ref                 how the issue report names the device (e.g. the product name)
    key                 caller's id of the device, copied into its issues
    primary_di          DI of the base unit / minimum sales unit
    issuing_agency      'gs1' | 'hibcc' | 'iccbba' | 'other'
    agency_name         coding-system name for 'other' (e.g. 'MA', 'AHM')
    device_count        devices (units of use) in the base unit, int >= 1
    unit_of_use_di      DI of the unit of use (needed when device_count > 1)
    packages            [{'di', 'contains_di', 'quantity', 'depth'}]; depth 1 = directly
                        above the base unit
    name, brand, model, catalog_number, description
    registration_number NMPA registration certificate / filing number
    nmpa_class          '1' | '2' | '3'
    nmpa_category_code  classification catalogue code (分类编码), e.g. '14-01-02'
    is_ivd              in vitro diagnostic reagent (器械类别)
    nhsa_code           NHSA medical consumables code (医保耗材分类编码)
    nmpa_publish_date   / gudid_publish_date   datetime.date
    distribution_end_date                      datetime.date
    registrant_name, registrant_name_en, registrant_uscc, contact_phone, contact_email
    labeler_duns, fda_class, fda_product_code, fda_premarket_number, gmdn_code
    fda_use             'rx' | 'otc' | 'rx_otc'
    mri_safety          'safe' | 'conditional' | 'unsafe' | 'no_info'
    kit, combination_product, implantable, single_use, sterile, sterilize_before_use,
    contains_latex, labeled_no_latex, direct_marking                       bool
    sterilization_method
    pi_lot, pi_serial, pi_manufacture_date, pi_expiry                      bool
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from .errors import _lt

NMPA = "nmpa"
GUDID = "gudid"
DATABASES = (NMPA, GUDID)

FORMAT_CSV = "csv"
FORMAT_XML = "xml"
# Which file formats each database's layout exists in.
FORMATS = {NMPA: (FORMAT_XML, FORMAT_CSV), GUDID: (FORMAT_CSV,)}


# -----------------------------------------------------------------------
# Value formats
# -----------------------------------------------------------------------


def _is_empty(value):
    return value is None or value == "" or value == []


def format_value(database, value):
    """``value`` as the target database writes it: text, no None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        if database == NMPA:
            return "是" if value else "否"
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value)


NMPA_CODING_SYSTEMS = {"gs1": "GS1", "hibcc": "HIBC", "iccbba": "ICCBBA"}
GUDID_AGENCIES = {"gs1": "GS1", "hibcc": "HIBCC", "iccbba": "ICCBBA"}
NMPA_CLASSES = {"1": "Ⅰ类", "2": "Ⅱ类", "3": "Ⅲ类"}
NMPA_MRI = {
    "safe": "MR安全",
    "conditional": "MR条件安全",
    "unsafe": "MR不安全",
    "no_info": "说明书或标签上未包括MR安全相关信息",
}
GUDID_MRI = {
    "safe": "MR Safe",
    "conditional": "MR Conditional",
    "unsafe": "MR Unsafe",
    "no_info": "Labeling does not contain MRI Safety Information",
}
IN_DISTRIBUTION = "In Commercial Distribution"
NOT_IN_DISTRIBUTION = "Not in Commercial Distribution"


def _nmpa_coding_system(device):
    agency = device.get("issuing_agency")
    if agency == "other":
        return device.get("agency_name") or None
    return NMPA_CODING_SYSTEMS.get(agency)


def _in_distribution(device, today):
    end = device.get("distribution_end_date")
    return not end or end > today


def _count(device):
    return device.get("device_count") or 1


def _needs_unit_of_use(device):
    return _count(device) > 1


# -----------------------------------------------------------------------
# Column definitions
# -----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One field of a target layout.

    ``header`` is the field name as the target database has it (data, not translated);
    ``label`` the English name used in the issue report (translated by the Odoo layer);
    ``required`` True, False or a predicate on the device; ``xml_tag`` the
    element name in the
    NMPA XML download, None when the field only exists in the CSV template.
    """

    key: str
    header: str
    label: str
    get: Callable
    required: bool | Callable = False
    xml_tag: str | None = None

    def is_required(self, device):
        return self.required(device) if callable(self.required) else self.required


def _key(name):
    """Getter of a non-boolean value; False (an empty Odoo field) reads as None."""

    def get(device, today=None):
        value = device.get(name)
        return None if value is False else value

    return get


NMPA_COLUMNS = (
    Column(
        "primary_di",
        "最小销售单元产品标识",
        _lt("DI of the minimum sales unit"),
        _key("primary_di"),
        True,
        "zxxsdycpbs",
    ),
    Column(
        "coding_system",
        "产品标识编码体系名称",
        _lt("DI coding system"),
        lambda d, t=None: _nmpa_coding_system(d),
        True,
        "cpbsbmtxmc",
    ),
    Column(
        "nmpa_publish_date",
        "产品标识发布日期",
        _lt("NMPA publication date"),
        _key("nmpa_publish_date"),
        True,
        "cpbsfbrq",
    ),
    Column(
        "device_count",
        "最小销售单元中使用单元的数量",
        _lt("Units of use in the minimum sales unit"),
        lambda d, t=None: _count(d),
        True,
        "zxxsdyzsydydsl",
    ),
    Column(
        "unit_of_use_di",
        "使用单元产品标识",
        _lt("Unit-of-use DI"),
        _key("unit_of_use_di"),
        _needs_unit_of_use,
        "sydycpbs",
    ),
    Column(
        "carrier",
        "标识载体",
        _lt("Data carrier"),
        lambda d, t=None: "二维码",
        False,
        "bszt",
    ),
    Column(
        "matches_registration",
        "是否与注册/备案标识一致",
        _lt("DI as in the registration"),
        lambda d, t=None: None,
        False,
        "sfyzcbayz",
    ),
    Column(
        "registration_di",
        "注册/备案产品标识",
        _lt("DI in the registration"),
        lambda d, t=None: None,
        False,
        "zcbacpbs",
    ),
    Column(
        "direct_marking",
        "是否有本体直接标识",
        _lt("Direct marking"),
        lambda d, t=None: bool(d.get("direct_marking")),
        True,
        "sfybtzjbs",
    ),
    Column(
        "direct_marking_same",
        "本体产品标识与最小销售单元产品标识是否一致",
        _lt("Direct-marking DI equals the primary DI"),
        lambda d, t=None: True if d.get("direct_marking") else None,
        False,
        "btcpbsyzxxsdycpbssfyz",
    ),
    Column(
        "direct_marking_di",
        "本体产品标识",
        _lt("Direct-marking DI"),
        lambda d, t=None: d.get("primary_di") if d.get("direct_marking") else None,
        False,
        "btcpbs",
    ),
    Column(
        "name",
        "产品名称/通用名称",
        _lt("Product (common) name"),
        _key("name"),
        True,
        "cpmctymc",
    ),
    Column("brand", "商品名称", _lt("Brand name"), _key("brand"), False, "spmc"),
    Column(
        "model", "规格型号", _lt("Model / specification"), _key("model"), True, "ggxh"
    ),
    Column(
        "kit",
        "是否为包类/组套类产品",
        _lt("Kit"),
        lambda d, t=None: bool(d.get("kit")),
        True,
        "sfwblztlcp",
    ),
    Column(
        "description",
        "产品描述",
        _lt("Device description"),
        _key("description"),
        True,
        "cpms",
    ),
    Column(
        "catalog_number",
        "产品货号或编号",
        _lt("Catalogue number"),
        _key("catalog_number"),
        False,
        "cphhhbh",
    ),
    Column(
        "old_category_code",
        "原分类编码",
        _lt("Former classification code"),
        lambda d, t=None: None,
        False,
        "yflbm",
    ),
    Column(
        "device_kind",
        "器械类别",
        _lt("Device kind"),
        lambda d, t=None: "体外诊断试剂" if d.get("is_ivd") else "器械",
        True,
        "qxlb",
    ),
    Column(
        "nmpa_category_code",
        "分类编码",
        _lt("NMPA classification code"),
        _key("nmpa_category_code"),
        True,
        "flbm",
    ),
    Column(
        "registrant_name",
        "医疗器械注册人/备案人名称",
        _lt("Registrant name"),
        _key("registrant_name"),
        True,
        "ylqxzcrbarmc",
    ),
    Column(
        "registrant_name_en",
        "医疗器械注册人/备案人英文名称",
        _lt("Registrant name in English"),
        _key("registrant_name_en"),
        False,
        "ylqxzcrbarywmc",
    ),
    Column(
        "registrant_uscc",
        "统一社会信用代码",
        _lt("Unified social credit code"),
        _key("registrant_uscc"),
        True,
        "tyshxydm",
    ),
    Column(
        "registration_number",
        "注册证编号或者备案凭证编号",
        _lt("Registration certificate or filing number"),
        _key("registration_number"),
        True,
        "zczbhhzbapzbh",
    ),
    Column(
        "nhsa_code",
        "医保耗材分类编码",
        _lt("NHSA consumables code"),
        _key("nhsa_code"),
        False,
        "ybbm",
    ),
    Column(
        "product_category",
        "产品类别",
        _lt("Product category"),
        lambda d, t=None: None,
        False,
        "cplb",
    ),
    Column(
        "mri_safety",
        "磁共振（MR）安全相关信息",
        _lt("MRI safety"),
        lambda d, t=None: NMPA_MRI.get(d.get("mri_safety")),
        True,
        "cgzmraqxgxx",
    ),
    Column(
        "single_use",
        "是否标记为一次性使用",
        _lt("Single use"),
        lambda d, t=None: bool(d.get("single_use")),
        True,
        "sfbjwycxsy",
    ),
    Column(
        "max_reuses",
        "最大重复使用次数",
        _lt("Maximum number of reuses"),
        lambda d, t=None: None,
        False,
        "zdcfsycs",
    ),
    Column(
        "sterile",
        "是否为无菌包装",
        _lt("Packaged sterile"),
        lambda d, t=None: bool(d.get("sterile")),
        True,
        "sfwwjbz",
    ),
    Column(
        "sterilize_before_use",
        "使用前是否需要进行灭菌",
        _lt("Sterilise before use"),
        lambda d, t=None: bool(d.get("sterilize_before_use")),
        True,
        "syqsfxyjxmj",
    ),
    Column(
        "sterilization_method",
        "灭菌方式",
        _lt("Sterilisation method"),
        _key("sterilization_method"),
        lambda d: bool(d.get("sterilize_before_use")),
        "mjfs",
    ),
    Column(
        "info_url",
        "其他信息的网址链接",
        _lt("URL for further information"),
        lambda d, t=None: None,
        False,
        "qtxxdwzlj",
    ),
    Column(
        "distribution_end_date",
        "退市日期",
        _lt("End of distribution"),
        _key("distribution_end_date"),
        False,
        "tsrq",
    ),
    Column(
        "pi_lot",
        "生产标识是否包含批号",
        _lt("PI contains the lot"),
        lambda d, t=None: bool(d.get("pi_lot")),
        True,
        "scbssfbhph",
    ),
    Column(
        "pi_serial",
        "生产标识是否包含序列号",
        _lt("PI contains the serial number"),
        lambda d, t=None: bool(d.get("pi_serial")),
        True,
        "scbssfbhxlh",
    ),
    Column(
        "pi_manufacture_date",
        "生产标识是否包含生产日期",
        _lt("PI contains the manufacture date"),
        lambda d, t=None: bool(d.get("pi_manufacture_date")),
        True,
        "scbssfbhscrq",
    ),
    Column(
        "pi_expiry",
        "生产标识是否包含失效日期",
        _lt("PI contains the expiry date"),
        lambda d, t=None: bool(d.get("pi_expiry")),
        True,
        "scbssfbhsxrq",
    ),
    Column(
        "storage_conditions",
        "特殊储存或操作条件",
        _lt("Special storage conditions"),
        lambda d, t=None: None,
        False,
        "tscchcztj",
    ),
    Column(
        "size_note",
        "特殊尺寸说明",
        _lt("Special size information"),
        lambda d, t=None: None,
        False,
        "tsccsm",
    ),
    # Fields of the bulk-upload template that the public XML download does not carry.
    Column(
        "nmpa_class",
        "医疗器械管理类别",
        _lt("NMPA class"),
        lambda d, t=None: NMPA_CLASSES.get(d.get("nmpa_class")),
        True,
    ),
    Column(
        "implantable",
        "是否为植入类医疗器械",
        _lt("Implantable"),
        lambda d, t=None: bool(d.get("implantable")),
        True,
    ),
    Column(
        "contains_latex",
        "是否含天然乳胶",
        _lt("Contains natural rubber latex"),
        lambda d, t=None: bool(d.get("contains_latex")),
        True,
    ),
    Column(
        "contact_phone", "联系人电话", _lt("Contact phone"), _key("contact_phone"), True
    ),
    Column(
        "contact_email",
        "联系人邮箱",
        _lt("Contact e-mail"),
        _key("contact_email"),
        True,
    ),
)

# contactList/contact in the XML download
NMPA_CONTACT_TAGS = (
    ("qylxrcz", None),
    ("qylxryx", "contact_email"),
    ("qylxrdh", "contact_phone"),
)

NMPA_PACKAGE_HEADERS = (
    "最小销售单元产品标识",
    "包装产品标识",
    "产品包装级别",
    "包装内含小一级相同产品标识的数量",
    "包装内含小一级包装产品标识",
)
NMPA_PACKAGE_TAGS = ("bzcpbs", "cpbzjb", "bznhxyjcpbssl", "bznhxyjbzcpbs")


def _gudid_agency(device):
    return GUDID_AGENCIES.get(device.get("issuing_agency"))


def _premarket_exempt(device):
    return device.get("fda_class") == "1" and not device.get("fda_premarket_number")


GUDID_COLUMNS = (
    Column(
        "primary_di", "Primary DI Number", _lt("Primary DI"), _key("primary_di"), True
    ),
    Column(
        "issuing_agency",
        "Issuing Agency",
        _lt("Issuing agency accredited by FDA"),
        lambda d, t=None: _gudid_agency(d),
        True,
    ),
    Column(
        "device_count",
        "Device Count",
        _lt("Device count"),
        lambda d, t=None: _count(d),
        True,
    ),
    Column(
        "unit_of_use_di",
        "Unit of Use DI Number",
        _lt("Unit-of-use DI"),
        _key("unit_of_use_di"),
        _needs_unit_of_use,
    ),
    Column(
        "labeler_duns",
        "Labeler DUNS Number",
        _lt("Labeler DUNS number"),
        _key("labeler_duns"),
        True,
    ),
    Column(
        "company_name",
        "Company Name",
        _lt("Labeler name"),
        _key("registrant_name"),
        True,
    ),
    Column("brand", "Brand Name", _lt("Brand name"), _key("brand"), True),
    Column("model", "Version or Model", _lt("Version or model"), _key("model"), True),
    Column(
        "catalog_number",
        "Catalog Number",
        _lt("Catalogue number"),
        _key("catalog_number"),
    ),
    Column(
        "description",
        "Device Description",
        _lt("Device description"),
        _key("description"),
    ),
    Column(
        "gudid_publish_date",
        "DI Record Publish Date",
        _lt("GUDID publish date"),
        _key("gudid_publish_date"),
        True,
    ),
    Column(
        "distribution_status",
        "Commercial Distribution Status",
        _lt("Commercial distribution status"),
        lambda d, t=None: (
            IN_DISTRIBUTION if _in_distribution(d, t) else NOT_IN_DISTRIBUTION
        ),
        True,
    ),
    Column(
        "distribution_end_date",
        "Commercial Distribution End Date",
        _lt("End of commercial distribution"),
        _key("distribution_end_date"),
    ),
    Column(
        "direct_marking",
        "Device Subject to Direct Marking (DM)",
        _lt("Direct marking"),
        lambda d, t=None: bool(d.get("direct_marking")),
        True,
    ),
    Column(
        "dm_di_different",
        "DM DI Different from Primary DI",
        _lt("Direct-marking DI differs from the primary DI"),
        lambda d, t=None: False if d.get("direct_marking") else None,
    ),
    Column("kit", "Kit", _lt("Kit"), lambda d, t=None: bool(d.get("kit")), True),
    Column(
        "combination_product",
        "Combination Product",
        _lt("Combination product"),
        lambda d, t=None: bool(d.get("combination_product")),
        True,
    ),
    Column(
        "hctp",
        "Human Cell, Tissue or Cellular or Tissue-Based Product (HCT/P)",
        _lt("HCT/P"),
        lambda d, t=None: False,
        True,
    ),
    Column(
        "rx",
        "Prescription Use (Rx)",
        _lt("Prescription or OTC use"),
        lambda d, t=None: (
            (d.get("fda_use") in ("rx", "rx_otc")) if d.get("fda_use") else None
        ),
        True,
    ),
    # Required together with Rx: one issue ("rx") is enough when neither is known.
    Column(
        "otc",
        "Over the Counter (OTC)",
        _lt("Prescription or OTC use"),
        lambda d, t=None: (
            (d.get("fda_use") in ("otc", "rx_otc")) if d.get("fda_use") else None
        ),
    ),
    Column(
        "pi_lot",
        "Lot or Batch Number",
        _lt("PI contains the lot"),
        lambda d, t=None: bool(d.get("pi_lot")),
        True,
    ),
    Column(
        "pi_serial",
        "Serial Number",
        _lt("PI contains the serial number"),
        lambda d, t=None: bool(d.get("pi_serial")),
        True,
    ),
    Column(
        "pi_manufacture_date",
        "Manufacturing Date",
        _lt("PI contains the manufacture date"),
        lambda d, t=None: bool(d.get("pi_manufacture_date")),
        True,
    ),
    Column(
        "pi_expiry",
        "Expiration Date",
        _lt("PI contains the expiry date"),
        lambda d, t=None: bool(d.get("pi_expiry")),
        True,
    ),
    Column(
        "donation_id",
        "Donation Identification Number",
        _lt("PI contains a donation ID"),
        lambda d, t=None: False,
        True,
    ),
    Column(
        "contains_latex",
        "Device required to be labeled as containing natural rubber latex or "
        "dry natural rubber (21 CFR 801.437)",
        _lt("Contains natural rubber latex"),
        lambda d, t=None: bool(d.get("contains_latex")),
        True,
    ),
    Column(
        "labeled_no_latex",
        'Device labeled as "Not made with natural rubber latex"',
        _lt("Labelled as not made with natural rubber latex"),
        lambda d, t=None: bool(d.get("labeled_no_latex")),
        True,
    ),
    Column(
        "mri_safety",
        "MRI Safety Status",
        _lt("MRI safety"),
        lambda d, t=None: GUDID_MRI.get(d.get("mri_safety")),
        True,
    ),
    Column(
        "sterile",
        "Device Packaged as Sterile",
        _lt("Packaged sterile"),
        lambda d, t=None: bool(d.get("sterile")),
        True,
    ),
    Column(
        "sterilize_before_use",
        "Requires Sterilization Prior to Use",
        _lt("Sterilise before use"),
        lambda d, t=None: bool(d.get("sterilize_before_use")),
        True,
    ),
    Column(
        "sterilization_method",
        "Sterilization Method",
        _lt("Sterilisation method"),
        _key("sterilization_method"),
        lambda d: bool(d.get("sterilize_before_use")),
    ),
    Column(
        "single_use",
        "For Single-Use",
        _lt("Single use"),
        lambda d, t=None: bool(d.get("single_use")),
        True,
    ),
    Column(
        "gmdn_code",
        "GMDN Preferred Term Code",
        _lt("GMDN code"),
        _key("gmdn_code"),
        True,
    ),
    Column(
        "fda_product_code",
        "FDA Product Code",
        _lt("FDA product code"),
        _key("fda_product_code"),
        True,
    ),
    Column(
        "fda_premarket_number",
        "FDA Premarket Submission Number",
        _lt("FDA premarket submission number"),
        _key("fda_premarket_number"),
        lambda d: not _premarket_exempt(d),
    ),
    Column(
        "premarket_exempt",
        "FDA Premarket Exempt",
        _lt("FDA premarket exempt"),
        lambda d, t=None: _premarket_exempt(d),
        True,
    ),
    Column(
        "contact_phone",
        "Customer Contact Phone",
        _lt("Contact phone"),
        _key("contact_phone"),
    ),
    Column(
        "contact_email",
        "Customer Contact Email",
        _lt("Contact e-mail"),
        _key("contact_email"),
    ),
)

GUDID_PACKAGE_HEADERS = (
    "Primary DI Number",
    "Package DI Number",
    "Issuing Agency",
    "Quantity per Package",
    "Contains DI Package",
    "Package Type",
    "Package Discontinue Date",
    "Package Status",
)

COLUMNS = {NMPA: NMPA_COLUMNS, GUDID: GUDID_COLUMNS}


# -----------------------------------------------------------------------
# Checks
# -----------------------------------------------------------------------


def _issue(device, database, key, label, message, **params):
    return {
        "key": device.get("key"),
        "ref": device.get("ref") or device.get("primary_di") or "",
        "primary_di": device.get("primary_di") or "",
        "database": database,
        "field": key,
        "label": label,
        "message": message,
        "params": params,
    }


MISSING = _lt("mandatory, missing")


def check_device(database, device, today=None):
    """Issues that keep ``device`` from being accepted by ``database``: list of
    dicts with
    ``ref``, ``primary_di``, ``database``, ``field`` (column key), ``label``
    (English, marked for
    translation), ``message`` and ``params`` (to fill ``message``)."""
    today = today or datetime.date.today()
    issues = []
    for column in COLUMNS[database]:
        if column.is_required(device) and _is_empty(column.get(device, today)):
            issues.append(_issue(device, database, column.key, column.label, MISSING))
    if database == GUDID and device.get("issuing_agency") == "other":
        issues = [i for i in issues if i["field"] != "issuing_agency"]
        issues.append(
            _issue(
                device,
                GUDID,
                "issuing_agency",
                _lt("Issuing agency accredited by FDA"),
                _lt("%(agency)s is not accredited by FDA (GS1, HIBCC, ICCBBA)"),
                agency=device.get("agency_name") or "other",
            )
        )
    if (
        database == GUDID
        and device.get("labeler_duns")
        and not (
            str(device["labeler_duns"]).isdigit()
            and len(str(device["labeler_duns"])) == 9
        )
    ):
        issues.append(
            _issue(
                device,
                GUDID,
                "labeler_duns",
                _lt("Labeler DUNS number"),
                _lt("%(value)s is not a 9-digit DUNS number"),
                value=device["labeler_duns"],
            )
        )
    if device.get("contains_latex") and device.get("labeled_no_latex"):
        issues.append(
            _issue(
                device,
                database,
                "labeled_no_latex",
                _lt("Labelled as not made with natural rubber latex"),
                _lt("contradicts 'contains natural rubber latex'"),
            )
        )
    if _count(device) < 1:
        issues.append(
            _issue(
                device,
                database,
                "device_count",
                _lt("Device count"),
                _lt("must be at least 1"),
            )
        )
    for package in device.get("packages") or ():
        if not package.get("quantity") or package["quantity"] < 1:
            issues.append(
                _issue(
                    device,
                    database,
                    "packages",
                    _lt("Packaging levels"),
                    _lt("package %(di)s contains no quantity"),
                    di=package.get("di"),
                )
            )
    return issues


def check(database, devices, today=None):
    """Issues of all ``devices`` for ``database``, in device order."""
    _check_database(database)
    return [
        issue for device in devices for issue in check_device(database, device, today)
    ]


def _check_database(database):
    if database not in DATABASES:
        raise ValueError(
            f"Unknown UDI database {database!r}; expected one of {DATABASES}"
        )


# -----------------------------------------------------------------------
# Rows
# -----------------------------------------------------------------------


def device_row(database, device, today=None):
    """The device as a dict header -> formatted value, in the layout's column order."""
    today = today or datetime.date.today()
    return {
        c.header: format_value(database, c.get(device, today))
        for c in COLUMNS[database]
    }


def _packages(device):
    return sorted(
        device.get("packages") or (), key=lambda p: (p.get("depth") or 0, p.get("di"))
    )


def package_rows(database, device, today=None):
    """The packaging levels above the base unit: list of dicts header ->
    formatted value."""
    today = today or datetime.date.today()
    rows = []
    for package in _packages(device):
        if database == NMPA:
            values = (
                device.get("primary_di"),
                package.get("di"),
                f"{package.get('depth') or 1}级包装",
                package.get("quantity"),
                package.get("contains_di"),
            )
            rows.append(
                dict(
                    zip(
                        NMPA_PACKAGE_HEADERS,
                        [format_value(NMPA, v) for v in values],
                        strict=True,
                    )
                )
            )
        else:
            status = (
                IN_DISTRIBUTION
                if _in_distribution(device, today)
                else NOT_IN_DISTRIBUTION
            )
            values = (
                device.get("primary_di"),
                package.get("di"),
                _gudid_agency(device),
                package.get("quantity"),
                package.get("contains_di"),
                None,
                device.get("distribution_end_date"),
                status,
            )
            rows.append(
                dict(
                    zip(
                        GUDID_PACKAGE_HEADERS,
                        [format_value(GUDID, v) for v in values],
                        strict=True,
                    )
                )
            )
    return rows


# -----------------------------------------------------------------------
# Serialisation
# -----------------------------------------------------------------------


def to_csv(headers, rows, bom=False):
    """CSV bytes (UTF-8, comma, RFC 4180 quoting, CRLF). ``bom`` for spreadsheet
    programs that
    need it to read Chinese text."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(headers), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def nmpa_xml(devices, today=None):
    """The devices as an NMPA UDI download document (UTF-8 bytes with declaration)."""
    today = today or datetime.date.today()
    root = etree.Element("udid", version="1.0")
    devices_el = etree.SubElement(root, "devices")
    for device in devices:
        device_el = etree.SubElement(devices_el, "device")
        for column in NMPA_COLUMNS:
            if column.xml_tag:
                etree.SubElement(device_el, column.xml_tag).text = format_value(
                    NMPA, column.get(device, today)
                )
        contacts = etree.SubElement(
            etree.SubElement(device_el, "contactList"), "contact"
        )
        for tag, key in NMPA_CONTACT_TAGS:
            etree.SubElement(contacts, tag).text = format_value(
                NMPA, device.get(key) if key else None
            )
        packing_list = etree.SubElement(device_el, "packingList")
        for row in package_rows(NMPA, device, today):
            packing = etree.SubElement(packing_list, "packing")
            for tag, header in zip(
                NMPA_PACKAGE_TAGS, NMPA_PACKAGE_HEADERS[1:], strict=True
            ):
                etree.SubElement(packing, tag).text = row[header]
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", pretty_print=True
    )


def issues_csv(issues, label=None, message=None):
    """The issue report as CSV; ``label``/``message`` translate the English texts."""
    label = label or (lambda text: text)
    message = message or (lambda text, params: text % params if params else text)
    headers = ("Device", "Primary DI", "Database", "Field", "Problem")
    rows = [
        dict(
            zip(
                headers,
                (
                    i["ref"],
                    i["primary_di"],
                    i["database"],
                    label(i["label"]),
                    message(i["message"], i["params"]),
                ),
                strict=True,
            )
        )
        for i in issues
    ]
    return to_csv(headers, rows, bom=True)


def export_files(database, devices, formats, today=None):
    """The export for ``database`` in ``formats`` (subset of FORMATS[database]):
    list of (file name, bytes)."""
    _check_database(database)
    today = today or datetime.date.today()
    unknown = set(formats) - set(FORMATS[database])
    if unknown or not formats:
        raise ValueError(
            f"{database} has no layout in {sorted(unknown) or 'no format'}; "
            f"choose from {FORMATS[database]}"
        )
    stamp = today.strftime("%Y%m%d")
    files = []
    if database == NMPA:
        if FORMAT_XML in formats:
            files.append((f"nmpa_udid_{stamp}.xml", nmpa_xml(devices, today)))
        if FORMAT_CSV in formats:
            products = [device_row(NMPA, d, today) for d in devices]
            packages = [row for d in devices for row in package_rows(NMPA, d, today)]
            headers = [c.header for c in NMPA_COLUMNS]
            files.append(
                (f"nmpa_products_{stamp}.csv", to_csv(headers, products, bom=True))
            )
            files.append(
                (
                    f"nmpa_packages_{stamp}.csv",
                    to_csv(NMPA_PACKAGE_HEADERS, packages, bom=True),
                )
            )
    else:
        rows = [device_row(GUDID, d, today) for d in devices]
        packages = [row for d in devices for row in package_rows(GUDID, d, today)]
        files.append(
            (
                f"gudid_devices_{stamp}.csv",
                to_csv([c.header for c in GUDID_COLUMNS], rows),
            )
        )
        files.append(
            (f"gudid_packages_{stamp}.csv", to_csv(GUDID_PACKAGE_HEADERS, packages))
        )
    return files


def zip_files(files):
    """Bytes of a ZIP archive holding ``files`` (list of (name, bytes)), fixed
    timestamps so that
    the same data gives the same archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
