"""Every menu of the suite's apps and every button of the suite's views, as each role reaches
them in the web client.

A new ``type="object"`` button in a view of the suite fails
``test_registry_covers_every_object_button`` until it is added to ``BUTTONS`` below with the
way to prepare its record and what it must answer; ``test_every_button_as_each_role_that_sees_it``
then clicks it as every role whose views show it.
"""

import base64
import logging

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.udi_change_control.tests.common import ChangeControlCommon
from odoo.addons.udi_master.tests.common import catheter_vals

from .common import ROLES, ROOT_MENUS, SUITE, RpcError, UserPathCommon
from .paths_capa_implant import CAPA_IMPLANT_BUTTONS, CapaImplantPaths
from .paths_vigilance_documents import VIGILANCE_DOCUMENT_BUTTONS, VigilanceDocumentPaths
from .paths_webhooks import WEBHOOK_BUTTONS, WebhookPaths

PASSWORD = "signature_password"
ACTION, DONE = "action", "done"
USER_ERROR = "odoo.exceptions.UserError"
MANAGER = "udi_master.group_trace_manager"
INSPECTOR = "udi_inspection.group_udi_inspector"

#: (model, method) -> (preparation method of the test case, expected outcome, required group).
#: The preparation gets the role's user and returns (records, context) or (records, context,
#: check), ``check`` a callable run after the call; the outcome is ACTION (an action dict),
#: DONE (no error) or an exception class name. A required group: the button is only reached
#: through a button of that group (a wizard opened by a manager's button), others are skipped.
BUTTONS = {
    # recall.campaign: workflow (manager buttons), each on a campaign in the state it needs
    ("recall.campaign", "action_analyze_impact"): ("_prep_draft_campaign", DONE, None),
    ("recall.campaign", "action_approve"): ("_prep_analysed_campaign", ACTION, None),
    ("recall.campaign", "action_notify"): ("_prep_approved_campaign", DONE, None),
    ("recall.campaign", "action_start_follow_up"): ("_prep_notified_campaign", DONE, None),
    ("recall.campaign", "action_start_effectiveness"): ("_prep_follow_up_campaign", DONE, None),
    ("recall.campaign", "action_close"): ("_prep_verified_campaign", ACTION, None),
    ("recall.campaign", "action_terminate"): ("_prep_sent_campaign", ACTION, None),
    # recall.campaign: smart buttons and reports, on the sent campaign
    ("recall.campaign", "action_open_lines"): ("_prep_sent_campaign", ACTION, None),
    ("recall.campaign", "action_open_notices"): ("_prep_sent_campaign", ACTION, None),
    ("recall.campaign", "action_open_overdue_notices"): ("_prep_sent_campaign", ACTION, None),
    ("recall.campaign", "action_open_overdue_deadlines"): ("_prep_sent_campaign", ACTION, None),
    ("recall.campaign", "action_open_deadlines"): ("_prep_sent_campaign", ACTION, None),
    ("recall.campaign", "action_open_quarantine"): ("_prep_sent_campaign", ACTION, None),
    ("recall.campaign", "action_open_responses"): ("_prep_sent_campaign", ACTION, None),
    ("recall.campaign", "action_open_undelivered"): ("_prep_sent_campaign", ACTION, None),
    ("recall.campaign", "action_print_report_nmpa"): ("_prep_sent_campaign", ACTION, None),
    ("recall.campaign", "action_print_report_fda806"): ("_prep_sent_campaign", ACTION, None),
    ("recall.campaign", "action_print_report_eu_fsn"): ("_prep_sent_campaign", ACTION, None),
    ("recall.campaign", "action_download_xlsx_nmpa"): ("_prep_sent_campaign", ACTION, None),
    ("recall.campaign", "action_download_xlsx_fda806"): ("_prep_sent_campaign", ACTION, None),
    ("recall.campaign", "action_download_xlsx_eu_fsn"): ("_prep_sent_campaign", ACTION, None),
    ("recall.campaign.deadline", "action_mark_done"): ("_prep_open_deadline", DONE, None),
    ("recall.quarantine", "action_release"): ("_prep_blocked_quarantine", ACTION, None),
    ("recall.reason.wizard", "action_confirm"): ("_prep_release_wizard", DONE, MANAGER),
    ("recall.sign.wizard", "action_sign"): ("_prep_sign_wizard", DONE, MANAGER),
    ("recall.response.wizard", "action_record"): ("_prep_response_wizard", DONE, MANAGER),
    # recall.notice
    ("recall.notice", "action_record_response"): ("_prep_sent_notice", ACTION, None),
    # the sent notice reached its consignee: sending it again is refused, with the reason
    ("recall.notice", "action_send_again"): ("_prep_sent_notice", USER_ERROR, None),
    ("recall.notice", "action_create_return"): ("_prep_sent_notice", ACTION, None),
    ("recall.notice", "action_mark_verified"): ("_prep_notice_to_verify", DONE, None),
    ("recall.notice", "action_preview_portal"): ("_prep_sent_notice", ACTION, None),
    # lots and tickets
    ("stock.lot", "action_open_recalls"): ("_prep_lot", ACTION, None),
    ("stock.lot", "action_view_trace_events"): ("_prep_lot", ACTION, None),
    ("stock.lot", "action_open_trace_tree"): ("_prep_lot", ACTION, None),
    ("stock.lot", "action_view_trace_tickets"): ("_prep_lot", ACTION, None),
    ("helpdesk.ticket", "action_open_recall"): ("_prep_ticket", ACTION, None),
    ("helpdesk.ticket", "action_view_trace_events"): ("_prep_ticket", ACTION, None),
    # trace events and their wizards
    ("trace.event", "action_open_document"): ("_prep_event", ACTION, None),
    ("trace.event.line", "action_open_event"): ("_prep_event_line", ACTION, None),
    # a file that is not EPCIS is refused with the reason
    ("trace.epcis.import.wizard", "action_import"): ("_prep_epcis_wizard", USER_ERROR, None),
    ("trace.epcis.import.wizard", "action_view_events"): ("_prep_epcis_done", ACTION, None),
    ("trace.lot.wizard", "action_trace"): ("_prep_trace_wizard", ACTION, None),
    # the EPCIS inbox: a retry while the DI is still unknown keeps the entry waiting
    ("trace.event.inbox", "action_retry"): ("_prep_inbox_entry", DONE, None),
    ("trace.event.inbox", "action_open_stored_event"): ("_prep_stored_inbox_entry", ACTION, None),
    ("udi.di.export.wizard", "action_export"): ("_prep_di_export_wizard", ACTION, None),
    ("udi.label.wizard", "action_print"): ("_prep_label_wizard", ACTION, None),
    # the sealed ledger (list header buttons, called with no selection)
    ("audit.seal.entry", "action_verify_chain"): ("_prep_ledger", ACTION, None),
    ("audit.seal.entry", "action_export_chain"): ("_prep_ledger", ACTION, None),
    ("audit.seal.verification", "action_verify_chain"): ("_prep_ledger", ACTION, None),
    # udi_change_control: the DI life cycle (manager buttons), each on a new device's DI in
    # the state it needs, and its dialogs
    ("udi.di", "action_submit_review"): ("_prep_draft_di", DONE, None),
    ("udi.di", "action_approve"): ("_prep_review_di", ACTION, None),
    ("udi.di", "action_reset_draft"): ("_prep_review_di_to_reset", DONE, None),
    ("udi.di", "action_publish"): ("_prep_approved_di", ACTION, None),
    ("udi.di", "action_new_version"): ("_prep_approved_di", ACTION, None),
    ("udi.di", "action_discontinue"): ("_prep_approved_di_to_discontinue", DONE, None),
    ("udi.di", "action_open_submissions"): ("_prep_published_di", ACTION, None),
    ("udi.di.sign.wizard", "action_sign"): ("_prep_di_sign_wizard", DONE, MANAGER),
    ("udi.di.publish.wizard", "action_publish"): ("_prep_di_publish_wizard", DONE, MANAGER),
    ("udi.di.version.wizard", "action_create"): ("_prep_di_version_wizard", ACTION, MANAGER),
    # udi_inspection: the checks (clerks and inspectors), the decision (inspectors, signed)
    ("udi.inspection.check", "action_pass"): ("_prep_pending_check", DONE, None),
    ("udi.inspection.check", "action_fail"): ("_prep_pending_check", DONE, None),
    ("udi.inspection.check", "action_not_applicable"): ("_prep_pending_check", DONE, None),
    ("udi.inspection", "action_check_scan"): ("_prep_scanned_inspection", DONE, None),
    ("udi.inspection", "action_release"): ("_prep_checked_inspection", ACTION, None),
    # a failed check: the units are rejected (the release is refused)
    ("udi.inspection", "action_reject"): ("_prep_failed_inspection", ACTION, None),
    ("udi.inspection", "action_open_attachments"): ("_prep_inspection", ACTION, None),
    ("udi.inspection", "action_view_events"): ("_prep_inspection", ACTION, None),
    ("udi.inspection.sign.wizard", "action_sign"): (
        "_prep_inspection_sign_wizard",
        DONE,
        INSPECTOR,
    ),
    ("stock.picking", "action_view_udi_inspections"): ("_prep_inspected_receipt", ACTION, None),
    # udi_self_assessment: a run (managers, list headers called with no selection), its
    # results, findings and rules
    ("udi.compliance.run", "action_run_self_assessment"): ("_prep_no_run", ACTION, None),
    ("udi.compliance.run", "action_view_findings"): ("_prep_compliance_run", ACTION, None),
    ("udi.compliance.result", "action_run_self_assessment"): ("_prep_no_result", ACTION, None),
    ("udi.compliance.result", "action_view_findings"): ("_prep_compliance_result", ACTION, None),
    ("udi.compliance.result", "action_open_records"): ("_prep_compliance_result", ACTION, None),
    ("udi.compliance.result", "action_verify_findings"): ("_prep_compliance_result", ACTION, None),
    ("udi.compliance.finding", "action_open_record"): ("_prep_compliance_finding", ACTION, None),
    ("udi.compliance.rule", "action_view_results"): ("_prep_compliance_rule", ACTION, None),
}
BUTTONS.update(VIGILANCE_DOCUMENT_BUTTONS)

