"""trace.event.export_epcis: EPCIS 2.0 JSON-LD documents of real events, and their import."""

import base64
import copy
import datetime
import json
import uuid

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from ..models.trace_event_epcis import epcis_schema
from .common import TraceCommon
from .test_capture import create_gs1_example_fixtures, load_gs1_example, shipping_event

CATHETER_LOT = "https://id.gs1.org/01/06901234567892/10/{lot}"
PACEMAKER_SERIAL = "https://id.gs1.org/01/06901234500011/21/{serial}"
COMPARED_FIELDS = (
    "event_type", "action", "biz_step", "disposition", "event_time", "event_tz",
    "read_point_id", "read_point_gln", "biz_location_id", "biz_location_gln",
    "source_partner_id", "dest_partner_id", "biz_transaction",
)


class EpcisCommon(TraceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pacemaker = cls.implant.product_variant_id
        cls.receipt = cls._receive([
            (cls.catheter_variant, "C2405A", 30),
            (cls.pacemaker, "PM0001", 1),
            (cls.pacemaker, "PM0002", 1),
        ])
        cls.lot = cls._lot_named(cls.catheter_variant, "C2405A")
        cls.pm1 = cls._lot_named(cls.pacemaker, "PM0001")
        cls.delivery = cls._deliver(cls.distributor, [
            (cls.pacemaker, cls.pm1, 1), (cls.catheter_variant, cls.lot, 12),
        ])
        cls.events = cls.Event.search(
            [("move_id", "in", (cls.receipt.move_ids | cls.delivery.move_ids).ids)]
        )

    def _export(self, events):
        return self.Event.export_epcis(events.ids)

    def _exported(self, event):
        """The dict of ``event`` in its own export."""
        (result,) = self._export(event)["epcisBody"]["eventList"]
        return result

    def _event_of(self, picking, product):
        return self.events.filtered(
            lambda event: event.picking_id == picking and event.move_id.product_id == product
        )


@tagged("post_install", "-at_install")
class TestEpcisExport(EpcisCommon):
    def test_export_of_stock_events_validates_against_the_gs1_schema(self):
        document = self._export(self.events)
        self.assertEqual(epcis_schema().document_errors(document), [])
        self.assertEqual(len(document["epcisBody"]["eventList"]), len(self.events))
        self.assertEqual(document["schemaVersion"], "2.0")
        self.assertIn("https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
                      document["@context"])

    def test_serial_is_exported_in_the_epc_list_as_a_digital_link(self):
        event = self._exported(self._event_of(self.receipt, self.pacemaker))
        self.assertEqual(event["epcList"], [PACEMAKER_SERIAL.format(serial="PM0001"),
                                            PACEMAKER_SERIAL.format(serial="PM0002")])
        self.assertNotIn("quantityList", event)

    def test_lot_is_exported_in_the_quantity_list_with_its_quantity(self):
        event = self._exported(self._event_of(self.receipt, self.catheter_variant))
        self.assertEqual(event["quantityList"],
                         [{"epcClass": CATHETER_LOT.format(lot="C2405A"), "quantity": 30}])

    def test_event_header_follows_the_cbv(self):
        event = self._exported(self._event_of(self.receipt, self.catheter_variant))
        record = self._event_of(self.receipt, self.catheter_variant)
        self.assertEqual((event["type"], event["action"], event["bizStep"], event["disposition"]),
                         ("ObjectEvent", "OBSERVE", "receiving", "in_progress"))
        self.assertEqual(event["eventID"], record.event_uid)
        self.assertEqual(event["readPoint"], {"id": "https://id.gs1.org/414/6901234000016"})
        self.assertEqual(event["eventTimeZoneOffset"], record.event_tz)

    def test_event_time_carries_the_event_time_zone_offset(self):
        record = self.Event._trace_create([{
            "event_type": "object", "action": "observe", "biz_step": "inspecting",
            "event_time": datetime.datetime(2025, 3, 1, 1, 30), "event_tz": "+08:00",
            "origin": "ticket", "company_id": self.env.company.id,
        }])
        event = self._exported(record)
        self.assertEqual(event["eventTime"], "2025-03-01T09:30:00+08:00")
        self.assertEqual(event["eventTimeZoneOffset"], "+08:00")
        self.assertEqual(event["epcList"], [], "an event without lines still validates")

    def test_delivery_names_us_as_source_and_the_partner_as_destination(self):
        event = self._exported(self._event_of(self.delivery, self.pacemaker))
        self.assertIn({"type": "owning_party", "source": "https://id.gs1.org/417/6901234000016"},
                      event["sourceList"])
        self.assertIn({"type": "owning_party",
                       "destination": "https://id.gs1.org/417/6901234000009"},
                      event["destinationList"])

    def test_business_transaction_type_follows_the_operation(self):
        shipped = self._exported(self._event_of(self.delivery, self.pacemaker))
        received = self._exported(self._event_of(self.receipt, self.pacemaker))
        self.assertEqual(shipped["bizTransactionList"][0]["type"], "desadv")
        self.assertEqual(received["bizTransactionList"][0]["type"], "recadv")
        self.assertTrue(shipped["bizTransactionList"][0]["bizTransaction"].startswith(
            "urn:epcglobal:cbv:bt:6901234000016:"))

    def test_internal_move_has_no_source_or_destination(self):
        picking = self._transfer(
            self.warehouse.int_type_id, None, self.stock_location,
            self.warehouse.wh_qc_stock_loc_id or self.stock_location,
            [(self.pacemaker, self._lot_named(self.pacemaker, "PM0002"), 1)],
        )
        event = self._exported(self.Event.search([("picking_id", "=", picking.id)]))
        self.assertNotIn("sourceList", event)
        self.assertNotIn("destinationList", event)

    def test_transformation_exports_inputs_and_outputs(self):
        serial = self._lot(self.pacemaker, "PM0100", manufactured=datetime.date(2025, 2, 1))
        event = self._transformation(serial)
        exported = self._exported(event)
        self.assertEqual(epcis_schema().event_errors(exported), [])
        self.assertEqual(exported["type"], "TransformationEvent")
        self.assertNotIn("action", exported)
        self.assertEqual(exported["inputQuantityList"],
                         [{"epcClass": CATHETER_LOT.format(lot="C2405A"), "quantity": 2}])
        self.assertEqual(exported["outputEPCList"], [PACEMAKER_SERIAL.format(serial="PM0100")])
        self.assertEqual(exported["bizTransactionList"][0]["type"], "prodorder")
        self.assertEqual(exported["ilmd"], {"udit:manufactureDate": "2025-02-01"})

    def _transformation(self, serial):
        return self.Event._trace_create([{
            "event_type": "transformation",
            "biz_step": "commissioning",
            "disposition": "active",
            "event_time": datetime.datetime(2025, 2, 1, 6, 0),
            "event_tz": "+08:00",
            "origin": "production",
            "biz_transaction": "WH/MO/00001",
            "company_id": self.env.company.id,
            "line_ids": [
                (0, 0, {"role": "input", "product_id": self.catheter_variant.id,
                        "udi_di": "06901234567892", "lot_id": self.lot.id, "lot_name": "C2405A",
                        "quantity": 2, "uom_id": self.catheter_variant.uom_id.id}),
                (0, 0, {"role": "output", "product_id": self.pacemaker.id,
                        "udi_di": "06901234500011", "lot_id": serial.id, "lot_name": "PM0100",
                        "quantity": 1, "uom_id": self.pacemaker.uom_id.id}),
            ],
        }])

    def test_association_exports_parent_and_children(self):
        event = self.Event._trace_create([{
            "event_type": "association", "action": "add", "biz_step": "installing",
            "event_time": datetime.datetime(2025, 2, 3, 6, 0), "origin": "repair",
            "company_id": self.env.company.id,
            "line_ids": [
                (0, 0, {"role": "parent", "product_id": self.pacemaker.id,
                        "udi_di": "06901234500011", "lot_id": self.pm1.id, "quantity": 1}),
                (0, 0, {"role": "child", "product_id": self.catheter_variant.id,
                        "udi_di": "06901234567892", "lot_id": self.lot.id, "quantity": 1}),
            ],
        }])
        exported = self._exported(event)
        self.assertEqual(epcis_schema().event_errors(exported), [])
        self.assertEqual(exported["parentID"], PACEMAKER_SERIAL.format(serial="PM0001"))
        self.assertEqual(exported["childQuantityList"][0]["epcClass"],
                         CATHETER_LOT.format(lot="C2405A"))

    def test_quantity_measured_in_kilograms_carries_its_unit_code(self):
        gel = self.env["product.product"].create({
            "name": "Ultrasound gel", "is_storable": True, "tracking": "lot",
            "uom_id": self.env.ref("uom.product_uom_kgm").id,
        })
        self._receive([(gel, "G1", 2.5)])
        event = self.Event.search([("line_ids.product_id", "=", gel.id)])
        (entry,) = self._exported(event)["quantityList"]
        self.assertEqual((entry["quantity"], entry["uom"]), (2.5, "KGM"))
        self.assertTrue(entry["epcClass"].startswith("urn:udi-trace:"),
                        "a product without UDI-DI gets the suite's own URN")

    def test_corrected_event_carries_an_error_declaration_naming_the_correction(self):
        original = self._event_of(self.delivery, self.catheter_variant)
        correction = original._trace_restate("incorrect_data")
        document = self._export(original | correction)
        self.assertEqual(epcis_schema().document_errors(document), [])
        exported = {event["eventID"]: event for event in document["epcisBody"]["eventList"]}
        declaration = exported[original.event_uid]["errorDeclaration"]
        self.assertEqual(declaration["reason"], "incorrect_data")
        self.assertEqual(declaration["correctiveEventIDs"], [correction.event_uid])
        self.assertEqual(declaration["declarationTime"],
                         correction.record_time.strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.assertNotIn("errorDeclaration", exported[correction.event_uid])

    def test_captured_declaration_is_exported_on_the_event_it_declares(self):
        self.Event.capture([shipping_event("urn:uuid:ed-1", serials=("PM0002",))])
        result = self.Event.capture([shipping_event(
            "urn:uuid:ed-1", serials=("PM0002",),
            errorDeclaration={"declarationTime": "2025-03-02T10:00:00Z",
                              "reason": "did_not_occur"})])
        declaration_event = self.Event.browse(result["corrections"])
        (exported,) = self._export(declaration_event)["epcisBody"]["eventList"]
        self.assertEqual(exported["eventID"], "urn:uuid:ed-1")
        self.assertEqual(exported["errorDeclaration"],
                         {"declarationTime": "2025-03-02T10:00:00Z", "reason": "did_not_occur"})

    def test_export_requires_read_access_to_the_events(self):
        clerk = new_test_user(self.env, "epcis_reader", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.Event.with_user(clerk).export_epcis(self.events.ids)

    def test_export_action_downloads_the_selection(self):
        action = self.events[:2].action_export_epcis()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(action["url"],
                         "/trace_events/epcis?ids=" + ",".join(map(str, self.events[:2].ids)))


@tagged("post_install", "-at_install")
class TestEpcisRoundTrip(EpcisCommon):
    def test_export_then_import_reports_every_event_as_a_duplicate(self):
        document = self._export(self.events)
        result = self.Event.import_epcis(document)
        self.assertEqual(result["created"], 0)
        self.assertEqual(sorted(result["duplicates"]), sorted(self.events.mapped("event_uid")))

    def test_export_with_new_event_ids_imports_equivalent_events(self):
        document = copy.deepcopy(self._export(self.events))
        renamed = {}
        for event in document["epcisBody"]["eventList"]:
            renamed[event["eventID"]] = event["eventID"] = f"urn:uuid:{uuid.uuid4()}"
        result = self.Event.import_epcis(document)
        self.assertEqual(result["created"], len(self.events))
        for original in self.events:
            copy_ = self.Event.search([("event_uid", "=", renamed[original.event_uid])])
            self.assertEqual(copy_.origin, "capture")
            for name in COMPARED_FIELDS:
                self.assertEqual(copy_[name], original[name], f"{name} of {original.display_name}")
            self.assertEqual(self._line_facts(copy_), self._line_facts(original))

    def test_reimported_delivery_keeps_who_received_the_units(self):
        document = copy.deepcopy(self._export(self._event_of(self.delivery, self.pacemaker)))
        (event,) = document["epcisBody"]["eventList"]
        event["eventID"] = "urn:uuid:rt-1"
        self.Event.import_epcis(document)
        line = self.Event.search([("event_uid", "=", "urn:uuid:rt-1")]).line_ids
        self.assertEqual((line.location_id, line.partner_dest_id),
                         (self.stock_location, self.distributor))

    @staticmethod
    def _line_facts(event):
        return sorted(
            (line.role, line.product_id.id, line.lot_id.id, line.udi_di, line.quantity)
            for line in event.line_ids
        )


@tagged("post_install", "-at_install")
class TestEpcisImportWizard(TraceCommon):
    def test_wizard_imports_an_uploaded_document_and_shows_the_result(self):
        create_gs1_example_fixtures(self.env)
        document = load_gs1_example("Example_9.6.1-ObjectEvent.jsonld")
        wizard = self.env["trace.epcis.import.wizard"].create({
            "file": base64.b64encode(json.dumps(document).encode()),
            "filename": "Example_9.6.1-ObjectEvent.jsonld",
        })
        wizard.action_import()
        self.assertEqual((wizard.state, wizard.created_count, wizard.duplicate_count),
                         ("done", 2, 0))
        self.assertEqual(len(wizard.event_ids), 2)
        wizard.action_import()
        self.assertEqual((wizard.created_count, wizard.duplicate_count), (0, 2))


@tagged("post_install", "-at_install")
class TestEpcisDownload(HttpCase):
    def test_download_route_returns_a_json_ld_file(self):
        event = self.env["trace.event"]._trace_create([{
            "event_type": "object", "action": "observe", "biz_step": "inspecting",
            "event_time": datetime.datetime(2025, 2, 3, 6, 0), "origin": "ticket",
            "company_id": self.env.company.id,
        }])
        self.authenticate("admin", "admin")
        response = self.url_open(f"/trace_events/epcis?ids={event.id}")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("application/ld+json"))
        self.assertIn(".jsonld", response.headers["Content-Disposition"])
        document = response.json()
        self.assertEqual(epcis_schema().document_errors(document), [])
        self.assertEqual(document["epcisBody"]["eventList"][0]["eventID"], event.event_uid)
