"""The per-unit genealogy facts stored on the events (what the trace walk reads instead of
subqueries): right after every recording path, and rebuilt by the 19.0.1.3.0 migration."""

import importlib.util
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from odoo.tests import tagged
from odoo.tools import SQL

from .genealogy_common import GenealogyCommon
from .test_unit_genealogy_api import CATHETER_CLASS, PACEMAKER_ID

MIGRATION = Path(__file__).parents[1] / "migrations" / "19.0.1.3.0" / "post-migrate.py"


@tagged("post_install", "-at_install")
class TestUnitGenealogyFlags(GenealogyCommon):
    def _order_events(self, order=None):
        return self.Event.search(
            [
                ("production_id", "=", (order or self.order).id),
                ("event_type", "=", "transformation"),
                ("origin", "!=", "unit_genealogy"),
            ]
        )

    def _shared_lots(self, event):
        return event.line_ids.filtered("genealogy_shared").lot_id

    def _assert_order_flags(self, event, unit_data):
        """The order's event: its two catheter lots shared, the lead (alone) and the units not;
        ``unit_genealogy`` as ``unit_data``."""
        self.assertEqual(self._shared_lots(event), self.cath_a | self.cath_b)
        self.assertEqual(event.unit_genealogy, unit_data)

    def test_a_done_order_stores_which_component_lots_it_shared_among_units(self):
        event = self._order_events()
        self.assertEqual(len(event), 1)
        self._assert_order_flags(event, unit_data=False)
        inputs = event.line_ids.filtered(lambda line: line.role == "input")
        self.assertEqual(inputs.filtered("genealogy_shared").lot_id, self.cath_a | self.cath_b)
        self.assertFalse(
            event.line_ids.filtered(lambda line: line.role == "output").filtered("genealogy_shared")
        )
        # an order that consumed one lot of each component shares none
        self._receive([(self.catheter_variant, "CATH-S", 1), (self.lead, "LEAD-S", 1)])
        single = self._make_order(["GEN-S"])
        single_event = self._order_events(single)
        self.assertFalse(single_event.line_ids.filtered("genealogy_shared"))
        self.assertFalse(single_event.unit_genealogy)

    def test_record_unit_genealogy_flags_the_orders_event_only(self):
        self._receive([(self.catheter_variant, "CATH-S", 1), (self.lead, "LEAD-S", 1)])
        other = self._make_order(["GEN-S"])
        result = self._record_truth(self.units[:1])
        self._assert_order_flags(self._order_events(), unit_data=True)
        # the per-unit events themselves are not order events: no flag on them or their lines
        units = self.Event.browse(result["event_ids"])
        self.assertFalse(any(units.mapped("unit_genealogy")))
        self.assertFalse(units.line_ids.filtered("genealogy_shared"))
        self.assertFalse(self._order_events(other).unit_genealogy)

    def test_a_captured_transformation_event_naming_the_order_flags_it(self):
        when = datetime.now() - timedelta(hours=1)
        order_ref = "urn:epcglobal:cbv:bt:6901234000016:" + quote(self.order.name, safe="")
        result = self.Event.capture(
            [
                {
                    "type": "TransformationEvent",
                    "eventID": "urn:uuid:5b0f7a52-0000-4000-8000-000000000001",
                    "eventTime": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "eventTimeZoneOffset": "+08:00",
                    "inputQuantityList": [{"epcClass": CATHETER_CLASS + "CATH-A", "quantity": 1}],
                    "outputEPCList": [PACEMAKER_ID + self.units[0].name],
                    "bizStep": "assembling",
                    "bizTransactionList": [{"type": "prodorder", "bizTransaction": order_ref}],
                }
            ]
        )
        self.assertEqual(result["created"], 1)
        self._assert_order_flags(self._order_events(), unit_data=True)

    def test_recording_again_and_correcting_the_order_keep_the_flags_exact(self):
        self._record_truth()
        # recording a unit again supersedes its per-unit event: the order still has unit data
        self.Event.record_unit_genealogy(
            self.order.id,
            [{"serial": self.units[0].id, "components": [self.cath_a.id, self.lead_lot.id]}],
        )
        self._assert_order_flags(self._order_events(), unit_data=True)
        # the order's event restated (a correction): the correction carries the flags too
        original = self._order_events()
        correction = original._trace_restate("incorrect_data")
        self.assertEqual(correction.corrected_event_id, original)
        self._assert_order_flags(correction, unit_data=True)
        self._assert_order_flags(original, unit_data=True)
        for lot, units in self.truth.items():
            result = self.Event.trace_forward(lot.ids)
            self.assertEqual(self._reached(result), units)
            self.assertTrue(result["genealogy"]["exact"])

    def test_a_correction_of_an_order_without_unit_data_stays_unflagged(self):
        correction = self._order_events()._trace_restate("incorrect_data")
        self._assert_order_flags(correction, unit_data=False)
        self.assertEqual(
            self.Event.trace_forward(self.cath_a.ids)["genealogy"]["widened_unit_count"], 4
        )

    def test_a_repair_flags_nothing_and_leaves_the_orders_flags(self):
        self._receive([(self.catheter_variant, "CATH-R", 1)])
        part = self._lot_named(self.catheter_variant, "CATH-R")
        repair = self._repair_with_part(self.units[0], part)
        events = self.Event.search([("repair_id", "=", repair.id)])
        self.assertTrue(events)
        self.assertFalse(any(events.mapped("unit_genealogy")))
        self.assertFalse(events.line_ids.filtered("genealogy_shared"))
        self._assert_order_flags(self._order_events(), unit_data=False)

    def test_migration_rebuilds_the_flags_of_earlier_events(self):
        self._record_truth(self.units[:2])
        self._receive([(self.catheter_variant, "CATH-S", 1), (self.lead, "LEAD-S", 1)])
        other = self._make_order(["GEN-S"])
        self.env.flush_all()
        # as the columns are when the update adds them: empty
        self.env.cr.execute(SQL("UPDATE trace_event SET unit_genealogy = NULL"))
        self.env.cr.execute(SQL("UPDATE trace_event_line SET genealogy_shared = NULL"))
        self.env.invalidate_all()
        self.assertFalse(self._order_events().unit_genealogy)
        # the walk reads the stored facts: without them it would take the order's genealogy
        # for exact
        emptied = self.Event.trace_forward(self.cath_a.ids)["genealogy"]
        self.assertEqual(emptied["widened_unit_count"], 0)
        spec = importlib.util.spec_from_file_location("trace_events_migrate_1_3", MIGRATION)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, "19.0.1.2.0")
        self._assert_order_flags(self._order_events(), unit_data=True)
        self.assertFalse(self._order_events(other).unit_genealogy)
        self.assertFalse(self._order_events(other).line_ids.filtered("genealogy_shared"))
        result = self.Event.trace_forward(self.cath_a.ids)
        self.assertEqual(self._reached(result), self.units)
        self.assertEqual(result["genealogy"]["widened_unit_count"], 2)