BUTTONS.update(CAPA_IMPLANT_BUTTONS)

BUTTONS.update(WEBHOOK_BUTTONS)

VIEW_TYPES = ("form", "list", "kanban")

_logger = logging.getLogger(__name__)


def walk_buttons(env, arch, model, types=("object", "action")):
    """(model, type, name) of every button of an arch, the model of a sub-view's buttons
    being the comodel of its field."""
    found = []

    def walk(node, model):
        for child in node:
            if not isinstance(child.tag, str):
                continue
            child_model = model
            if child.tag in VIEW_TYPES and node.tag == "field":
                field = env[model]._fields.get(node.get("name"))
                child_model = field.comodel_name if field is not None else model
            if child.tag == "button" and child.get("type") in types:
                found.append((child_model, child.get("type"), child.get("name")))
            walk(child, child_model)

    walk(etree.fromstring(arch) if isinstance(arch, str) else arch, model)
    return found


@tagged("post_install", "-at_install")
class TestMenusAndButtons(WebhookPaths, VigilanceDocumentPaths, CapaImplantPaths, UserPathCommon):
    opened_forms = 0

    # ------------------------------------------------------------------ the suite's views

    @classmethod
    def _suite_views(cls):
        """The suite's form/list/kanban views: {(model, primary view id, type)} and the
        {(view model, name)} of the buttons the suite's own view records declare."""
        data = cls.env["ir.model.data"].search(
            [("module", "in", SUITE), ("model", "=", "ir.ui.view")]
        )
        views = cls.env["ir.ui.view"].browse(data.mapped("res_id")).exists()
        primaries, names = set(), set()
        for view in views.filtered(lambda v: v.type in VIEW_TYPES):
            # keyed by the view's model: an inherited view's xpath may land in a sub-view
            for _model, _type, name in walk_buttons(cls.env, view.arch_db, view.model):
                names.add((view.model, name))
            root = view
            while root.mode != "primary" and root.inherit_id:
                root = root.inherit_id
            primaries.add((root.model, root.id, root.type))
        return primaries, names

    def _suite_buttons(self):
        """{(model, type, name)} of the suite's buttons in the complete views (all groups)."""
        primaries, names = self._suite_views()
        buttons = set()
        for model, view_id, _type in primaries:
            arch = self.env["ir.ui.view"].browse(view_id)._get_combined_arch()
            for button in walk_buttons(self.env, arch, model):
                if (model, button[2]) in names:
                    buttons.add(button)
        return primaries, buttons

    def _visible_buttons(self, login, primaries, suite_buttons):
        """The suite's buttons in the views the role loads (get_views drops other groups')."""
        user = self.users[login]
        visible = set()
        for model, view_id, view_type in sorted(primaries):
            if not self.env[model].with_user(user).has_access("read"):
                continue
            result = self.get_views(model, [[view_id, view_type]])
            arch = result["views"][view_type]["arch"]
            visible.update(b for b in walk_buttons(self.env, arch, model) if b in suite_buttons)
        return visible

    def test_registry_covers_every_object_button(self):
        """A new type="object" button of the suite's views needs an entry in BUTTONS."""
        _primaries, buttons = self._suite_buttons()
        declared = {(model, name) for model, kind, name in buttons if kind == "object"}
        self.assertGreater(len(declared), 40, "the crawl found the suite's buttons")
        missing = sorted(declared - set(BUTTONS))
        self.assertFalse(
            missing,
            "buttons without a user path test (add them to BUTTONS in "
            f"tests/user_paths/tests/test_menus_and_buttons.py): {missing}",
        )
        stale = sorted(set(BUTTONS) - declared)
        self.assertFalse(stale, f"BUTTONS lists buttons no view of the suite has: {stale}")

    def test_every_button_as_each_role_that_sees_it(self):
        primaries, suite_buttons = self._suite_buttons()
        failures, reached, seen, action_buttons = [], set(), {}, 0
        for login in ROLES:
            self.login(login)
            visible = seen[login] = self._visible_buttons(login, primaries, suite_buttons)
            called = []
            for model, kind, name in sorted(visible):
                if kind == "action":
                    action_buttons += 1
                    failures += self._check_action_button(login, model, name)
                    continue
                key = (model, name)
                if key not in BUTTONS:
                    continue  # the registry test lists it
                failure = self._check_button(login, model, name)
                if failure is not False:
                    reached.add(key)
                    called.append(f"{model}.{name}")
                if failure:
                    failures.append(failure)
            _logger.info("user paths: %s clicked %s buttons: %s", login, len(called), called)
        # the buttons of a group are not in the views of a role outside it
        approve = ("recall.campaign", "object", "action_approve")
        self.assertIn(approve, seen["recall_qm"])
        self.assertNotIn(approve, seen["path_clerk"])
        self.assertIn(("recall.campaign", "object", "action_open_notices"), seen["path_clerk"])
        # an inspector (and a manager, who is one) signs the decision; a clerk records checks
        release = ("udi.inspection", "object", "action_release")
        self.assertIn(release, seen["path_inspector"])
        self.assertIn(release, seen["recall_qm"])
        self.assertNotIn(release, seen["path_clerk"])
        self.assertIn(("udi.inspection.check", "object", "action_pass"), seen["path_clerk"])
        self.assertNotIn(("udi.di", "object", "action_approve"), seen["path_inspector"])
        self.assertEqual(
            {(model, name) for model, _kind, name in seen["path_sealer"]},
            {
                ("audit.seal.entry", "action_verify_chain"),
                ("audit.seal.entry", "action_export_chain"),
                ("audit.seal.verification", "action_verify_chain"),
            },
        )
        self.assertGreaterEqual(action_buttons, 2, "the notice's Preview button (two roles)")
        never = sorted(set(BUTTONS) - reached)
        self.assertFalse(never, f"buttons no role reached: {never}")
        self.assertFalse(failures, "\n".join(failures))

    def _check_action_button(self, login, model, action_id):
        try:
            action = self.rpc("/web/action/load", {"action_id": int(action_id)})
        except RpcError as error:
            return [f"{login}: action button {action_id} of {model}: {error}"]
        if not action or not action.get("type"):
            return [f"{login}: action button {action_id} of {model} loads nothing"]
        return []

    def _check_button(self, login, model, method):
        """None when the button answered as expected, False when the role does not take
        this path, else the failure."""
        prep_name, expected, group = BUTTONS[(model, method)]
        user = self.users[login]
        if group and not user.has_group(group):
            return False
        prepared = getattr(self, prep_name)(user)
        records, context = prepared[0], prepared[1]
        check = prepared[2] if len(prepared) > 2 else None
        where = f"{login}: {model}.{method} on {records.ids}"
        try:
            result = self.call_button(model, method, records.ids, context)
        except RpcError as error:
            if expected == error.name:
                return None
            return f"{where}: {error!r} (expected {expected})"
        if expected == ACTION and not (isinstance(result, dict) and result.get("type")):
            return f"{where}: returned {result!r}, expected an action"
        if expected not in (ACTION, DONE):
            return f"{where}: returned {result!r}, expected {expected}"
        if expected == ACTION:
            try:  # the web client opens the action it got, as the same user
                self._open_window(user, result)
            except (RpcError, AssertionError) as error:
                return f"{where}: opening the action it returned: {error!r}"
        if check:
            self.env.invalidate_all()
            try:
                check(result)
            except AssertionError as error:
                return f"{where}: {error}"
        return None

    # ------------------------------------------------------------------ preparations

    def _as(self, records, user):
        return records.with_user(user)

    def _prep_ledger(self, user):
        """No selection; the ledger holds this transaction's records, sealed as at commit."""
        self.env["audit.seal.entry"]._seal_run_pending()

        def check(result):
            if result.get("res_model") == "audit.seal.verification":
                run = self.env["audit.seal.verification"].browse(result["res_id"])
                self.assertEqual(run.state, "ok", run.reason)

        return self.env["audit.seal.entry"], {}, check

    def _prep_draft_campaign(self, user):
        campaign = self._campaign()

        def check(_result):
            self.assertEqual(campaign.state, "analysed")

        return campaign, {}, check

    def _prep_analysed_campaign(self, user):
        campaign = self._campaign()
        campaign.action_analyze_impact()
        return campaign, {}

    def _prep_approved_campaign(self, user):
        campaign = self._approved()

        def check(_result):
            self.assertEqual(campaign.state, "notified")

        return campaign, {}, check

    def _notified(self):
        campaign = self._approved()
        campaign.action_notify()
        return campaign

    def _prep_notified_campaign(self, user):
        campaign = self._notified()

        def check(_result):
            self.assertEqual(campaign.state, "in_progress")

        return campaign, {}, check

    def _prep_follow_up_campaign(self, user):
        campaign = self._notified()
        campaign.action_start_follow_up()

        def check(_result):
            self.assertEqual(campaign.state, "effectiveness")

        return campaign, {}, check

    def _prep_verified_campaign(self, user):
        campaign = self._notified()
        campaign.action_start_effectiveness()
        campaign.notice_ids.filtered("effectiveness_selected").action_mark_verified()
        return campaign, {}

    def _prep_sent_campaign(self, user):
        return self.campaign, {}

    def _prep_open_deadline(self, user):
        deadline = self.campaign.deadline_ids.filtered(lambda d: not d.done_at)[:1]

        def check(_result):
            self.assertTrue(deadline.done_at)

        return deadline, {}, check

    def _prep_blocked_quarantine(self, user):
        return self.campaign.quarantine_ids.filtered(lambda q: q.state == "blocked")[:1], {}

    def _prep_release_wizard(self, user):
        quarantine = self.campaign.quarantine_ids.filtered(lambda q: q.state == "blocked")[:1]
        action = quarantine.with_user(user).action_release()
        wizard = self.env["recall.reason.wizard"].with_user(user).browse(action["res_id"])
        wizard.reason = "Inspected: the hubs of these units are intact."

        def check(_result):
            self.assertEqual(quarantine.state, "released")

        return wizard, {}, check

    def _prep_sign_wizard(self, user):
        campaign = self._campaign()
        campaign.action_analyze_impact()
        action = campaign.with_user(user).action_approve()
        wizard = self.env["recall.sign.wizard"].with_user(user).browse(action["res_id"])

        def check(_result):
            self.assertEqual(campaign.state, "approved")

        return wizard, {PASSWORD: ROLES[user.login]}, check

    def _prep_response_wizard(self, user):
        notice = self._notified().notice_ids[:1]
        action = notice.with_user(user).action_record_response()
        wizard = self.env["recall.response.wizard"].with_user(user).browse(action["res_id"])
        wizard.acknowledge = True

        def check(_result):
            self.assertEqual(notice.state, "acknowledged")

        return wizard, {PASSWORD: ROLES[user.login]}, check

    def _prep_sent_notice(self, user):
        return self.notice_a, {}

    def _prep_notice_to_verify(self, user):
        notice = self.notice_b

        def check(_result):
            self.assertTrue(notice.effectiveness_verified_at)

        return notice, {}, check

    def _prep_lot(self, user):
        return self.lot, {}

    def _prep_ticket(self, user):
        return self.ticket, {}

    def _prep_event(self, user):
        return self.env["trace.event"].search([("picking_id", "!=", False)], limit=1), {}

    def _prep_event_line(self, user):
        return self.env["trace.event.line"].search([], limit=1), {}

    def _prep_inbox_entry(self, user, state="waiting"):
        event = self.env["trace.event"].search([], limit=1)
        entry = (
            self.env["trace.event.inbox"]
            .sudo()
            .create(
                {
                    "event_uid": f"urn:uuid:inbox-path-{state}",
                    "event_type": "ObjectEvent",
                    "event_json": "{}",
                    "state": state,
                    "stored_event_id": event.id if state == "stored" else False,
                    "missing_ids": [(0, 0, {"kind": "di", "value": "06901234999990"})],
                }
            )
        )
        return entry.with_user(user), {}

    def _prep_stored_inbox_entry(self, user):
        return self._prep_inbox_entry(user, state="stored")

    def _prep_epcis_wizard(self, user):
        wizard = (
            self.env["trace.epcis.import.wizard"]
            .with_user(user)
            .create(
                {
                    "file": base64.b64encode(b"this is not an EPCIS document"),
                    "filename": "events.json",
                }
            )
        )
        return wizard, {}

    def _prep_epcis_done(self, user):
        events = self.env["trace.event"].search([], limit=2)
        wizard = (
            self.env["trace.epcis.import.wizard"]
            .with_user(user)
            .create(
                {
                    "file": base64.b64encode(b"{}"),
                    "filename": "events.json",
                }
            )
        )
        wizard.sudo().write({"state": "done", "event_ids": [(6, 0, events.ids)]})
        return wizard, {}

    def _prep_trace_wizard(self, user):
        return self.env["trace.lot.wizard"].with_user(user).create({"lot_ids": self.lot.ids}), {}

    def _prep_di_export_wizard(self, user):
        wizard = (
            self.env["udi.di.export.wizard"]
            .with_user(user)
            .create(
                {
                    "product_tmpl_ids": [(6, 0, self.catheter_variant.product_tmpl_id.ids)],
                    "allow_draft": True,
                }
            )
        )
        return wizard, {}

    def _prep_label_wizard(self, user):
        return self.env["udi.label.wizard"].with_user(user).create({"lot_ids": self.lot.ids}), {}

    # ------------------------------------------------------------------ udi_change_control

    def _new_gtin(self):
        """A GTIN-14 of the catheters' company prefix no test record has."""
        self.__class__._di_count = getattr(self.__class__, "_di_count", 0) + 1
        body = f"0690123457{self._di_count:03d}"
        total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
        return body + str(-total % 10)

    def _new_di(self):
        """The base DI of a new catheter model, in draft."""
        gtin = self._new_gtin()
        template = self.env["product.template"].create(
            catheter_vals(
                name=f"Central venous catheter 7Fr, GTIN {gtin}",
                udi_di_ids=[(0, 0, {"di": gtin, "packaging_level": "base"})],
            )
        )
        return template.udi_di_ids

    def _review_di(self):
        di = self._new_di()
        di.with_user(self.qm).action_submit_review()
        return di

    def _approved_di(self):
        di = self._new_di()
        ChangeControlCommon._approve.__func__(type(self), di, password=ROLES["recall_qm"])
        return di

    def _state_check(self, record, state):
        def check(_result):
            self.assertEqual(record.state, state)

        return check

    def _prep_draft_di(self, user):
        di = self._new_di()
        return di, {}, self._state_check(di, "review")

    def _prep_review_di(self, user):
        return self._review_di(), {}

    def _prep_review_di_to_reset(self, user):
        di = self._review_di()
        return di, {}, self._state_check(di, "draft")

    def _prep_approved_di(self, user):
        return self._approved_di(), {}

    def _prep_approved_di_to_discontinue(self, user):
        di = self._approved_di()
        return di, {}, self._state_check(di, "discontinued")

    def _prep_published_di(self, user):
        di = self._approved_di()
        ChangeControlCommon._publish.__func__(type(self), di, "nmpa")
        return di, {}

    def _prep_di_sign_wizard(self, user):
        di = self._review_di()
        action = di.with_user(user).action_approve()
        wizard = self.env["udi.di.sign.wizard"].with_user(user).browse(action["res_id"])
        return wizard, {PASSWORD: ROLES[user.login]}, self._state_check(di, "approved")

    def _prep_di_publish_wizard(self, user):
        di = self._approved_di()
        action = di.with_user(user).action_publish()
        wizard = self.env["udi.di.publish.wizard"].with_user(user).browse(action["res_id"])
        return wizard, {}, self._state_check(di, "published")

    def _prep_di_version_wizard(self, user):
        di = self._approved_di()
        action = di.with_user(user).action_new_version()
        wizard = self.env["udi.di.version.wizard"].with_user(user).browse(action["res_id"])
        wizard.new_di = self._new_gtin()

        def check(result):
            self.assertEqual(self.env["udi.di"].browse(result["res_id"]).previous_di_id, di)

        return wizard, {}, check

    # ------------------------------------------------------------------ udi_inspection

    def _new_inspection(self):
        """A pending inspection of a new receipt (one lot, its label scanned at receipt)."""
        self.__class__._lot_count = getattr(self.__class__, "_lot_count", 0) + 1
        _receipt, inspection = self._receive_inspected([f"UP-IQC-{self._lot_count:02d}"])
        return inspection

    def _checked_inspection(self):
        """A pending inspection whose checks all passed, its certificate attached."""
        inspection = self._new_inspection()
        self.env["ir.attachment"].create(
            {
                "name": "CoC.pdf",
                "raw": b"%PDF-1.4 certificate of conformity",
                "res_model": "udi.inspection",
                "res_id": inspection.id,
            }
        )
        inspection.check_ids.filtered(lambda c: not c.automatic).with_user(self.qm).action_pass()
        return inspection

    def _prep_pending_check(self, user):
        check = self._new_inspection().check_ids.filtered(lambda c: c.code == "packaging")

        def check_recorded(_result):
            self.assertNotEqual(check.result, "pending")
            self.assertEqual(check.user_id, user)

        return check, {}, check_recorded

    def _prep_scanned_inspection(self, user):
        inspection = self._new_inspection()

        def check(_result):
            self.assertEqual(inspection.scanned_by_id, user)

        return inspection, {}, check

    def _prep_checked_inspection(self, user):
        return self._checked_inspection(), {}

    def _prep_failed_inspection(self, user):
        inspection = self._new_inspection()
        manual = inspection.check_ids.filtered(lambda c: not c.automatic)
        packaging = manual.filtered(lambda c: c.code == "packaging")
        (manual - packaging).with_user(self.qm).action_not_applicable()
        packaging.with_user(self.qm).action_fail()
        with self.assertRaisesRegex(UserError, "failed"):
            inspection.with_user(user).action_release()
        return inspection, {}

    def _prep_inspection(self, user):
        return self.inspections[:1], {}

    def _prep_inspection_sign_wizard(self, user):
        inspection = self._checked_inspection()
        action = inspection.with_user(user).action_release()
        wizard = self.env["udi.inspection.sign.wizard"].with_user(user).browse(action["res_id"])
        return wizard, {PASSWORD: ROLES[user.login]}, self._state_check(inspection, "released")

    def _prep_inspected_receipt(self, user):
        return self.receipt, {}

    # ------------------------------------------------------------------ udi_self_assessment

    def _prep_no_run(self, user):
        """No selection: a new run of the user's company."""

        def check(result):
            self.assertEqual(self.env["udi.compliance.run"].browse(result["res_id"]).user_id, user)

        return self.env["udi.compliance.run"], {}, check

    def _prep_no_result(self, user):
        return self.env["udi.compliance.result"], {}

    def _prep_compliance_run(self, user):
        return self.compliance_run, {}

    def _prep_compliance_result(self, user):
        results = self.compliance_run.result_ids.filtered("finding_count")
        self.assertTrue(results, "the run found something")
        return results[:1], {}

    def _prep_compliance_finding(self, user):
        findings = self.compliance_run.finding_ids.filtered(
            lambda f: self.env[f.res_model].with_user(user).has_access("read")
        )
        self.assertTrue(findings, f"{user.login} reads a record the run found")
        return findings[:1], {}

    def _prep_compliance_rule(self, user):
        return self.compliance_run.result_ids[:1].rule_id, {}

    # ------------------------------------------------------------------ menus

    def _menu_actions(self, login):
        """(menu xmlid, action model, action id) of the suite's menus the role sees."""
        menus = self.url_open("/web/webclient/load_menus").json()
        roots = {self.env.ref(xmlid).id for xmlid in ROOT_MENUS}
        found, todo = [], [m for m in roots if str(m) in menus]
        while todo:
            menu = menus[str(todo.pop())]
            entry = (menu["xmlid"], menu.get("actionModel"), menu.get("actionID"))
            if entry[2] and entry[1:] not in {f[1:] for f in found}:
                found.append(entry)
            todo += menu.get("children") or []
        return found, {
            self.env.ref(xmlid).id for xmlid in ROOT_MENUS if str(self.env.ref(xmlid).id) in menus
        }

    def test_every_menu_as_each_role(self):
        failures = []
        seen_apps = {}
        self.opened_forms = 0
        for login in ROLES:
            user = self.login(login)
            actions, apps = self._menu_actions(login)
            seen_apps[login] = apps
            _logger.info(
                "user paths: %s opened %s menus: %s",
                login,
                len(actions),
                [xmlid for xmlid, _model, _id in actions],
            )
            for xmlid, action_model, action_id in actions:
                try:
                    self._open_menu_action(user, action_model, action_id)
                except RpcError as error:
                    failures.append(f"{login}: menu {xmlid}: {error!r}")
                except AssertionError as error:
                    failures.append(f"{login}: menu {xmlid}: {error}")
        _logger.info("user paths: %s forms opened from the menus", self.opened_forms)
        self.assertGreater(self.opened_forms, 20)
        trace = self.env.ref("udi_master.menu_traceability_root").id
        seal = self.env.ref("audit_seal.audit_seal_menu_root").id
        # a Traceability Manager is an Audit Seal manager (trace_events' group implies it)
        self.assertEqual(seen_apps["recall_qm"], {trace, seal})
        self.assertEqual(seen_apps["path_clerk"], {trace})
        self.assertEqual(seen_apps["path_sealer"], {seal})
        self.assertEqual(seen_apps["path_inspector"], {trace})
        self.assertFalse(failures, "\n".join(failures))

    def _open_menu_action(self, user, action_model, action_id):
        action = self.rpc("/web/action/load", {"action_id": action_id})
        self.assertTrue(action, f"{action_model} {action_id} loads")
        if action["type"] == "ir.actions.server":
            self.rpc("/web/action/run", {"action_id": action_id})
            return
        self._open_window(user, action)

    def _open_window(self, user, action):
        """Open a window action as the web client does: its views, the records of its list,
        its first record (or the one it names) in the form."""
        if action["type"] != "ir.actions.act_window":
            return
        model = action["res_model"]
        context = self.eval_attr(action.get("context"), user, {})
        domain = self.eval_attr(action.get("domain"), user, [])
        views = [list(v) for v in action.get("views") or []] or [
            [False, view_type] for view_type in action.get("view_mode", "list,form").split(",")
        ]
        if action.get("res_id"):
            views = [v for v in views if v[1] == "form"] or [[False, "form"]]
            result = self.get_views(model, views, context)
            spec = self.specification(
                result["views"]["form"]["arch"], self.model_fields(result, model)
            )
            self.call_kw(
                model, "web_read", [[action["res_id"]]], {"specification": spec, "context": context}
            )
            return
        result = self.get_views(model, views + [[False, "search"]], context)
        fields = self.model_fields(result, model)
        loaded = result["views"]
        if action.get("target") == "new" and "form" in loaded:
            spec = self.specification(loaded["form"]["arch"], fields)
            self.call_kw(model, "onchange", [[], {}, [], spec], {"context": context})
            return
        filters, groupby = self._search_defaults(user, loaded["search"]["arch"], context)
        domain = list(domain) + filters
        if groupby:
            self.call_kw(
                model,
                "formatted_read_group",
                [],
                {"domain": domain, "groupby": groupby, "aggregates": ["__count"]},
            )
        ids = []
        for view_type in ("list", "kanban"):
            if view_type in loaded:
                spec = self.specification(loaded[view_type]["arch"], fields)
                page = self.call_kw(
                    model,
                    "web_search_read",
                    [],
                    {
                        "domain": domain,
                        "specification": spec,
                        "limit": 80,
                        "context": context,
                    },
                )
                ids = ids or [record["id"] for record in page["records"]]
        for view_type in ("pivot", "graph"):
            if view_type in loaded:
                self.call_kw(
                    model,
                    "formatted_read_group",
                    [],
                    {
                        "domain": domain,
                        "context": context,
                        **self._grouping(loaded[view_type]["arch"], fields),
                    },
                )
        if "form" in loaded and ids:
            spec = self.specification(loaded["form"]["arch"], fields)
            self.opened_forms += 1
            self.call_kw(
                model,
                "web_read",
                [ids[:1]],
                {
                    "specification": spec,
                    "context": context,
                },
            )

    def _search_defaults(self, user, search_arch, context):
        """The domain and group-bys of the search view's filters that the action's context
        selects (``search_default_<filter>``), as the web client applies them."""
        domain, groupby = [], []
        for node in etree.fromstring(search_arch).iter("filter"):
            if not context.get(f"search_default_{node.get('name')}"):
                continue
            if node.get("domain"):
                domain += self.eval_attr(node.get("domain"), user, [])
            group = self.eval_attr(node.get("context"), user, {}).get("group_by")
            if group:
                groupby += [group] if isinstance(group, str) else list(group)
        return domain, groupby

    @staticmethod
    def _grouping(arch, fields):
        """The group-bys and measures of a pivot or graph view (its first rows and columns)."""
        groupby, aggregates = [], ["__count"]
        for node in etree.fromstring(arch).iter("field"):
            name = node.get("name")
            if node.get("type") == "measure":
                if fields.get(name, {}).get("type") in ("integer", "float", "monetary"):
                    aggregates.append(f"{name}:sum")
            elif name in fields:
                interval = node.get("interval")
                groupby.append(f"{name}:{interval}" if interval else name)
        return {"groupby": groupby, "aggregates": aggregates}
