"""The suite's reports and bound actions as the web client runs them, as a role that sees
them."""

import json
from urllib.parse import quote

from odoo.tests import tagged

from .common import ROLES, SUITE, RpcError, UserPathCommon
from .paths_vigilance_documents import VigilanceDocumentPaths


@tagged("post_install", "-at_install")
class TestReportsAndServerActions(VigilanceDocumentPaths, UserPathCommon):
    def _suite_records(self, model_name):
        return self.env["ir.model.data"].search(
            [("module", "in", SUITE), ("model", "=", model_name)]
        )

    def _roles_for(self, action):
        """The roles that see an action (its groups) and read its model."""
        model = action.binding_model_id.model or action.model
        roles = []
        for login in ROLES:
            user = self.users[login]
            if action.group_ids and not (action.group_ids & user.all_group_ids):
                continue
            if self.env[model].with_user(user).has_access("read"):
                roles.append(login)
        return roles

    def _record_for(self, model):
        fixtures = {
            "recall.notice": self.notice_a,
            "recall.campaign": self.campaign,
            "stock.lot": self.lot,
        }
        if model in fixtures:
            return fixtures[model]
        # a record the test prepares (``_report_record_<model>`` of a base), else any
        prepare = getattr(self, f"_report_record_{model.replace('.', '_')}", None)
        return prepare() if prepare else self.env[model].search([], limit=1)

    def _report_record_product_template(self):
        """Product reports: the implant tracking report prints for tracked devices only."""
        return self.env["product.template"].create(
            {
                "name": "Tracked pacemaker DR-300",
                "is_storable": True,
                "tracking": "serial",
                "implant_tracked": True,
            }
        )

    @staticmethod
    def _printed_name(record):
        """What the document names the record by: its name, else its display name."""
        name = record["name"] if "name" in record._fields else False
        return name if name and isinstance(name, str) else record.display_name

    def test_every_report_prints_for_a_role_that_sees_it(self):
        data = self._suite_records("ir.actions.report")
        reports = self.env["ir.actions.report"].browse(data.mapped("res_id"))
        self.assertGreaterEqual(len(reports), 6)
        failures = []
        for report, login in [(r, login) for r in reports for login in self._roles_for(r)]:
            self.login(login)
            record = self._record_for(report.model)
            url = f"/report/html/{report.report_name}/{record.id}"
            if report.model == "stock.lot":
                # the label wizard's path: its report action carries the options
                options = {"lot_ids": record.ids, "copies": 1}
                url += "?options=" + quote(json.dumps(options))
            response = self.url_open(url, timeout=120)
            if response.status_code != 200:
                failures.append(f"{login}: {url}: HTTP {response.status_code}")
            elif not record:
                failures.append(f"{login}: {url}: no {report.model} record to print")
            elif self._printed_name(record) not in response.text:
                name = self._printed_name(record)
                failures.append(f"{login}: {url}: the document does not name {name}")
        printed = {report for report in reports if self._roles_for(report)}
        self.assertEqual(printed, set(reports), "every report is printed by some role")
        self.assertFalse(failures, "\n".join(failures))

    def test_every_bound_action_runs_for_a_role_in_its_groups(self):
        data = self._suite_records("ir.actions.server") | self._suite_records(
            "ir.actions.act_window"
        )
        failures, ran = [], 0
        for model_name in ("ir.actions.server", "ir.actions.act_window"):
            actions = (
                self.env[model_name]
                .browse(data.filtered(lambda d, m=model_name: d.model == m).mapped("res_id"))
                .filtered("binding_model_id")
            )
            for action in actions:
                roles = self._roles_for(action)
                if not roles:
                    failures.append(f"{action.name}: no role sees it")
                for login in roles:
                    failures += self._run_bound(model_name, action, login)
                    ran += 1
        self.assertGreaterEqual(ran, 8)
        self.assertFalse(failures, "\n".join(failures))

    def _run_bound(self, model_name, action, login):
        """Run a bound action from the action menu of a record, as the web client does; the
        failures, if any."""
        user = self.login(login)
        where = f"{login}: {action.name}"
        model = action.binding_model_id.model
        bindings = self.env["ir.actions.actions"].with_user(user).get_bindings(model)
        if action.id not in [b["id"] for kind in bindings.values() for b in kind]:
            return [f"{where} is not in the action menu"]
        record = self._record_for(model)
        context = {"active_model": model, "active_ids": record.ids, "active_id": record.id}
        try:
            if model_name == "ir.actions.server":
                result = self.rpc("/web/action/run", {"action_id": action.id, "context": context})
                if result and not result.get("type"):
                    return [f"{where} returned {result!r}"]
                return []
            result = self.rpc("/web/action/load", {"action_id": action.id, "context": context})
            if not result:
                return [f"{where} loads nothing"]
            # a wizard opens on a new record, with the selection in its context
            views = self.get_views(result["res_model"], result["views"], context)
            fields = self.model_fields(views, result["res_model"])
            spec = self.specification(views["views"]["form"]["arch"], fields)
            self.call_kw(result["res_model"], "onchange", [[], {}, [], spec], {"context": context})
        except RpcError as error:
            return [f"{where}: {error}"]
        return []
