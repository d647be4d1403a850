import tempfile
from unittest.mock import patch

import psycopg2

from odoo.tests import tagged
from odoo.tools import config, mute_logger

from odoo.addons.audit_seal.lib.canonical import canonical_json, to_plain
from odoo.addons.audit_seal.models.audit_seal_key import CONFIG_KEY_FILE
from odoo.addons.audit_seal.tests.common import write_key_file

from .common import TraceCommon


@tagged("post_install", "-at_install")
class TestTraceSeal(TraceCommon):
    """An event and its lines form one ledger entry; changing either is caught."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        key_dir = tempfile.TemporaryDirectory(prefix="trace_seal_test_")
        cls.addClassCleanup(key_dir.cleanup)
        cls.startClassPatcher(
            patch.dict(config.options, {CONFIG_KEY_FILE: write_key_file(key_dir.name)})
        )
        cls.picking = cls._receive([(cls.catheter_variant, "S2401", 8)])
        cls.event = cls.Event.search([("move_id", "in", cls.picking.move_ids.ids)])
        cls.env["audit.seal.entry"]._seal_run_pending()  # the append, as the commit runs it

    def _verify(self):
        return self.env["audit.seal.entry"].verify_chain()

    def _entry(self):
        return self.env["audit.seal.entry"].search(
            [("res_model", "=", "trace.event"), ("res_id", "=", self.event.id)]
        )

    def test_line_values_from_the_cache_equal_those_read_through_the_orm(self):
        self._receive([(self.catheter_variant, "S2402", 3), (self.catheter_variant, "S2403", 4)])
        lot = self._lot_named(self.catheter_variant, "S2402")
        self._deliver(self.distributor, [(self.catheter_variant, lot, 2)])
        lines = self.Event.search([]).line_ids
        names = lines._seal_line_fields()
        self.assertGreaterEqual(len(lines), 4)
        self.assertTrue(lines.lot_id and lines.partner_dest_id, "many2one values are covered")
        from_cache = lines._seal_line_values(names)
        for line in lines:
            through_orm = {}
            for name in names:
                field, value = line._fields[name], line[name]
                if field.type == "many2one":
                    value = f"{field.comodel_name},{value.id}" if value else None
                elif field.type == "float":
                    value = value or 0
                elif value is False:
                    value = None
                through_orm[name] = value
            through_orm["event_id"] = line.event_id.id  # the plain id, as the payload holds it
            self.assertEqual(from_cache[line.id], to_plain(through_orm), line)
        lines.invalidate_recordset()  # read again from the database
        self.assertEqual(
            lines.with_context(prefetch_fields=False)._seal_line_values(names), from_cache
        )

    def test_fast_payload_of_events_equals_the_general_canonical_form(self):
        self._receive([(self.catheter_variant, "S2404", 2), (self.catheter_variant, "S2405", 5)])
        lot = self._lot_named(self.catheter_variant, "S2404")
        self._deliver(self.distributor, [(self.catheter_variant, lot, 1)])
        events = self.Event.search([])
        self.assertGreaterEqual(len(events), 3)
        fast = events._seal_payload_json()
        general = events._seal_payload_data()
        self.assertEqual(set(fast), set(events.ids))
        for event in events:
            self.assertEqual(fast[event.id].encode(), canonical_json(general[event.id]), event)
            self.assertIn('"lines":[{', fast[event.id])
        # the ledger's own payloads were written by the fast path and still verify
        self.env["audit.seal.entry"]._seal_run_pending()
        self.assertTrue(self._verify()["ok"])

    def test_event_is_sealed_with_its_lines_in_one_entry(self):
        entry = self._entry()
        self.assertEqual(len(entry), 1)
        self.assertIn('"lot_name":"S2401"', entry.payload)
        self.assertIn('"quantity":"8"', entry.payload)
        self.assertFalse(
            self.env["audit.seal.entry"].search([("res_model", "=", "trace.event.line")]),
            "lines are sealed inside their event, not one by one",
        )
        self.assertTrue(self._verify()["ok"])

    def test_lines_created_after_their_event_was_read_are_sealed_with_it(self):
        lot = self._lot_named(self.catheter_variant, "S2401")
        event = self.Event._trace_create(
            [
                {
                    "event_type": "object",
                    "action": "observe",
                    "biz_step": "inspecting",
                    "event_time": "2026-03-02 08:00:00",
                    "origin": "capture",
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": self.catheter_variant.id,
                                "lot_id": lot.id,
                                "lot_name": lot.name,
                                "quantity": 1,
                            },
                        ),
                    ],
                }
            ]
        )
        self.assertEqual(len(event.line_ids), 1)  # the lines are now cached on the event
        self.env["trace.event.line"].sudo().create(
            {"event_id": event.id, "product_id": self.catheter_variant.id, "quantity": 2.5}
        )
        self.env["audit.seal.entry"]._seal_run_pending()
        entry = self.env["audit.seal.entry"].search(
            [("res_model", "=", "trace.event"), ("res_id", "=", event.id)]
        )
        self.assertEqual(entry.payload.count('"role":"object"'), 2, entry.payload)
        self.assertIn('"quantity":"2.5"', entry.payload)
        self.assertTrue(self._verify()["ok"])

    def test_line_changed_in_sql_is_detected_at_its_event_entry(self):
        self.env.cr.execute("SET LOCAL session_replication_role = replica")
        self.env.cr.execute(
            "UPDATE trace_event_line SET quantity = 80 WHERE event_id = %s", [self.event.id]
        )
        self.env.cr.execute("SET LOCAL session_replication_role = origin")
        self.env.invalidate_all()
        result = self._verify()
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_bad_seq"], self._entry().seq, result["reason"])

    def test_trigger_refuses_sql_update_and_delete_of_lines(self):
        for query in (
            "UPDATE trace_event_line SET quantity = 80 WHERE event_id = %s",
            "DELETE FROM trace_event_line WHERE event_id = %s",
            "UPDATE trace_event SET biz_step = 'shipping' WHERE id = %s",
        ):
            with (
                self.subTest(query=query),
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.Error),
                self.env.cr.savepoint(),
            ):
                self.env.cr.execute(query, [self.event.id])

    def test_backfill_records_history_that_has_no_event(self):
        self.env.cr.execute("SET LOCAL session_replication_role = replica")
        self.env.cr.execute("DELETE FROM trace_event_line WHERE event_id = %s", [self.event.id])
        self.env.cr.execute("DELETE FROM trace_event WHERE id = %s", [self.event.id])
        self.env.cr.execute("SET LOCAL session_replication_role = origin")
        self.env.invalidate_all()
        self.assertFalse(self.Event.check_consistency()["ok"])
        events = self.Event._trace_backfill()
        self.assertEqual(events.line_ids.move_line_id, self.picking.move_line_ids)
        self.assertTrue(self.Event.check_consistency()["ok"])
        self.assertFalse(self.Event._trace_backfill(), "a second run records nothing")
