import datetime
import json

from odoo.tests import HttpCase, new_test_user

from odoo.addons.trace_events.tests.common import TraceCommon
from odoo.addons.udi_master.tests.json2 import api_key, post_json2

QM_PASSWORD = "cc-qm-password-1"


class ChangeControlCommon(TraceCommon):
    """TraceCommon's catheter (base DI 06901234567892) and pacemaker, a quality manager who signs
    (Traceability manager), a warehouse clerk, and the block on shipping unpublished DIs on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            "cc_qm",
            password=QM_PASSWORD,
            name="Li Na",
            groups="base.group_user,udi_master.group_trace_manager,stock.group_stock_manager,"
            "product.group_product_manager",
        )
        cls.clerk = new_test_user(
            cls.env,
            "cc_clerk",
            password="cc-clerk-password-1",
            name="Wang Tao",
            groups="base.group_user,stock.group_stock_user,udi_master.group_trace_user",
        )
        cls.company.udi_block_unpublished_shipping = True
        cls.catheter.company_id = cls.company
        cls.catheter.write({"udi_brand": "VenaLine", "udi_model": "7Fr 20 cm, triple lumen"})
        cls.base_di = cls.catheter.udi_di_ids.filtered(lambda d: d.packaging_level == "base")
        cls.china = cls.env.ref("base.cn")
        cls.usa = cls.env.ref("base.us")
        cls.hospital.write({"country_id": cls.china.id, **cls._licence("PDY00001")})
        cls.us_clinic = cls._consignee("Boston Heart Clinic", cls.usa)

    @classmethod
    def _licence(cls, number):
        return {"udi_licence_number": number, "udi_licence_expiry": cls._date(700)}

    @classmethod
    def _consignee(cls, name, country):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "country_id": country.id,
                "udi_role_ids": [(6, 0, cls.env.ref("udi_master.partner_role_healthcare").ids)],
                **cls._licence(f"LIC-{name[:6]}"),
            }
        )

    @classmethod
    def _approve(cls, di, password=QM_PASSWORD):
        di.with_user(cls.manager).action_submit_review()
        action = di.with_user(cls.manager).action_approve()
        wizard = cls.env["udi.di.sign.wizard"].with_user(cls.manager).browse(action["res_id"])
        return wizard.with_context(signature_password=password).action_sign()

    @classmethod
    def _publish(cls, di, database, day=None):
        action = di.with_user(cls.manager).action_publish()
        wizard = cls.env["udi.di.publish.wizard"].with_user(cls.manager).browse(action["res_id"])
        wizard.write({"database": database, "publish_date": day or datetime.date(2025, 3, 3)})
        wizard.action_publish()

    @classmethod
    def _seal(cls):
        cls.env["audit.seal.entry"]._seal_run_pending()


class ChangeControlHttpCommon(ChangeControlCommon, HttpCase):
    """The web client's and the integrators' paths."""

    def _json2(self, user, model, method, body):
        key = api_key(self.env, user)
        return post_json2(self, f"/json/2/{model}/{method}", body, key)

    def _jsonrpc(self, login, password, route, params):
        """JSON-RPC as the web client, logged in as ``login``: (result, error message)."""
        self.authenticate(login, password)
        response = self.opener.post(
            f"{self.base_url()}{route}",
            json={"id": 0, "jsonrpc": "2.0", "method": "call", "params": params},
        )
        data = response.json()
        error = data.get("error")
        return data.get("result"), error and error["data"]["message"]

    def _call_button(self, login, password, model, method, ids, context=None):
        return self._jsonrpc(
            login,
            password,
            f"/web/dataset/call_button/{model}/{method}",
            {"model": model, "method": method, "args": [ids], "kwargs": {"context": context or {}}},
        )

    def _web_save(self, login, password, model, record_id, vals):
        """What the form's Save does."""
        return self._jsonrpc(
            login,
            password,
            f"/web/dataset/call_kw/{model}/web_save",
            {
                "model": model,
                "method": "web_save",
                "args": [[record_id], vals],
                "kwargs": {"context": {}, "specification": {name: {} for name in vals}},
            },
        )

    @staticmethod
    def _body(response):
        return json.loads(response.text)
