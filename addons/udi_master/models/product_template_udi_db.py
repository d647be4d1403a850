from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import eudamed_xml

# udi_eu_class -> EUDAMED RiskClassEnum (DTX XSD Common/RiskClassEnum.xsd)
EU_RISK_CLASSES = {"1": "CLASS_I", "2a": "CLASS_IIA", "2b": "CLASS_IIB", "3": "CLASS_III"}


def _none(value):
    """Odoo's False for an empty non-boolean field, as the None that means
    'unknown' to lib."""
    return value if value or value == 0 else None


MRI_SAFETY = [
    ("safe", "MR Safe"),
    ("conditional", "MR Conditional"),
    ("unsafe", "MR Unsafe"),
    ("no_info", "Labelling has no MRI safety information"),
]


class ProductTemplate(models.Model):
    """Device data that the NMPA UDI database and FDA GUDID ask for and that had
    no field yet.

    See readme/DI_EXPORT.md for which database needs which field.
    """

    _inherit = "product.template"

    udi_device_count = fields.Integer(
        string="Devices in the base unit",
        default=1,
        help="How many devices (units of use) one base unit holds: GUDID 'Device "
        "Count', NMPA "
        "最小销售单元中使用单元的数量. Above 1, the device needs a unit-of-use DI.",
    )
    udi_kit = fields.Boolean(
        string="Kit",
        help="Convenience, procedure or IVD kit (GUDID 'Kit', NMPA 包类/组套类产品).",
    )
    udi_combination_product = fields.Boolean(
        string="Combination product",
        help="Device combined with a drug or biologic (21 CFR 3.2(e)).",
    )
    udi_direct_marking = fields.Boolean(
        string="Direct marking",
        help="The device itself carries its UDI (NMPA 本体直接标识, GUDID direct "
        "marking). The "
        "direct-marking DI is taken to be the primary DI.",
    )
    udi_labeled_no_latex = fields.Boolean(
        string="Labelled 'not made with natural rubber latex'",
        help="The labelling states that natural rubber latex was not used (GUDID).",
    )
    udi_mri_safety = fields.Selection(MRI_SAFETY, string="MRI safety")
    udi_fda_use = fields.Selection(
        [
            ("rx", "Prescription (Rx)"),
            ("otc", "Over the counter (OTC)"),
            ("rx_otc", "Rx and OTC"),
        ],
        string="FDA use",
    )
    udi_sterilization_method = fields.Char(
        string="Sterilisation method",
        help="Required when the device is sterilised before use.",
    )
    udi_labeler_duns = fields.Char(
        string="Labeler DUNS", help="D-U-N-S number (9 digits) of the labeler in GUDID."
    )
    udi_fda_product_code = fields.Char(
        string="FDA product code", help="Three-letter FDA product code, e.g. FOZ."
    )
    udi_fda_premarket_number = fields.Char(
        string="FDA premarket submission",
        help="510(k), PMA or De Novo number. Leave empty for class I devices exempt "
        "from "
        "premarket notification.",
    )
    udi_nmpa_category_code = fields.Char(
        string="NMPA classification code",
        help="Code of the medical device classification catalogue (分类编码), e.g. 14-01-02.",
    )
    udi_is_ivd = fields.Boolean(
        string="In vitro diagnostic reagent",
        help="NMPA 器械类别: 体外诊断试剂 instead of 器械.",
    )
    udi_nhsa_code = fields.Char(
        string="NHSA consumables code",
        help="National Healthcare Security Administration medical consumables code "
        "(医保耗材分类编码), "
        "required for devices listed in the NHSA database.",
    )
    udi_nmpa_publish_date = fields.Date(
        string="NMPA publication date",
        help="Date the DI record is published in the NMPA UDI database "
        "(产品标识发布日期). "
        "Locked once published.",
    )
    udi_gudid_publish_date = fields.Date(
        string="GUDID publish date", help="DI record publish date in GUDID."
    )
    udi_distribution_end_date = fields.Date(
        string="End of distribution",
        help="Last day the device is offered for sale (GUDID commercial distribution "
        "end date, "
        "NMPA 退市日期). After it the device is reported as not in commercial "
        "distribution.",
    )

    # EU MDR / EUDAMED (Regulation (EU) 2017/745 Annex VI Part A 2 and Part B; EUDAMED data
    # dictionary "UDI Devices", field ids FLD-UDID-*; see readme/DI_EXPORT.md)
    udi_emdn_code = fields.Char(
        string="EMDN code",
        help="Code of the European Medical Device Nomenclature (MDR Art. 26, Annex VI Part B "
        "1.5; EUDAMED 'Nomenclature code', FLD-UDID-149), e.g. C0104 or P020103.",
    )
    udi_eu_manufacturer_srn = fields.Char(
        string="Manufacturer SRN",
        help="Single Registration Number EUDAMED gave the manufacturer (MDR Art. 31; EUDAMED "
        "FLD-UDID-10), e.g. DE-MF-000012345.",
    )
    udi_eu_ar_srn = fields.Char(
        string="Authorised representative SRN",
        help="SRN of the EU authorised representative, required when the manufacturer is not "
        "established in the Union (MDR Art. 11; EUDAMED FLD-UDID-15), e.g. DE-AR-000012345.",
    )
    udi_eu_active = fields.Boolean(
        string="Active device",
        help="Depends on a source of energy other than gravity or the human body (MDR Art. 2(4); "
        "EUDAMED Basic UDI-DI 'Active device').",
    )
    udi_eu_measuring_function = fields.Boolean(
        string="Measuring function",
        help="The device has a measuring function (MDR Annex VI Part A 2.4; EUDAMED Basic UDI-DI "
        "'Measuring function').",
    )
    udi_eu_administering_medicine = fields.Boolean(
        string="Administers or removes medicinal products",
        help="Intended to administer and/or remove a medicinal product (MDR Annex VIII rule 12; "
        "EUDAMED Basic UDI-DI).",
    )
    udi_eu_reusable_instrument = fields.Boolean(
        string="Reusable surgical instrument",
        help="Class I reusable surgical instrument (MDR Art. 52(7)(c); EUDAMED Basic UDI-DI "
        "'Reusable surgical instrument').",
    )
    udi_eu_animal_tissues = fields.Boolean(
        string="Contains animal tissues or cells",
        help="Presence of tissues or cells of animal origin or their derivatives (MDR Annex VI "
        "Part A 2.5; EUDAMED FLD-UDID-18).",
    )
    udi_eu_human_tissues = fields.Boolean(
        string="Contains human tissues or cells",
        help="Presence of tissues or cells of human origin or their derivatives (MDR Annex VI "
        "Part A 2.5; EUDAMED FLD-UDID-23).",
    )
    udi_eu_medicinal_product = fields.Boolean(
        string="Incorporates a medicinal substance",
        help="Incorporates as an integral part a substance that would be a medicinal product "
        "(MDR Art. 1(8); EUDAMED Basic UDI-DI 'medicinal product check').",
    )
    udi_eu_human_product = fields.Boolean(
        string="Incorporates a human blood or plasma derivative",
        help="Incorporates a substance derived from human blood or plasma (MDR Art. 1(8); "
        "EUDAMED Basic UDI-DI 'human product check').",
    )
    udi_eu_reprocessed = fields.Boolean(
        string="Reprocessed single-use device",
        help="A single-use device that was reprocessed (MDR Art. 17, Annex VI Part B 2.4; "
        "EUDAMED UDI-DI 'Reprocessed').",
    )

    _udi_device_count_positive = models.Constraint(
        "CHECK(udi_device_count IS NULL OR udi_device_count >= 1)",
        "A base unit holds at least one device.",
    )

    @api.constrains("udi_labeler_duns")
    def _check_udi_labeler_duns(self):
        for template in self.filtered("udi_labeler_duns"):
            duns = template.udi_labeler_duns
            if not (duns.isdigit() and len(duns) == 9):
                raise ValidationError(
                    self.env._(
                        "%(device)s: the labeler DUNS number %(duns)s must have 9 digits.",
                        device=template.display_name,
                        duns=duns,
                    )
                )

    @api.constrains("udi_eu_manufacturer_srn", "udi_eu_ar_srn", "udi_emdn_code")
    def _check_udi_eudamed_codes(self):
        for template in self:
            for key, pattern, example in eudamed_xml.FORMAT_CHECKS:
                field = f"udi_{key}"
                value = template[field]
                if value and not pattern.match(value):
                    raise ValidationError(
                        self.env._(
                            "%(device)s: %(field)s %(value)s is not in the form EUDAMED "
                            "accepts, e.g. %(example)s.",
                            device=template.display_name,
                            field=template._fields[field].get_description(self.env)["string"],
                            value=value,
                            example=example,
                        )
                    )

    def _udi_db_export_records(self):
        """One plain dict per active base-unit DI of these devices, in the shape
        ``lib.di_export`` reads (see its module docstring)."""
        records = []
        for template in self:
            company = template.company_id or self.env.company
            bases = template.udi_di_ids.filtered(lambda d: d.packaging_level == "base")
            if not bases:
                records.append(template._udi_db_export_values(company, False))
            for base in bases:
                records.append(template._udi_db_export_values(company, base))
        return records

    def _udi_db_export_values(self, company, base):
        self.ensure_one()
        dis = self.udi_di_ids
        unit_of_use = dis.filtered(
            lambda d: (
                d.packaging_level == "unit_of_use"
                and (not base or not d.product_id or d.product_id == base.product_id)
            )
        )[:1]
        return {
            "key": self.id,
            "ref": self.display_name,
            "primary_di": base.di if base else None,
            "issuing_agency": _none(base.issuing_agency if base else self.udi_issuing_agency),
            "agency_name": _none(base.other_agency_name if base else None),
            "device_count": self.udi_device_count,
            "unit_of_use_di": _none(unit_of_use.di),
            "packages": self._udi_db_packages(base) if base else [],
            "name": _none(self.name),
            "brand": _none(self.udi_brand),
            "model": _none(self.udi_model),
            "catalog_number": _none(self.default_code),
            "description": _none(self.udi_description),
            "registration_number": _none(self.udi_registration_number),
            "nmpa_class": _none(self.udi_nmpa_class),
            "nmpa_category_code": _none(self.udi_nmpa_category_code),
            "is_ivd": self.udi_is_ivd,
            "nhsa_code": _none(self.udi_nhsa_code),
            "nmpa_publish_date": _none(self.udi_nmpa_publish_date),
            "gudid_publish_date": _none(self.udi_gudid_publish_date),
            "distribution_end_date": _none(self.udi_distribution_end_date),
            "registrant_name": _none(company.name),
            "registrant_uscc": _none(company.vat or company.company_registry),
            "contact_phone": _none(company.phone),
            "contact_email": _none(company.email),
            "labeler_duns": _none(self.udi_labeler_duns),
            "fda_class": _none(self.udi_fda_class),
            "fda_product_code": _none(self.udi_fda_product_code),
            "fda_premarket_number": _none(self.udi_fda_premarket_number),
            "gmdn_code": _none(self.udi_gmdn_code),
            "fda_use": _none(self.udi_fda_use),
            "mri_safety": _none(self.udi_mri_safety),
            "kit": self.udi_kit,
            "combination_product": self.udi_combination_product,
            "implantable": self.udi_implantable,
            "single_use": self.udi_single_use,
            "sterile": self.udi_sterile,
            "sterilize_before_use": self.udi_sterilize_before_use,
            "sterilization_method": _none(self.udi_sterilization_method),
            "contains_latex": self.udi_contains_latex,
            "labeled_no_latex": self.udi_labeled_no_latex,
            "direct_marking": self.udi_direct_marking,
            "pi_lot": self.udi_pi_lot,
            "pi_serial": self.udi_pi_serial,
            "pi_manufacture_date": self.udi_pi_manufacture_date,
            "pi_expiry": self.udi_pi_expiry,
            "basic_udi_di": _none(self.udi_basic_di),
            "eu_risk_class": EU_RISK_CLASSES.get(self.udi_eu_class),
            "emdn_code": _none(self.udi_emdn_code),
            "eu_manufacturer_srn": _none(self.udi_eu_manufacturer_srn),
            "eu_ar_srn": _none(self.udi_eu_ar_srn),
            "eu_active": self.udi_eu_active,
            "eu_measuring_function": self.udi_eu_measuring_function,
            "eu_administering_medicine": self.udi_eu_administering_medicine,
            "eu_reusable_instrument": self.udi_eu_reusable_instrument,
            "eu_animal_tissues": self.udi_eu_animal_tissues,
            "eu_human_tissues": self.udi_eu_human_tissues,
            "eu_medicinal_product": self.udi_eu_medicinal_product,
            "eu_human_product": self.udi_eu_human_product,
            "eu_reprocessed": self.udi_eu_reprocessed,
        }

    def _udi_db_packages(self, base):
        """Higher packaging levels built on ``base``, each with its depth above
        the base unit."""
        packages, depth = [], 0
        levels = self.udi_di_ids.filtered(lambda d: d.packaging_level == "package")
        frontier = base
        while frontier:
            depth += 1
            outer = levels.filtered(lambda d, inner=frontier: d.contained_di_id in inner)
            packages += [
                {
                    "di": d.di,
                    "contains_di": d.contained_di_id.di,
                    "quantity": d.contained_qty,
                    "depth": depth,
                }
                for d in outer
            ]
            levels -= outer
            frontier = outer
        return packages
