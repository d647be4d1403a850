"""Capture of events without an eventID over JSON-2: each gets its CBV 2.0 event hash ID
(``ni:///sha-256;...?ver=CBV2.0``), so that sending it again stores it once."""

import re

from odoo.tests import tagged

from odoo.addons.trace_events.lib import event_hash
from odoo.addons.udi_master.tests.json2 import post_json2

from .test_capture import CaptureApiCase, shipping_event

HASH_ID = re.compile(r"^ni:///sha-256;[0-9a-f]{64}\?ver=CBV2\.0$")


def event_without_id(**overrides):
    event = shipping_event(None, **overrides)
    del event["eventID"]
    return event


@tagged("post_install", "-at_install")
class TestCaptureWithoutEventId(CaptureApiCase):
    def _post(self, method, body):
        response = post_json2(self, f"/json/2/trace.event/{method}", body, self.api_key)
        self.assertEqual(response.status_code, 200, response.text[:2000])
        return response.json()

    def _stored(self, event_uid):
        self.env.invalidate_all()
        return self.env["trace.event"].search([("event_uid", "=", event_uid)])

    def test_event_without_event_id_sent_twice_is_stored_once(self):
        event = event_without_id()
        hash_id = event_hash.event_hash_id(event)
        first = self._post("capture", {"events": [event]})
        self.assertEqual((first["created"], first["duplicates"]), (1, []))
        self.assertEqual(self._stored(hash_id).ids, first["event_ids"])
        # the same event again, its keys in another order
        again = dict(reversed(list(event_without_id().items())))
        second = self._post("capture", {"events": [again]})
        self.assertEqual((second["created"], second["duplicates"]), (0, [hash_id]))
        self.assertEqual(len(self._stored(hash_id)), 1)

    def test_exported_event_carries_the_hash_id(self):
        event = event_without_id(serials=("PM0002",))
        created = self._post("capture", {"events": [event]})
        document = self._post("export_epcis", {"event_ids": created["event_ids"]})
        exported = document["epcisBody"]["eventList"][0]
        self.assertRegex(exported["eventID"], HASH_ID)
        self.assertEqual(exported["eventID"], event_hash.event_hash_id(event))

    def test_event_differing_by_one_field_is_stored_separately(self):
        first = self._post("capture", {"events": [event_without_id(serials=("PM0003",))]})
        later = event_without_id(serials=("PM0003",), eventTime="2025-03-01T09:31:00+08:00")
        second = self._post("capture", {"events": [later]})
        self.assertEqual((second["created"], second["duplicates"]), (1, []))
        events = self.env["trace.event"].browse(first["event_ids"] + second["event_ids"])
        self.assertEqual(len(set(events.mapped("event_uid"))), 2)
        self.assertTrue(all(HASH_ID.match(uid) for uid in events.mapped("event_uid")))

    def test_document_without_event_ids_imported_twice_is_stored_once(self):
        """import_epcis reads the document's @context: an extension under a declared
        namespace is hashed as {namespace}name, whatever prefix names it."""
        event = event_without_id(serials=("PM0004",))
        event["acme:dock"] = "D4"
        document = {
            "@context": [
                "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                {"acme": "https://acme.example.com/epcis/"},
            ],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2025-03-01T10:00:00Z",
            "epcisBody": {"eventList": [event]},
        }
        hash_id = event_hash.event_hash_id(event, document["@context"])
        first = self._post("import_epcis", {"document": document})
        self.assertEqual(first["created"], 1)
        self.assertEqual(self._stored(hash_id).ids, first["event_ids"])
        renamed = dict(event)
        renamed["wms:dock"] = renamed.pop("acme:dock")
        document["@context"][1] = {"wms": "https://acme.example.com/epcis/"}
        document["epcisBody"]["eventList"] = [renamed]
        second = self._post("import_epcis", {"document": document})
        self.assertEqual(second["created"], 0)
        self.assertEqual(second["duplicates"], [hash_id])
        self.assertEqual(len(self._stored(hash_id)), 1)
