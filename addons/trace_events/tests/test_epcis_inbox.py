"""The EPCIS inbox (events naming unknown master data) and the lossless capture of what
schema-valid events carry: TransactionEvents, returnable assets, query terms, sealed content."""

import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .test_capture import CaptureCommon, shipping_event

UNKNOWN_DI = "06901234999990"
UNKNOWN_DL = f"https://id.gs1.org/01/{UNKNOWN_DI}/21/X1"
UNKNOWN_GLN = "6901234000030"


def unknown_device_event(event_id):
    return shipping_event(event_id, epcList=[UNKNOWN_DL])


def unknown_party_event(event_id):
    return shipping_event(
        event_id,
        destinationList=[
            {"type": "owning_party", "destination": f"https://id.gs1.org/417/{UNKNOWN_GLN}"}
        ],
    )


def create_unknown_device(env):
    return env["product.template"].create(
        {
            "name": "Stent arriving later",
            "is_storable": True,
            "tracking": "serial",
            "udi_di_ids": [(0, 0, {"di": UNKNOWN_DI, "packaging_level": "base"})],
        }
    )


@tagged("post_install", "-at_install")
class TestEpcisInbox(CaptureCommon):
    def test_event_naming_an_unknown_di_waits_in_the_inbox_and_the_rest_is_stored(self):
        result = self.Event.capture(
            [shipping_event("urn:uuid:in-1"), unknown_device_event("urn:uuid:in-2")]
        )
        self.assertEqual((result["created"], result["waiting"]), (1, 1))
        self.assertEqual(self._stored("urn:uuid:in-1", "urn:uuid:in-2").event_uid, "urn:uuid:in-1")
        entry = self.env["trace.event.inbox"].browse(result["inbox_ids"])
        self.assertRecordValues(
            entry,
            [
                {
                    "event_uid": "urn:uuid:in-2",
                    "state": "waiting",
                    "sender_id": self.env.user.id,
                    "company_id": self.env.company.id,
                    "event_type": "ObjectEvent",
                }
            ],
        )
        self.assertEqual(
            [(line.kind, line.value) for line in entry.missing_ids], [("di", UNKNOWN_DI)]
        )
        self.assertIn(UNKNOWN_DI, entry.missing_summary)

    def test_event_naming_an_unknown_gln_waits_with_the_gln_listed(self):
        result = self.Event.capture([unknown_party_event("urn:uuid:in-3")])
        entry = self.env["trace.event.inbox"].browse(result["inbox_ids"])
        self.assertEqual(
            [(line.kind, line.value) for line in entry.missing_ids], [("gln", UNKNOWN_GLN)]
        )
        self.assertFalse(self._stored("urn:uuid:in-3"))

    def test_waiting_event_sent_again_is_a_duplicate_not_a_second_entry(self):
        self.Event.capture([unknown_device_event("urn:uuid:in-4")])
        again = self.Event.capture([unknown_device_event("urn:uuid:in-4")])
        self.assertEqual((again["waiting"], again["duplicates"]), (0, ["urn:uuid:in-4"]))
        self.assertEqual(
            self.env["trace.event.inbox"].search_count([("event_uid", "=", "urn:uuid:in-4")]), 1
        )

    def test_bad_event_beside_a_waiting_one_stores_nothing_and_keeps_nothing(self):
        bad = shipping_event("urn:uuid:in-5", eventTime="yesterday")
        with self.assertRaisesRegex(UserError, "Nothing was stored"):
            self.Event.capture([unknown_device_event("urn:uuid:in-6"), bad])
        self.assertFalse(
            self.env["trace.event.inbox"].search([("event_uid", "=", "urn:uuid:in-6")])
        )

    def test_refusing_company_refuses_the_whole_document(self):
        self.env.company.trace_epcis_unknown_master_data = "refuse"
        with self.assertRaisesRegex(UserError, f"{UNKNOWN_DI} .* is not the DI of any device"):
            self.Event.capture(
                [shipping_event("urn:uuid:in-7"), unknown_device_event("urn:uuid:in-8")]
            )
        self.assertFalse(self._stored("urn:uuid:in-7"))
        self.assertFalse(self.env["trace.event.inbox"].search([]))

    def test_creating_the_device_triggers_the_inbox_and_the_retry_stores_it_sealed(self):
        entry = self.env["trace.event.inbox"].browse(
            self.Event.capture([unknown_device_event("urn:uuid:in-9")])["inbox_ids"]
        )
        cron = self.env.ref("trace_events.ir_cron_trace_event_inbox")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        create_unknown_device(self.env)
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1
        )
        self.env["trace.event.inbox"]._cron_retry()
        event = self._stored("urn:uuid:in-9")
        self.assertEqual(entry.state, "stored")
        self.assertEqual(entry.stored_event_id, event)
        self.assertEqual(event.line_ids.udi_di, UNKNOWN_DI)
        payload = event._seal_payload_data()[event.id]
        self.assertEqual(json.loads(payload["epcis_content"])["event"]["eventID"], "urn:uuid:in-9")
        # stored once: the same event sent again is a duplicate
        self.assertEqual(
            self.Event.capture([unknown_device_event("urn:uuid:in-9")])["duplicates"],
            ["urn:uuid:in-9"],
        )

    def test_retry_while_the_master_data_is_still_missing_keeps_the_entry_waiting(self):
        entry = self.env["trace.event.inbox"].browse(
            self.Event.capture([unknown_party_event("urn:uuid:in-10")])["inbox_ids"]
        )
        entry.action_retry()
        self.assertEqual(entry.state, "waiting")
        self.assertEqual(entry.missing_ids.value, UNKNOWN_GLN)
        self.assertFalse(self._stored("urn:uuid:in-10"))

    def test_traceability_user_reads_the_inbox_but_cannot_retry(self):
        self.Event.capture([unknown_device_event("urn:uuid:in-11")])
        user = new_test_user(self.env, "inbox_reader", groups="udi_master.group_trace_user")
        entries = self.env["trace.event.inbox"].with_user(user).search([])
        self.assertEqual(entries.event_uid, "urn:uuid:in-11")
        with self.assertRaises(AccessError):
            entries.action_retry()

    def test_manager_cannot_edit_the_event_waiting_in_the_inbox(self):
        self.Event.capture([unknown_device_event("urn:uuid:in-13")])
        manager = new_test_user(self.env, "inbox_editor", groups="udi_master.group_trace_manager")
        entry = self.env["trace.event.inbox"].with_user(manager).search([])
        with self.assertRaisesRegex(UserError, "cannot be edited"):
            entry.write({"event_json": "{}"})

    def test_another_companys_inbox_is_not_visible(self):
        self.Event.capture([unknown_device_event("urn:uuid:in-12")])
        other = self.env["res.company"].create({"name": "Other Medical Co."})
        user = new_test_user(
            self.env,
            "inbox_other",
            groups="udi_master.group_trace_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.assertFalse(self.env["trace.event.inbox"].with_user(user).search([]))


@tagged("post_install", "-at_install")
class TestLosslessCapture(CaptureCommon):
    def test_transaction_event_with_a_returnable_asset_is_stored_with_its_terms(self):
        event = shipping_event(
            "urn:uuid:tx-1",
            type="TransactionEvent",
            action="ADD",
            parentID="urn:epc:id:grai:0614141.12345.400",
            epcList=["https://id.gs1.org/01/06901234500011/21/PM0001"],
            sensorElementList=[
                {
                    "sensorMetadata": {"time": "2025-03-01T09:00:00+08:00"},
                    "sensorReport": [{"type": "gs1:Temperature", "value": 4.5, "uom": "CEL"}],
                }
            ],
        )
        result = self.Event.capture([event])
        stored = self.Event.browse(result["event_ids"])
        self.assertEqual(stored.event_type, "transaction")
        terms = {(term.dimension, term.value) for term in stored.term_ids}
        self.assertIn(("parent", "https://id.gs1.org/8003/00614141123452400"), terms)
        self.assertIn(("sensor_type", "gs1:Temperature"), terms)
        self.assertIn(("biz_transaction", "urn:epcglobal:cbv:bt:6901234000009:DN-7781"), terms)
        exported = self.Event.export_epcis(stored.ids)["epcisBody"]["eventList"][0]
        self.assertEqual(exported["sensorElementList"], event["sensorElementList"])
        self.assertEqual(exported["parentID"], event["parentID"])

    def test_query_terms_cannot_be_changed(self):
        result = self.Event.capture([shipping_event("urn:uuid:tx-2")])
        term = self.Event.browse(result["event_ids"]).term_ids[:1]
        with self.assertRaisesRegex(UserError, "sealed"):
            term.write({"value": "urn:uuid:forged"})
        with self.assertRaisesRegex(UserError, "sealed"):
            term.unlink()


@tagged("post_install", "-at_install")
class TestEpcisInboxButton(HttpCase):
    """The manager's button, as the web client calls it."""

    def test_manager_stores_the_entry_from_the_button_once_the_partner_exists(self):
        manager = new_test_user(
            self.env,
            "inbox_manager",
            password="inbox_manager-pw1",
            groups="udi_master.group_trace_manager,stock.group_stock_user",
        )
        self.env["product.template"].create(
            {
                "name": "Pacemaker",
                "is_storable": True,
                "tracking": "serial",
                "udi_di_ids": [(0, 0, {"di": "06901234500011", "packaging_level": "base"})],
            }
        )
        self.env["res.partner"].create(
            {"name": "Distributor", "is_company": True, "udi_gln": "6901234000009"}
        )
        result = (
            self.env["trace.event"]
            .with_user(manager)
            .capture([unknown_party_event("urn:uuid:btn-1")])
        )
        entry = self.env["trace.event.inbox"].browse(result["inbox_ids"])
        self.env["res.partner"].create(
            {"name": "New hospital", "is_company": True, "udi_gln": UNKNOWN_GLN}
        )
        self.authenticate("inbox_manager", "inbox_manager-pw1")
        self.make_jsonrpc_request(
            "/web/dataset/call_button/trace.event.inbox/action_retry",
            {
                "model": "trace.event.inbox",
                "method": "action_retry",
                "args": [entry.ids],
                "kwargs": {"context": {}},
            },
        )
        entry.invalidate_recordset()
        self.assertEqual(entry.state, "stored")
        self.assertEqual(entry.stored_event_id.event_uid, "urn:uuid:btn-1")
        self.assertEqual(entry.stored_event_id.dest_partner_id.udi_gln, UNKNOWN_GLN)
