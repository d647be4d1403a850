"""Re-indexing the query terms of captured events stored without them (as events captured
before the terms existed are): the EPCIS query does not find them before, and does after."""

import importlib.util

from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.misc import file_path

from odoo.addons.audit_seal.tools import seal_sql
from odoo.addons.udi_master.tests.json2 import post_json2

from .test_capture import shipping_event
from .test_epcis_rest import EpcisRestCommon

#: returnable assets: no device line answers a MATCH_epc on them, only the query terms do
GRAI = "urn:epc:id:grai:0614141.12345.{serial}"
REINDEX = "/json/2/trace.event.term/reindex_query_terms"


def load_migration():
    path = file_path("trace_events/migrations/19.0.1.4.0/post-migrate.py")
    spec = importlib.util.spec_from_file_location("trace_events_migration_1_4", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestTermReindex(EpcisRestCommon):
    def _capture_asset(self, serial):
        event = shipping_event(f"urn:uuid:reindex-{serial}", epcList=[GRAI.format(serial=serial)])
        result = self.Event.capture([event])
        return self.Event.browse(result["event_ids"])

    def _terms(self, events):
        self.env["trace.event.term"].invalidate_model()
        return sorted(
            (t.event_id.id, t.dimension, t.value, t.type_uri or "", t.quantity, t.uom or "")
            for t in self.env["trace.event.term"].search([("event_id", "in", events.ids)])
        )

    def _forget_terms(self, events):
        """The state of an event captured before the terms existed: content, no terms (the
        retention purge's way past the guard)."""
        cr = self.env.cr
        self.env.flush_all()
        seal_sql.set_purge(cr, True)
        cr.execute("DELETE FROM trace_event_term WHERE event_id = ANY(%s)", [events.ids])
        seal_sql.set_purge(cr, False)
        self.env.invalidate_all()

    def _found(self, serial):
        params = {"MATCH_epc": GRAI.format(serial=serial)}
        return self._event_ids(self._get("/events", params=params))

    def test_event_without_terms_is_found_after_the_managers_reindex_not_before(self):
        event = self._capture_asset("401")
        indexed = self._terms(event)
        self.assertIn(event.event_uid, self._found("401"))
        self._forget_terms(event)
        self.assertFalse(self._terms(event))
        self.assertNotIn(event.event_uid, self._found("401"))
        # a traceability user may not run it
        with mute_logger("odoo.http"):
            refused = post_json2(self, REINDEX, {}, self.keys["epcis_analyst"])
        self.assertEqual(refused.status_code, 403, refused.text)
        self.assertFalse(self._terms(event))
        # the manager runs it over JSON-2
        response = post_json2(self, REINDEX, {}, self.keys["epcis_manager"])
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json(), {"events": 1, "terms": len(indexed)})
        self.assertEqual(self._terms(event), indexed, "the terms written at capture, again")
        self.assertIn(event.event_uid, self._found("401"))
        # again: nothing left to index, nothing written twice
        again = post_json2(self, REINDEX, {}, self.keys["epcis_manager"])
        self.assertEqual(again.json(), {"events": 0, "terms": 0})
        self.assertEqual(self._terms(event), indexed)

    def test_bad_batch_size_is_refused(self):
        with mute_logger("odoo.http"):
            response = post_json2(self, REINDEX, {"batch_size": 0}, self.keys["epcis_manager"])
        self.assertNotEqual(response.status_code, 200)
        self.assertIn("batch size", response.text)

    def test_migration_indexes_every_event_without_terms_in_batches(self):
        events = self._capture_asset("402") | self._capture_asset("403")
        untouched = self._capture_asset("404")
        indexed, kept = self._terms(events), self._terms(untouched)
        self._forget_terms(events)
        self.assertNotIn(events[0].event_uid, self._found("402"))
        migration = load_migration()
        migration.migrate(self.env.cr, "19.0.1.3.0")
        self.assertEqual(self._terms(events), indexed)
        self.assertEqual(self._terms(untouched), kept, "events with terms are left alone")
        self.assertIn(events[0].event_uid, self._found("402"))
        self.assertIn(events[1].event_uid, self._found("403"))
        # batch by batch, the same result
        self._forget_terms(events)
        result = self.env["trace.event.term"]._term_reindex(batch_size=1)
        self.assertEqual(result, {"events": 2, "terms": len(indexed)})
        self.assertEqual(self._terms(events), indexed)
