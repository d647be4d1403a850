"""trace.event.capture / import_epcis: validation, all or nothing, idempotency, holders, API."""

import datetime
import json
import xmlrpc.client
from pathlib import Path
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, get_db_name, new_test_user, tagged
from odoo.tools import file_path, mute_logger

from odoo.addons.trace_events.lib import event_hash
from odoo.addons.trace_events.models.trace_event_epcis import epcis_schema
from odoo.addons.udi_master.tests.json2 import api_key, post_json2

from .common import TraceCommon

PACEMAKER_DL = "https://id.gs1.org/01/06901234500011/21/{serial}"
CATHETER_DL = "https://id.gs1.org/01/06901234567892/10/{lot}"
DISTRIBUTOR = "https://id.gs1.org/417/6901234000009"
HOSPITAL = "https://id.gs1.org/417/6901234000023"

#: the GTINs GS1's EPCIS 2.0 examples use: (GTIN, tracking, unit)
GS1_EXAMPLE_DEVICES = [
    ("10614141073464", "serial", None),
    ("04012345987652", "none", None),
    ("04012345123456", "lot", "uom.product_uom_kgm"),
    ("04012345111224", "serial", None),
    ("04000001654321", "serial", None),
    ("04012345111118", "lot", "uom.product_uom_kgm"),
    ("00614141777778", "lot", None),
    ("04012345666663", "none", None),
    ("04012345778892", "serial", None),
]
#: the GLNs of their read points and business locations
GS1_EXAMPLE_GLNS = [
    "0614141073467",
    "0012345111112",
    "0614141007776",
    "0614141008889",
    "4012345000016",
]


