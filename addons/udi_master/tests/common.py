import datetime

from odoo.tests import TransactionCase
from odoo.tools.misc import file_path
from odoo.tools.translate import PoFileReader, TranslationModuleReader


def catheter_vals(**overrides):
    """A sterile single-use catheter: lot-tracked, expiry and manufacture date on the label."""
    return {
        "name": "Central venous catheter 7Fr",
        "is_storable": True,
        "tracking": "lot",
        "use_expiration_date": True,
        "udi_regulated": True,
        "udi_pi_lot": True,
        "udi_pi_expiry": True,
        "udi_pi_manufacture_date": True,
        "udi_sterile": True,
        "udi_single_use": True,
        "udi_di_ids": [(0, 0, {"di": "06901234567892", "packaging_level": "base"})],
        **overrides,
    }


class UdiCommon(TransactionCase):
    """A sterile single-use catheter (lots with expiry) and an implant (serials)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.catheter = cls.env["product.template"].create(catheter_vals())
        cls.catheter_variant = cls.catheter.product_variant_id
        cls.implant = cls.env["product.template"].create({
            "name": "Dual-chamber pacemaker",
            "is_storable": True,
            "tracking": "serial",
            "udi_regulated": True,
            "udi_pi_serial": True,
            "udi_implantable": True,
            "udi_di_ids": [(0, 0, {"di": "06901234500011", "packaging_level": "base"})],
        })
        cls.stock_location = cls.env.ref("stock.stock_location_stock")
        cls.customer_location = cls.env.ref("stock.stock_location_customers")

    @classmethod
    def _lot(cls, product, name, expiry=None, manufactured=None):
        return cls.env["stock.lot"].create({
            "name": name,
            "product_id": product.id,
            "expiration_date": cls.env["stock.lot"]._udi_date_to_datetime(expiry),
            "udi_manufacture_date": manufactured,
        })

    @staticmethod
    def _date(days):
        return datetime.date.today() + datetime.timedelta(days=days)


def untranslated_terms(cr, module, lang="zh_CN"):
    """Terms Odoo extracts from ``module`` that its ``i18n/<lang>.po`` leaves untranslated."""
    terms = {
        source
        for term_module, _type, _name, _res_id, source, _value, _comments
        in TranslationModuleReader(cr, modules=[module])
        if term_module == module
    }
    with open(file_path(f"{module}/i18n/{lang}.po"), "rb") as po:
        translated = {entry["src"] for entry in PoFileReader(po) if entry["value"]}
    return sorted(terms - translated)
