"""The versioned API contract (``docs/api/contract.json``) against the running server.

An integrator reads the contract to know what it may call; this test keeps it true: every listed
method exists on the server, is public, takes the listed parameters, and answers over JSON-2
with a real API key of a user with the listed role; every listed EPCIS operation answers (not
404). A method removed, or its parameters changed, fails here with a message saying so; and
changing the contract's entries without giving it a new version (with its line in
``docs/api/CHANGELOG.md``) fails too.
"""

import hashlib
import inspect
import json
import re
from pathlib import Path

from odoo.service.model import get_public_method
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.udi_master.tests.json2 import api_key, post_json2

ROOT = Path(__file__).resolve().parents[3]
CONTRACT = ROOT / "docs" / "api" / "contract.json"
CHANGELOG = ROOT / "docs" / "api" / "CHANGELOG.md"
#: the lines of the CHANGELOG that name a version and the fingerprint of its entries
VERSION_LINE = re.compile(
    r"^## (\S+)[^\n]*\n(?:(?!## )[^\n]*\n)*?fingerprint: `([0-9a-f]{64})`", re.M
)
#: errors of Odoo's JSON-2 dispatcher itself (no such model or method, arguments that do not
#: bind to the method's signature), as opposed to errors raised by the method
DISPATCHER_ERRORS = ("werkzeug.exceptions.NotFound", "werkzeug.exceptions.UnprocessableEntity")


def contract_fingerprint(contract):
    """SHA-256 of what the contract promises (methods, their parameters and roles, EPCIS
    operations), leaving out the test probes and the prose."""
    promised = {
        "methods": [
            [m["model"], m["method"], m["params"], m["records"], sorted(m["role"])]
            for m in contract["methods"]
        ],
        "epcis": [
            contract["epcis"]["openapi_version"],
            contract["epcis"]["base_path"],
            [[op["method"], op["path"]] for op in contract["epcis"]["operations"]],
        ],
    }
    text = json.dumps(promised, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def server_parameters(method):
    """[{"name", "required"}] of a model method's parameters, as JSON-2 binds them by name."""
    params = []
    for param in list(inspect.signature(method).parameters.values())[1:]:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        params.append({"name": param.name, "required": param.default is param.empty})
    return params


@tagged("post_install", "-at_install")
class TestApiContract(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = json.loads(CONTRACT.read_text())
        cls.version = cls.contract["version"]
        installed = cls.env["ir.module.module"].search([("state", "=", "installed")])
        cls.installed = set(installed.mapped("name"))

    def _entries(self):
        """The contract's methods of the addons installed here (every addon in the full run)."""
        return [m for m in self.contract["methods"] if m["addon"] in self.installed]

    def _fail_contract(self, problems):
        self.fail(
            f"The server no longer matches API contract {self.version} (docs/api/contract.json):\n"
            + "\n".join(f"- {problem}" for problem in problems)
            + "\nA removed method or changed parameters breaks integrators: give the contract a "
            "new version, update its entries, and say what changed in docs/api/CHANGELOG.md."
        )

    def test_contract_changes_come_with_a_new_version(self):
        versions = dict(VERSION_LINE.findall(CHANGELOG.read_text()))
        fingerprint = contract_fingerprint(self.contract)
        self.assertIn(
            self.version,
            versions,
            f"docs/api/CHANGELOG.md has no section for contract version {self.version} with its "
            f"fingerprint (`{fingerprint}`).",
        )
        self.assertEqual(
            versions[self.version],
            fingerprint,
            f"The contract's methods or operations changed but its version ({self.version}) did "
            "not: an integrator cannot tell what breaks when. Give docs/api/contract.json a new "
            "version and add its section to docs/api/CHANGELOG.md saying what changed, with "
            f"fingerprint: `{fingerprint}`.",
        )

    def test_every_listed_method_exists_and_takes_the_listed_parameters(self):
        problems = []
        for entry in self._entries():
            name = f"{entry['model']}.{entry['method']}"
            model = self.env.get(entry["model"])
            if model is None:
                problems.append(f"{name}: the model {entry['model']} no longer exists")
                continue
            try:
                method = get_public_method(model, entry["method"])
            except Exception as exc:  # noqa: BLE001 (AttributeError or AccessError: reported)
                problems.append(f"{name}: removed or no longer public ({exc})")
                continue
            params = server_parameters(method)
            if params != entry["params"]:
                problems.append(
                    f"{name}: parameters changed: the contract lists {entry['params']}, the "
                    f"server takes {params}"
                )
            on_records = not getattr(method, "_api_model", False)
            if on_records != entry["records"]:
                problems.append(
                    f"{name}: {'now' if on_records else 'no longer'} called on records (ids)"
                )
        if problems:
            self._fail_contract(problems)

    @mute_logger("odoo.http")
    def test_every_listed_method_answers_over_json2_to_its_role(self):
        problems = []
        for index, entry in enumerate(self._entries()):
            name = f"{entry['model']}.{entry['method']}"
            user = new_test_user(
                self.env,
                f"api_contract_{index}",
                groups=",".join(entry["role"]),
                company_id=self.env.company.id,
            )
            response = post_json2(
                self,
                f"/json/2/{entry['model']}/{entry['method']}",
                entry["probe"],
                api_key(self.env, user, "Contract"),
            )
            error = response.json() if response.status_code != 200 else {}
            if response.status_code not in entry["expect"] or (
                isinstance(error, dict) and error.get("name") in DISPATCHER_ERRORS
            ):
                problems.append(
                    f"{name} as {', '.join(entry['role'])}: HTTP {response.status_code} "
                    f"{error.get('name', '') if isinstance(error, dict) else ''} "
                    f"{(error.get('message', '') if isinstance(error, dict) else '')[:200]} "
                    f"(the contract expects {entry['expect']})"
                )
        if problems:
            self._fail_contract(problems)

    def test_every_listed_epcis_operation_answers(self):
        epcis = self.contract["epcis"]
        openapi = json.loads((CONTRACT.parent / epcis["openapi"]).read_text())
        self.assertEqual(openapi["info"]["version"], epcis["openapi_version"])
        problems = []
        for index, op in enumerate(epcis["operations"]):
            if op["path"] not in openapi["paths"]:
                problems.append(f"{op['method']} {op['path']}: not an operation of GS1's openapi")
                continue
            user = new_test_user(
                self.env, f"api_contract_epcis_{index}", groups=",".join(op["role"])
            )
            response = self.url_open(
                epcis["base_path"] + op["probe"],
                method=op["method"],
                headers={"Authorization": f"bearer {api_key(self.env, user, 'Contract')}"},
            )
            # the interface answers an unknown resource with a 404 of its own (GS1 headers and a
            # problem body); Odoo's 404 for a path nobody serves has neither
            served = "GS1-EPCIS-Version" in response.headers
            if response.status_code == 404 and not served:
                problems.append(f"{op['method']} {op['path']}: 404 (not served)")
        if problems:
            self._fail_contract(problems)