def shipping_event(event_id, serials=("PM0001",), **overrides):
    """An onward shipment of pacemaker serials from the distributor to the hospital."""
    event = {
        "type": "ObjectEvent",
        "eventID": event_id,
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "eventTime": "2025-03-01T09:30:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [PACEMAKER_DL.format(serial=serial) for serial in serials],
        "readPoint": {"id": "https://id.gs1.org/414/6901234000009"},
        "sourceList": [{"type": "owning_party", "source": DISTRIBUTOR}],
        "destinationList": [{"type": "owning_party", "destination": HOSPITAL}],
        "bizTransactionList": [
            {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:6901234000009:DN-7781"}
        ],
    }
    event.update(overrides)
    return event


GS1_EXAMPLES = "trace_events/data/epcis/examples"


def gs1_example_paths():
    """GS1's EPCIS 2.0 example documents (their JSON/ folder, copied unchanged), by file name."""
    root = Path(file_path(GS1_EXAMPLES))
    return {path.name: path for path in sorted(root.rglob("*.jsonld"))}


def load_gs1_example(name):
    """One of GS1's EPCIS 2.0 example documents, by its file name."""
    with gs1_example_paths()[name].open(encoding="utf-8") as handle:
        return json.load(handle)


def create_gs1_example_fixtures(env):
    """Devices with the GTINs and partners with the GLNs of GS1's example documents."""
    templates = env["product.template"].create(
        [
            {
                "name": f"GS1 example device {gtin}",
                "is_storable": True,
                "tracking": tracking,
                "udi_regulated": True,
                "udi_pi_serial": tracking == "serial",
                "udi_pi_lot": tracking == "lot",
                "uom_id": env.ref(uom).id if uom else env.ref("uom.product_uom_unit").id,
                "udi_di_ids": [(0, 0, {"di": gtin, "packaging_level": "base"})],
            }
            for gtin, tracking, uom in GS1_EXAMPLE_DEVICES
        ]
    )
    partners = env["res.partner"].create(
        [
            {"name": f"GS1 example party {gln}", "is_company": True, "udi_gln": gln}
            for gln in GS1_EXAMPLE_GLNS
        ]
    )
    return templates, partners


class CaptureCommon(TraceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pacemaker = cls.implant.product_variant_id
        cls.Lot = cls.env["stock.lot"]

    def _stored(self, *event_ids):
        return self.Event.search([("event_uid", "in", list(event_ids))])

    def _holders(self, lot):
        return {
            (h["holder_type"], h["partner_id"] or h["location_id"]): h
            for h in self.Event.trace_forward(lot.ids)["holders"]
        }


@tagged("post_install", "-at_install")
class TestCapture(CaptureCommon):
    def test_capture_stores_the_events_and_returns_their_ids(self):
        result = self.Event.capture([shipping_event("urn:uuid:c-1")])
        event = self._stored("urn:uuid:c-1")
        self.assertEqual(
            result,
            {
                "created": 1,
                "event_ids": event.ids,
                "duplicates": [],
                "corrections": [],
                "waiting": 0,
                "inbox_ids": [],
            },
        )
        self.assertRecordValues(
            event,
            [
                {
                    "event_type": "object",
                    "action": "observe",
                    "biz_step": "shipping",
                    "disposition": "in_transit",
                    "origin": "capture",
                    "event_tz": "+08:00",
                    "event_time": datetime.datetime(2025, 3, 1, 1, 30),
                    "read_point_gln": "6901234000009",
                    "source_partner_id": self.distributor.id,
                    "dest_partner_id": self.hospital.id,
                    "biz_transaction": "urn:epcglobal:cbv:bt:6901234000009:DN-7781",
                }
            ],
        )
        self.assertEqual(event.line_ids.lot_id.name, "PM0001")
        self.assertEqual(event.line_ids.udi_di, "06901234500011")

    def test_import_validates_each_event_against_the_schema_once(self):
        """The document's schema covers its events: capture does not validate them again
        (half of a capture's time went to the second validation); capture() alone does."""
        schema = epcis_schema()
        document = {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2025-03-01T02:00:00Z",
            "epcisBody": {"eventList": [shipping_event("urn:uuid:once-1")]},
        }
        with patch.object(type(schema), "event_errors", autospec=True) as event_errors:
            self.Event.import_epcis(document)
        event_errors.assert_not_called()
        self.assertTrue(self._stored("urn:uuid:once-1"))
        bad = shipping_event("urn:uuid:once-2", eventTime="not a time")
        with self.assertRaises(UserError) as caught:
            self.Event.capture([bad])
        self.assertIn("not a valid EPCIS 2.0 event", str(caught.exception))
        self.assertFalse(self._stored("urn:uuid:once-2"))

    def test_one_bad_event_among_good_ones_stores_nothing_and_names_it(self):
        events = [
            shipping_event("urn:uuid:b-1"),
            # a wrong check digit (an unknown DI would wait in the inbox instead)
            shipping_event("urn:uuid:b-2", epcList=["https://id.gs1.org/01/06901234500012/21/X"]),
            shipping_event("urn:uuid:b-3", serials=("PM0003",)),
        ]
        with self.assertRaises(UserError) as caught:
            self.Event.capture(events)
        message = str(caught.exception)
        self.assertIn("Event 2 (urn:uuid:b-2)", message)
        self.assertIn("06901234500012", message)
        self.assertNotIn("Event 1", message)
        self.assertFalse(self._stored("urn:uuid:b-1", "urn:uuid:b-2", "urn:uuid:b-3"))
        self.assertFalse(
            self.Lot.search([("name", "in", ["PM0001", "PM0003"])]), "no serial was created either"
        )

    def test_every_problem_of_the_batch_is_listed(self):
        # an unknown GLN is a problem when the company refuses events naming unknown master data
        self.env.company.trace_epcis_unknown_master_data = "refuse"
        events = [
            shipping_event("urn:uuid:p-1", bizStep="https://ref.gs1.org/cbv/BizStep-flying"),
            shipping_event(
                "urn:uuid:p-2", readPoint={"id": "https://id.gs1.org/414/6901234000030"}
            ),
        ]
        with self.assertRaisesRegex(UserError, "2 problem") as caught:
            self.Event.capture(events)
        self.assertIn("Event 1 (urn:uuid:p-1)", str(caught.exception))
        self.assertIn("Event 2 (urn:uuid:p-2)", str(caught.exception))

    def test_unknown_di_is_refused_when_the_company_refuses_unknown_master_data(self):
        # was test_unknown_di_is_refused: by default such an event now waits in the inbox
        self.env.company.trace_epcis_unknown_master_data = "refuse"
        with self.assertRaisesRegex(UserError, "06901234999990 .* is not the DI of any device"):
            self.Event.capture(
                [
                    shipping_event(
                        "urn:uuid:u-1", epcList=["https://id.gs1.org/01/06901234999990/21/X1"]
                    )
                ]
            )

    def test_bad_gtin_check_digit_is_refused(self):
        with self.assertRaisesRegex(UserError, "check digit"):
            self.Event.capture(
                [
                    shipping_event(
                        "urn:uuid:g-1", epcList=["https://id.gs1.org/01/06901234500012/21/X1"]
                    )
                ]
            )

    def test_epc_urn_is_read_with_the_company_prefix_its_dot_gives(self):
        self.Event.capture(
            [shipping_event("urn:uuid:g-2", epcList=["urn:epc:id:sgtin:6901234.050001.PM0001"])]
        )
        line = self._stored("urn:uuid:g-2").line_ids
        self.assertEqual((line.product_id, line.lot_id.name), (self.pacemaker, "PM0001"))

    def test_unknown_gln_is_refused_when_the_company_refuses_unknown_master_data(self):
        # was test_unknown_gln_is_refused: by default such an event now waits in the inbox
        self.env.company.trace_epcis_unknown_master_data = "refuse"
        event = shipping_event(
            "urn:uuid:l-1",
            destinationList=[
                {"type": "owning_party", "destination": "https://id.gs1.org/417/6901234000030"}
            ],
        )
        with self.assertRaisesRegex(UserError, "GLN 6901234000030 .* neither a partner"):
            self.Event.capture([event])

    def test_lot_of_another_device_is_refused(self):
        self._lot(self.catheter_variant, "C2405A", expiry=self._date(300))
        event = shipping_event("urn:uuid:w-1", serials=("C2405A",))
        with self.assertRaisesRegex(UserError, "C2405A is a serial number of .*catheter"):
            self.Event.capture([event])

    def test_serial_with_a_quantity_of_two_is_refused(self):
        event = shipping_event(
            "urn:uuid:q-1",
            epcList=[],
            quantityList=[{"epcClass": PACEMAKER_DL.format(serial="PM0001"), "quantity": 2}],
        )
        with self.assertRaisesRegex(UserError, "one serialised unit"):
            self.Event.capture([event])

    def test_lot_of_a_serial_tracked_device_is_refused(self):
        event = shipping_event(
            "urn:uuid:q-2",
            epcList=[],
            quantityList=[
                {"epcClass": "https://id.gs1.org/01/06901234500011/10/L1", "quantity": 2}
            ],
        )
        with self.assertRaisesRegex(UserError, "tracked by serial number"):
            self.Event.capture([event])

    def test_lot_name_outside_the_gs1_character_set_is_refused(self):
        event = shipping_event(
            "urn:uuid:q-3", epcList=["urn:epc:id:sgtin:6901234.050001.PM%230001"]
        )
        with self.assertRaisesRegex(UserError, "not in the GS1 character set"):
            self.Event.capture([event])

    def test_serial_longer_than_a_udi_allows_is_refused(self):
        event = shipping_event("urn:uuid:q-4", serials=("PM" + "0" * 19,))
        with self.assertRaisesRegex(UserError, "PM0000000000000000000"):
            self.Event.capture([event])

    def test_unknown_business_step_is_refused(self):
        event = shipping_event("urn:uuid:s-1", bizStep="https://ref.gs1.org/cbv/BizStep-flying")
        with self.assertRaisesRegex(UserError, "BizStep-flying is not a CBV 2.0 business step"):
            self.Event.capture([event])

    def test_event_that_does_not_follow_the_schema_is_refused(self):
        event = shipping_event("urn:uuid:s-2", action="MOVE")
        with self.assertRaisesRegex(UserError, "not a valid EPCIS 2.0 event"):
            self.Event.capture([event])

    def test_event_time_in_the_future_is_refused(self):
        event = shipping_event("urn:uuid:t-1", eventTime="2999-01-01T00:00:00Z")
        with self.assertRaisesRegex(UserError, "in the future"):
            self.Event.capture([event])

    def test_event_without_event_id_gets_the_cbv_event_hash_id(self):
        event = shipping_event("urn:uuid:x")
        del event["eventID"]
        result = self.Event.capture([event])
        self.assertEqual(result["created"], 1)
        self.assertEqual(
            self.Event.browse(result["event_ids"]).event_uid, event_hash.event_hash_id(event)
        )

    def test_same_event_id_twice_is_stored_once_and_reported(self):
        self.Event.capture([shipping_event("urn:uuid:d-1")])
        result = self.Event.capture(
            [shipping_event("urn:uuid:d-1"), shipping_event("urn:uuid:d-2", serials=("PM0002",))]
        )
        self.assertEqual(result["duplicates"], ["urn:uuid:d-1"])
        self.assertEqual(result["created"], 1)
        self.assertEqual(len(self._stored("urn:uuid:d-1")), 1)

    def test_same_event_id_twice_in_one_batch_is_an_error(self):
        with self.assertRaisesRegex(UserError, "also event 1 of this batch"):
            self.Event.capture([shipping_event("urn:uuid:d-3"), shipping_event("urn:uuid:d-3")])

    def test_onward_shipment_moves_the_holder_from_distributor_to_hospital(self):
        self._receive([(self.pacemaker, "PM0001", 1)])
        serial = self._lot_named(self.pacemaker, "PM0001")
        self._deliver(self.distributor, [(self.pacemaker, serial, 1)])
        self.Event.capture([shipping_event("urn:uuid:o-1")])
        holders = self._holders(serial)
        self.assertEqual(holders[("partner", self.hospital.id)]["quantity"], 1)
        self.assertEqual(holders[("partner", self.distributor.id)]["quantity"], 0)
        self.assertEqual(
            holders[("partner", self.distributor.id)]["received_quantity"],
            1,
            "the distributor is still listed as having received it",
        )

    def test_receiving_after_the_shipment_does_not_move_the_units_twice(self):
        self._receive([(self.pacemaker, "PM0001", 1)])
        serial = self._lot_named(self.pacemaker, "PM0001")
        self._deliver(self.distributor, [(self.pacemaker, serial, 1)])
        self.Event.capture(
            [
                shipping_event("urn:uuid:o-2"),
                shipping_event(
                    "urn:uuid:o-3",
                    bizStep="receiving",
                    disposition="in_progress",
                    eventTime="2025-03-02T09:30:00+08:00",
                ),
            ]
        )
        holders = self._holders(serial)
        self.assertEqual(holders[("partner", self.hospital.id)]["quantity"], 1)
        self.assertEqual(holders[("partner", self.distributor.id)]["quantity"], 0)

    def test_receiving_without_a_shipment_moves_the_units(self):
        self.Event.capture([shipping_event("urn:uuid:o-4", bizStep="receiving")])
        serial = self._lot_named(self.pacemaker, "PM0001")
        self.assertEqual(self._holders(serial)[("partner", self.hospital.id)]["quantity"], 1)

    def test_event_without_source_or_destination_changes_no_holder(self):
        self.Event.capture(
            [
                shipping_event(
                    "urn:uuid:n-1", bizStep="inspecting", sourceList=[], destinationList=[]
                )
            ]
        )
        serial = self._lot_named(self.pacemaker, "PM0001")
        self.assertEqual(self._holders(serial), {})

    def test_shipment_from_our_warehouse_gln_leaves_our_stock_location(self):
        self._receive([(self.pacemaker, "PM0009", 1)])
        event = shipping_event(
            "urn:uuid:o-5",
            serials=("PM0009",),
            sourceList=[{"type": "owning_party", "source": "https://id.gs1.org/417/6901234000016"}],
        )
        self.Event.capture([event])
        line = self._stored("urn:uuid:o-5").line_ids
        self.assertEqual(line.location_id, self.warehouse.lot_stock_id)
        self.assertFalse(line.partner_id)
        self.assertEqual(line.partner_dest_id, self.hospital)

    def test_unknown_serial_of_a_known_device_is_created(self):
        self.Event.capture([shipping_event("urn:uuid:n-2", serials=("PM0100",))])
        self.assertEqual(self._lot_named(self.pacemaker, "PM0100").product_id, self.pacemaker)

    def test_unknown_serial_in_a_delete_event_is_refused(self):
        event = shipping_event(
            "urn:uuid:n-3",
            serials=("PM0101",),
            action="DELETE",
            bizStep="destroying",
            disposition="destroyed",
        )
        with self.assertRaisesRegex(UserError, "PM0101 of .* is unknown here"):
            self.Event.capture([event])

    def test_new_lot_gets_its_expiry_from_the_ilmd(self):
        event = shipping_event(
            "urn:uuid:n-4",
            action="ADD",
            bizStep="commissioning",
            disposition="active",
            epcList=[],
            quantityList=[{"epcClass": CATHETER_DL.format(lot="C2507X"), "quantity": 40}],
            ilmd={"cbvmda:itemExpirationDate": "2028-06-30"},
            sourceList=[],
            destinationList=[],
        )
        self.Event.capture([event])
        lot = self._lot_named(self.catheter_variant, "C2507X")
        self.assertEqual(lot.udi_expiry_date, datetime.date(2028, 6, 30))
        self.assertEqual(self._stored("urn:uuid:n-4").line_ids.quantity, 40)

    def test_new_lot_without_the_expiry_its_label_carries_is_refused(self):
        event = shipping_event(
            "urn:uuid:n-5",
            epcList=[],
            quantityList=[{"epcClass": CATHETER_DL.format(lot="C2507Y"), "quantity": 4}],
        )
        with self.assertRaisesRegex(UserError, "C2507Y .* carries an expiry date"):
            self.Event.capture([event])

    def test_quantity_of_a_higher_packaging_level_counts_base_units(self):
        box = self.env["udi.di"].create(
            {
                "di": "16901234567899",
                "product_tmpl_id": self.catheter.id,
                "packaging_level": "package",
                "contained_di_id": self.catheter.udi_di_ids.id,
                "contained_qty": 10,
            }
        )
        self._lot(self.catheter_variant, "C2508A", expiry=self._date(300))
        event = shipping_event(
            "urn:uuid:k-1",
            epcList=[],
            quantityList=[{"epcClass": f"https://id.gs1.org/01/{box.di}/10/C2508A", "quantity": 3}],
        )
        self.Event.capture([event])
        line = self._stored("urn:uuid:k-1").line_ids
        self.assertEqual((line.quantity, line.udi_di), (30, "06901234567892"))

    def test_unit_of_measure_that_cannot_measure_the_device_is_refused(self):
        self._lot(self.catheter_variant, "C2508B", expiry=self._date(300))
        event = shipping_event(
            "urn:uuid:k-2",
            epcList=[],
            quantityList=[
                {"epcClass": CATHETER_DL.format(lot="C2508B"), "quantity": 3, "uom": "KGM"}
            ],
        )
        with self.assertRaisesRegex(UserError, "unit KGM cannot measure"):
            self.Event.capture([event])

    def test_error_declaration_of_a_stored_event_records_a_correction(self):
        self.Event.capture([shipping_event("urn:uuid:e-1")])
        original = self._stored("urn:uuid:e-1")
        declaration = shipping_event(
            "urn:uuid:e-1",
            errorDeclaration={"declarationTime": "2025-03-02T10:00:00Z", "reason": "did_not_occur"},
        )
        result = self.Event.capture([declaration])
        correction = self.Event.browse(result["corrections"])
        self.assertRecordValues(
            correction,
            [
                {
                    "corrected_event_id": original.id,
                    "error_reason": "did_not_occur",
                    "event_time": datetime.datetime(2025, 3, 2, 10, 0),
                    "origin": "capture",
                }
            ],
        )
        self.assertFalse(correction.line_ids)
        self.assertTrue(original.is_superseded)
        serial = self._lot_named(self.pacemaker, "PM0001")
        self.assertEqual(self._holders(serial), {}, "the shipment no longer counts")

    def test_error_declaration_sent_again_is_a_duplicate(self):
        declaration = shipping_event(
            "urn:uuid:e-2",
            errorDeclaration={"declarationTime": "2025-03-02T10:00:00Z", "reason": "did_not_occur"},
        )
        self.Event.capture([declaration])
        result = self.Event.capture([declaration])
        self.assertEqual((result["duplicates"], result["corrections"]), (["urn:uuid:e-2"], []))

    def test_corrective_event_of_the_same_batch_replaces_the_declared_event(self):
        declaration = shipping_event(
            "urn:uuid:e-3",
            errorDeclaration={
                "declarationTime": "2025-03-02T10:00:00Z",
                "reason": "incorrect_data",
                "correctiveEventIDs": ["urn:uuid:e-4"],
            },
        )
        corrective = shipping_event("urn:uuid:e-4", serials=("PM0002",))
        self.Event.capture([declaration, corrective])
        declared, fixed = self._stored("urn:uuid:e-3"), self._stored("urn:uuid:e-4")
        self.assertEqual(fixed.corrected_event_id, declared)
        self.assertTrue(declared.is_superseded)
        self.assertFalse(fixed.is_superseded)

    def test_user_without_the_traceability_group_is_refused(self):
        clerk = new_test_user(self.env, "epcis_clerk", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.Event.with_user(clerk).capture([shipping_event("urn:uuid:a-1")])

    def test_portal_user_is_refused(self):
        portal = new_test_user(self.env, "epcis_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            self.Event.with_user(portal).capture([shipping_event("urn:uuid:a-2")])

    def test_traceability_user_may_capture(self):
        user = new_test_user(
            self.env, "epcis_wms", groups="base.group_user,udi_master.group_trace_user"
        )
        result = self.Event.with_user(user).capture([shipping_event("urn:uuid:a-3")])
        self.assertEqual(result["created"], 1)


@tagged("post_install", "-at_install")
class TestGs1Examples(CaptureCommon):
    """GS1's own EPCIS 2.0 example documents import, once their GTINs and GLNs exist."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.templates, cls.parties = create_gs1_example_fixtures(cls.env)

    def test_object_event_example_imports(self):
        result = self.Event.import_epcis(load_gs1_example("Example_9.6.1-ObjectEvent.jsonld"))
        self.assertEqual(result["created"], 2)
        receiving = self.Event.browse(result["event_ids"][1])
        self.assertRecordValues(
            receiving,
            [
                {
                    "biz_step": "receiving",
                    "event_tz": "-06:00",
                    "biz_location_gln": "0012345111112",
                    "event_time": datetime.datetime(2005, 4, 5, 2, 33, 31),
                    "biz_transaction": "urn:epcglobal:cbv:bt:0614141073467:1152",
                }
            ],
        )
        self.assertEqual(receiving.line_ids.lot_id.name, "2018")
        self.assertEqual(receiving.line_ids.udi_di, "10614141073464")

    def test_object_event_with_error_declaration_example_imports_declared(self):
        result = self.Event.import_epcis(
            load_gs1_example("Example_9.6.1-ObjectEvent-with-error-declaration.jsonld")
        )
        self.assertEqual(result["created"], 2)
        shipping = self.Event.browse(result["event_ids"][0])
        correction = self.Event.browse(result["corrections"])
        self.assertEqual(correction.corrected_event_id, shipping)
        self.assertEqual(correction.error_reason, "incorrect_data")
        self.assertTrue(shipping.is_superseded)

    def test_aggregation_event_example_imports(self):
        result = self.Event.import_epcis(load_gs1_example("Example_9.6.3-AggregationEvent.jsonld"))
        event = self.Event.browse(result["event_ids"])
        self.assertEqual(event.event_type, "aggregation")
        self.assertEqual(set(event.line_ids.mapped("role")), {"child", "parent"})
        kilos = event.line_ids.filtered(lambda line: line.lot_id.name == "998877")
        self.assertEqual(kilos.quantity, 200.5)
        # the parent SSCC (urn:epc:id:sscc:0614141.1234567890) is a logistic unit line, and a
        # trace from it reaches the children (packing, trace_event_package.py)
        parent = event.line_ids.filtered(lambda line: line.role == "parent")
        self.assertEqual(parent.lot_name, "106141412345678908")
        traced = self.Event.trace_package("urn:epc:id:sscc:0614141.1234567890")
        children = event.line_ids.filtered(lambda line: line.role == "child" and line.lot_id)
        self.assertEqual(traced["package"]["lot_ids"], sorted(children.lot_id.ids))

    def test_transformation_event_example_imports(self):
        result = self.Event.import_epcis(
            load_gs1_example("Example_9.6.4-TransformationEvent.jsonld")
        )
        event = self.Event.browse(result["event_ids"])
        self.assertEqual(event.event_type, "transformation")
        self.assertEqual(len(event.line_ids.filtered(lambda line: line.role == "input")), 5)
        self.assertEqual(len(event.line_ids.filtered(lambda line: line.role == "output")), 4)

    def test_transformation_event_with_digital_link_example_imports(self):
        result = self.Event.import_epcis(
            load_gs1_example("Example_9.6.4-TransformationEventWithDigitalLink.jsonld")
        )
        event = self.Event.browse(result["event_ids"])
        inputs = event.line_ids.filtered(lambda line: line.role == "input")
        self.assertIn(
            ("00614141777778", "987", 30),
            [(line.udi_di, line.lot_name, line.quantity) for line in inputs],
        )

    def test_transformation_outputs_trace_back_to_their_inputs(self):
        result = self.Event.import_epcis(
            load_gs1_example("Example_9.6.4-TransformationEvent.jsonld")
        )
        event = self.Event.browse(result["event_ids"])
        output = event.line_ids.filtered(lambda line: line.role == "output")[:1].lot_id
        reached = {row["lot_name"] for row in self.Event.trace_backward(output.ids)["lots"]}
        self.assertIn("4444", reached)

    def test_example_with_unknown_glns_is_refused_when_the_company_refuses(self):
        self.env.company.trace_epcis_unknown_master_data = "refuse"
        self.parties.write({"udi_gln": False})
        with self.assertRaisesRegex(UserError, "0614141073467"):
            self.Event.import_epcis(load_gs1_example("Example_9.6.1-ObjectEvent.jsonld"))

    def test_document_that_does_not_follow_the_schema_is_refused(self):
        document = load_gs1_example("Example_9.6.1-ObjectEvent.jsonld")
        del document["schemaVersion"]
        with self.assertRaisesRegex(UserError, "schemaVersion"):
            self.Event.import_epcis(document)

    def test_document_as_json_text_imports(self):
        text = json.dumps(load_gs1_example("Example_9.6.1-ObjectEvent.jsonld"))
        self.assertEqual(self.Event.import_epcis(text)["created"], 2)


INTEGRATOR_PASSWORD = "epcis_integrator-pw1"


class CaptureApiCase(HttpCase):
    """An integrator with an API key ("WMS") and the master data of ``shipping_event``: the
    pacemaker's DI and the two partners' GLNs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["product.template"].create(
            {
                "name": "Dual-chamber pacemaker",
                "is_storable": True,
                "tracking": "serial",
                "udi_regulated": True,
                "udi_pi_serial": True,
                "udi_di_ids": [(0, 0, {"di": "06901234500011", "packaging_level": "base"})],
            }
        )
        cls.env["res.partner"].create(
            [
                {"name": "Distributor", "is_company": True, "udi_gln": "6901234000009"},
                {"name": "Hospital", "is_company": True, "udi_gln": "6901234000023"},
            ]
        )
        cls.integrator = new_test_user(
            cls.env,
            "epcis_integrator",
            password=INTEGRATOR_PASSWORD,
            groups="base.group_user,udi_master.group_trace_user",
        )
        cls.api_key = api_key(cls.env, cls.integrator, "WMS")


@tagged("post_install", "-at_install")
class TestCaptureApi(CaptureApiCase):
    """capture as integrators call it: JSON-2 with an API key, and legacy XML-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env, "epcis_api_clerk", password="epcis_api_clerk-pw1", groups="base.group_user"
        )
        cls.clerk_key = api_key(cls.env, cls.clerk, "WMS")

    def _json2(self, events, key):
        return post_json2(self, "/json/2/trace.event/capture", {"events": events}, key)

    def test_json2_capture_stores_the_batch(self):
        response = self._json2(
            [shipping_event("urn:uuid:j-1"), shipping_event("urn:uuid:j-2", serials=("PM0002",))],
            self.api_key,
        )
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual((body["created"], body["duplicates"]), (2, []))
        self.assertEqual(len(body["event_ids"]), 2)

    def test_json2_capture_sent_twice_reports_duplicates(self):
        self._json2([shipping_event("urn:uuid:j-3")], self.api_key)
        body = self._json2([shipping_event("urn:uuid:j-3")], self.api_key).json()
        self.assertEqual((body["created"], body["duplicates"]), (0, ["urn:uuid:j-3"]))

    @mute_logger("odoo.http")
    def test_json2_invalid_batch_is_an_error_naming_the_event(self):
        response = self._json2([shipping_event("urn:uuid:j-4", bizStep="flying")], self.api_key)
        self.assertEqual(response.status_code, 422, response.text)
        self.assertIn("urn:uuid:j-4", response.json()["message"])

    @mute_logger("odoo.http")
    def test_json2_user_without_the_traceability_group_is_refused(self):
        response = self._json2([shipping_event("urn:uuid:j-5")], self.clerk_key)
        self.assertEqual(response.status_code, 403, response.text)

    @mute_logger("odoo.http")
    def test_json2_wrong_api_key_is_refused(self):
        response = self._json2([shipping_event("urn:uuid:j-6")], "not-a-key")
        self.assertEqual(response.status_code, 401, response.text)

    def test_json2_digital_link_is_read_as_the_udi_scan_reads_it(self):
        """The legacy short names of a Digital Link path (gtin, ser), which a scan reads, are
        read by a capture too: one Digital Link parser (udi_master's) for both."""
        uri = "https://id.gs1.org/gtin/06901234500011/ser/PM0009"
        response = self._json2([shipping_event("urn:uuid:j-8", epcList=[uri])], self.api_key)
        self.assertEqual(response.status_code, 200, response.text)
        event = self.env["trace.event"].browse(response.json()["event_ids"])
        self.assertEqual(event.line_ids.lot_id.name, "PM0009")

    @mute_logger("odoo.http")
    def test_json2_digital_link_naming_two_serials_stores_nothing(self):
        """A Digital Link whose query repeats the serial with another value is refused, as a
        scan refuses it, instead of taking the last value."""
        uri = "https://id.gs1.org/01/06901234500011/21/PM0010?21=PM0011"
        response = self._json2([shipping_event("urn:uuid:j-9", epcList=[uri])], self.api_key)
        self.assertEqual(response.status_code, 422, response.text)
        message = response.json()["message"]
        self.assertIn("urn:uuid:j-9", message)
        self.assertIn("(21) appears twice with different values", message)
        self.assertFalse(self.env["trace.event"].search([("event_uid", "=", "urn:uuid:j-9")]))
        self.assertFalse(self.env["stock.lot"].search([("name", "in", ["PM0010", "PM0011"])]))

    def test_json2_export_returns_the_document(self):
        body = self._json2([shipping_event("urn:uuid:j-7")], self.api_key).json()
        response = self.url_open(
            "/json/2/trace.event/export_epcis",
            data=json.dumps({"event_ids": body["event_ids"]}),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"bearer {self.api_key}",
                "X-Odoo-Database": get_db_name(),
            },
        )
        self.assertEqual(response.status_code, 200, response.text)
        document = response.json()
        self.assertEqual(document["type"], "EPCISDocument")
        self.assertEqual(document["epcisBody"]["eventList"][0]["eventID"], "urn:uuid:j-7")

    @mute_logger("odoo.addons.rpc.controllers.xmlrpc")
    def test_xmlrpc_capture_works_for_legacy_integrations(self):
        result = self.xmlrpc_object.execute_kw(
            get_db_name(),
            self.integrator.id,
            INTEGRATOR_PASSWORD,
            "trace.event",
            "capture",
            [[shipping_event("urn:uuid:x-1")]],
            {},
        )
        self.assertEqual(result["created"], 1)

    @mute_logger("odoo.addons.rpc.controllers.xmlrpc", "odoo.http")
    def test_xmlrpc_user_without_the_traceability_group_is_refused(self):
        with self.assertRaisesRegex(xmlrpc.client.Fault, "Only Traceability users"):
            self.xmlrpc_object.execute_kw(
                get_db_name(),
                self.clerk.id,
                "epcis_api_clerk-pw1",
                "trace.event",
                "capture",
                [[shipping_event("urn:uuid:x-2")]],
                {},
            )
