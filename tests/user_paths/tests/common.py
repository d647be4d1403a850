"""The roles of the suite and the web client's own requests, for the user path tests."""

from lxml import etree

from odoo.tests import new_test_user
from odoo.tools.safe_eval import safe_eval

from odoo.addons.partner_portal.tests.common import PortalCommon
from odoo.addons.udi_inspection.tests.common import InspectionCommon, gs1

#: the addons of the suite: their views, menus, reports and server actions are crawled
SUITE = (
    "udi_master",
    "audit_seal",
    "trace_events",
    "recall_mgmt",
    "partner_portal",
    "udi_change_control",
    "udi_inspection",
    "udi_self_assessment",
    "quality_capa",
    "vigilance_mgmt",
    "recall_documents",
    "implant_registry",
)

#: the apps of the suite (root menus)
ROOT_MENUS = ("udi_master.menu_traceability_root", "audit_seal.audit_seal_menu_root")

#: the internal roles: login -> password
ROLES = {
    "recall_qm": "qm-password",  # PortalCommon's quality manager (trace manager, stock manager)
    "path_clerk": "clerk-password",
    "path_sealer": "sealer-password",
    "path_inspector": "inspector-password",
}


class RpcError(Exception):
    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name


class UserPathCommon(PortalCommon):
    """PortalCommon's two distributors with a sent notice, plus the suite's internal roles:
    the quality manager (``recall_qm``, as the demo's ``qm``: a Traceability Manager, hence an
    Inspector), a warehouse clerk (as the demo's ``clerk``), an Audit Seal manager with nothing
    else and an incoming inspector (Inventory user and Inspector); a complaint ticket (the
    traceability groups imply the helpdesk user group), a purchase received into the main
    warehouse's inspection stage (two lots, labels scanned) and a self-assessment run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.qm = cls.manager
        cls.path_clerk = new_test_user(
            cls.env,
            "path_clerk",
            password="clerk-password",
            name="Wang Wei",
            groups="base.group_user,udi_master.group_trace_user,stock.group_stock_user",
        )
        cls.sealer = new_test_user(
            cls.env,
            "path_sealer",
            password="sealer-password",
            name="Chen Jing",
            groups="base.group_user,audit_seal.group_seal_manager",
        )
        cls.inspector = new_test_user(
            cls.env,
            "path_inspector",
            password="inspector-password",
            name="Zhao Lei",
            groups="base.group_user,stock.group_stock_user,udi_inspection.group_udi_inspector",
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Catheter hub cracked at 320 psi",
                "description": "<p>Reported by Ruijin Hospital.</p>",
                "partner_id": cls.hospital.id,
                "user_id": cls.qm.id,
            }
        )
        # every list of the apps shows something: an answer recorded by staff, the ledger
        # sealed (as at commit) and verified once
        action = cls.notice_b.with_user(cls.manager).action_record_response()
        wizard = cls.env["recall.response.wizard"].with_user(cls.manager).browse(action["res_id"])
        wizard.acknowledge = True
        wizard.with_context(signature_password="qm-password").action_record()
        cls._setup_inspection()
        cls.receipt, cls.inspections = cls._receive_inspected(["UP-IQC-A", "UP-IQC-B"])
        cls.compliance_run = cls.env["udi.compliance.run"]._compliance_execute(cls.env.company)
        cls.env["audit.seal.entry"]._seal_run_pending()
        cls.env["audit.seal.verification"].sudo()._seal_run("manual")
        cls.users = {
            "recall_qm": cls.qm,
            "path_clerk": cls.path_clerk,
            "path_sealer": cls.sealer,
            "path_inspector": cls.inspector,
        }

    @classmethod
    def _setup_inspection(cls):
        """As InspectionCommon: the main warehouse inspects receipts, the supplier is licensed,
        the catheter registered."""
        cls.warehouse.udi_incoming_inspection = True
        cls.supplier.write(
            {
                "udi_licence_number": "粤食药监械经营许20180123号",
                "udi_licence_expiry": cls._date(400),
            }
        )
        cls.catheter.write(
            {
                "udi_registration_number": "国械注准20213030123",
                "udi_registration_expiry": cls._date(900),
            }
        )

    @classmethod
    def _receive_inspected(cls, lots, quantity=10):
        """A purchase of catheters received with one scanned label per lot of ``lots``
        (InspectionCommon's helpers); the receipt and its pending inspections."""
        expiry = cls._date(700)
        receipt = InspectionCommon._purchase.__func__(
            cls, [(cls.catheter_variant, quantity * len(lots))]
        )
        scans = [(gs1(cls.catheter.udi_primary_di, expiry, lot=lot), quantity) for lot in lots]
        InspectionCommon._receive_scanned.__func__(cls, receipt, scans)
        return receipt, cls.env["udi.inspection"].search([("picking_id", "=", receipt.id)])

    # ------------------------------------------------------------------ web client requests

    def login(self, login):
        self.authenticate(login, ROLES[login])
        return self.users[login]

    def rpc(self, route, params, timeout=120):
        """A JSON-RPC request of the web client; an error raises RpcError with the server's
        exception name and message."""
        response = self.opener.post(
            self.base_url() + route,
            json={"id": 0, "jsonrpc": "2.0", "method": "call", "params": params},
            timeout=timeout,
        )
        response.raise_for_status()
        answer = response.json()
        if "error" in answer:
            data = answer["error"].get("data") or {}
            raise RpcError(data.get("name"), data.get("message") or answer["error"])
        return answer.get("result")

    def call_kw(self, model, method, args, kwargs=None):
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def call_button(self, model, method, ids, context=None):
        return self.rpc(
            f"/web/dataset/call_button/{model}/{method}",
            {"model": model, "method": method, "args": [ids], "kwargs": {"context": context or {}}},
        )

    def get_views(self, model, views, context=None):
        return self.call_kw(
            model,
            "get_views",
            [],
            {
                "views": views,
                "options": {"action_id": False, "load_filters": True, "toolbar": True},
                "context": context or {},
            },
        )

    @staticmethod
    def model_fields(views_result, model):
        fields = views_result["models"][model]
        return fields.get("fields", fields)

    @staticmethod
    def specification(arch, fields):
        """The fields of an arch's own level (not those of its sub-views), as the web client
        asks for them."""
        root = etree.fromstring(arch)
        spec = {"display_name": {}} if root.tag == "form" else {}
        for node in root.iter("field"):
            if any(
                parent.tag in ("list", "form", "kanban")
                for parent in node.iterancestors()
                if parent is not root
            ):
                continue
            name = node.get("name")
            info = fields.get(name)
            if not info:
                continue
            if info["type"] in ("many2one", "one2many", "many2many"):
                spec[name] = {"fields": {"display_name": {}}}
            else:
                spec[name] = {}
        return spec

    def eval_attr(self, value, user, default):
        """An action's domain or context, evaluated as the web client does (best effort)."""
        if not value or not isinstance(value, str):
            return value or default
        try:
            return safe_eval(
                value,
                {
                    "uid": user.id,
                    "context": {},
                    "active_id": False,
                    "active_ids": [],
                    "allowed_company_ids": user.company_ids.ids,
                    "current_company_id": user.company_id.id,
                },
            )
        except Exception:  # noqa: BLE001 - a domain that needs the client's evaluation
            return default
