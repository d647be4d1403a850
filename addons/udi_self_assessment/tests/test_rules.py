"""Each compliance rule: a record that breaks it is found, the same record fixed is not."""

from datetime import timedelta

from odoo.tests import tagged

from .common import SelfAssessmentCommon


@tagged("post_install", "-at_install")
class TestComplianceRules(SelfAssessmentCommon):
    # ------------------------------------------------------------------ T16

    def test_t16_class_iii_move_without_lot_is_found_a_serial_move_is_not(self):
        cement = self.env["product.template"].create(
            {
                "name": "Bone cement 40 g",
                "is_storable": True,
                "tracking": "none",
                "udi_regulated": True,
                "udi_eu_class": "3",
                "udi_di_ids": [(0, 0, {"di": "06901234500318", "packaging_level": "base"})],
            }
        )
        untracked = self._receive([(cement.product_variant_id, None, 5)]).move_line_ids
        serial = self._receive([(self.implant.product_variant_id, "SN-T16-OK", 1)]).move_line_ids
        found = self._found("T16")
        self.assertIn(("stock.move.line", untracked.id), found)
        self.assertIn("no lot/serial number", found[("stock.move.line", untracked.id)])
        self.assertNotIn(("stock.move.line", serial.id), found)

    def test_t16_implant_without_di_is_found_until_its_di_is_recorded(self):
        stent = self.env["product.template"].create(
            {
                "name": "Coronary stent 3.0 x 18 mm",
                "is_storable": True,
                "tracking": "serial",
                "udi_regulated": True,
                "udi_pi_serial": True,
                "udi_implantable": True,
            }
        )
        line = self._receive([(stent.product_variant_id, "ST-0001", 1)]).move_line_ids
        found = self._found("T16")
        self.assertIn("no active UDI-DI", found[("stock.move.line", line.id)])
        stent.udi_di_ids = [(0, 0, {"di": "06901234500486", "packaging_level": "base"})]
        self.assertNotIn(("stock.move.line", line.id), self._found("T16"))

    # ------------------------------------------------------------------ T7

    def _consignee(self, name, country):
        return self.env["res.partner"].create(
            {"name": name, "is_company": True, "country_id": country.id}
        )

    def _ship_catheter(self, partner, lot_name, qty=1):
        """A receipt of ``lot_name`` then a delivery of ``qty`` to ``partner``: its line's key."""
        self._receive([(self.catheter_variant, lot_name, 10)])
        lot = self._lot_named(self.catheter_variant, lot_name)
        line = self._deliver(partner, [(self.catheter_variant, lot, qty)]).move_line_ids
        return ("stock.move.line", line.id)

    def test_t7_shipment_before_publication_in_the_destination_database_is_found(self):
        key = self._ship_catheter(self.distributor, "T7-LOT", 2)
        self.assertIn("NMPA", self._found("T7")[key])
        # published in GUDID only: the destination is in China, NMPA is what counts
        self._publish(self.catheter, "gudid", self._date(-30))
        self.assertIn(key, self._found("T7"))
        self._publish(self.catheter, "nmpa", self._date(-30))
        self.assertNotIn(key, self._found("T7"))

    def test_t7_us_customer_of_a_device_published_only_in_nmpa_is_found(self):
        self._publish(self.catheter, "nmpa", self._date(-30))
        china = self._ship_catheter(self.distributor, "T7-CN")
        usa = self._ship_catheter(self._consignee("Boston Heart Clinic", self.usa), "T7-US")
        found = self._found("T7")
        self.assertNotIn(china, found)
        self.assertIn("GUDID", found[usa])

    def test_t7_eudamed_destination_without_an_eudamed_publication_is_found(self):
        self._publish(self.catheter, "nmpa", self._date(-30))
        self._publish(self.catheter, "gudid", self._date(-30))
        clinic = self._consignee("Charité Berlin", self.env.ref("base.de"))
        key = self._ship_catheter(clinic, "T7-DE")
        self.assertIn("EUDAMED", self._found("T7")[key])
        self._publish(self.catheter, "eudamed", self._date(-30))
        self.assertNotIn(key, self._found("T7"))

    def test_t7_destination_outside_every_udi_jurisdiction_is_not_judged(self):
        brazil = self._ship_catheter(
            self._consignee("Hospital Sírio-Libanês", self.env.ref("base.br")), "T7-BR"
        )
        china = self._ship_catheter(self.distributor, "T7-CN")
        found = self._found("T7")
        self.assertNotIn(brazil, found)
        self.assertIn(china, found)

    def test_t7_publication_after_the_shipping_date_does_not_excuse_the_shipment(self):
        key = self._ship_catheter(self.distributor, "T7-LATE")
        self._publish(self.catheter, "nmpa", self._date(3))
        self.assertIn(key, self._found("T7"))

    def test_t7_shipment_after_the_di_was_discontinued_is_found_one_before_is_not(self):
        di = self._publish(self.catheter, "nmpa", self._date(-30))
        before = self._ship_catheter(self.distributor, "T7-OLD")
        self.env["stock.move.line"].browse(before[1]).date -= timedelta(days=1)
        di.action_discontinue()
        after = self._ship_catheter(self.distributor, "T7-NEW")
        found = self._found("T7")
        self.assertNotIn(before, found)
        self.assertIn("discontinued", found[after])

    # ------------------------------------------------------------------ chronology

    def _shipping_event(self, serial, when, **values):
        return self.Event._trace_create(
            [
                {
                    "event_type": "object",
                    "action": "observe",
                    "biz_step": "shipping",
                    "disposition": "in_transit",
                    "event_time": when,
                    "origin": "capture",
                    "source_partner_id": self.distributor.id,
                    "dest_partner_id": self.hospital.id,
                    "biz_transaction": "HD-DN-CHRONO",
                    "company_id": self.company.id,
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": serial.product_id.id,
                                "lot_id": serial.id,
                                "lot_name": serial.name,
                                "quantity": 1,
                                "uom_id": serial.product_id.uom_id.id,
                                "partner_id": self.distributor.id,
                                "partner_dest_id": self.hospital.id,
                            },
                        )
                    ],
                    **values,
                }
            ]
        )

    def test_chronology_shipment_before_receipt_is_found_until_declared_erroneous(self):
        self._receive([(self.implant.product_variant_id, "SN-CHRONO-1", 1)])
        serial = self._lot_named(self.implant.product_variant_id, "SN-CHRONO-1")
        received = self.Event.search(
            [("line_ids.lot_id", "=", serial.id), ("biz_step", "=", "receiving")]
        )
        early = self._shipping_event(serial, received.event_time - timedelta(days=2))
        later = self._shipping_event(serial, received.event_time + timedelta(minutes=5))
        found = self._found("CHRONO")
        self.assertIn("before it was made or received", found[("trace.event", early.id)])
        self.assertNotIn(("trace.event", later.id), found)
        # the distributor declares the early event erroneous (EPCIS error declaration)
        self.Event._trace_create(
            [
                {
                    "event_type": "object",
                    "action": "observe",
                    "biz_step": "shipping",
                    "event_time": early.event_time,
                    "origin": "correction",
                    "corrected_event_id": early.id,
                    "error_reason": "did_not_occur",
                    "company_id": self.company.id,
                }
            ]
        )
        self.assertNotIn(("trace.event", early.id), self._found("CHRONO"))

    def test_chronology_counts_an_inventory_count_as_the_entry_of_a_lot(self):
        """Stock that predates the suite enters by an inventory adjustment: its shipment is not
        "before it was received" because of a later return."""
        lot = self._lot(self.catheter_variant, "CHRONO-INV", self._date(700), self._date(-10))
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": self.catheter_variant.id,
                "location_id": self.stock_location.id,
                "lot_id": lot.id,
                "inventory_quantity": 10,
            }
        ).action_apply_inventory()
        delivery = self._deliver(self.distributor, [(self.catheter_variant, lot, 2)])
        shipped = self.Event.search([("picking_id", "=", delivery.id)])
        self.Event._trace_create(
            [
                {
                    "event_type": "object",
                    "action": "observe",
                    "biz_step": "receiving",
                    "disposition": "returned",
                    "event_time": shipped.event_time + timedelta(days=3),
                    "origin": "capture",
                    "source_partner_id": self.distributor.id,
                    "company_id": self.company.id,
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": self.catheter_variant.id,
                                "lot_id": lot.id,
                                "lot_name": lot.name,
                                "quantity": 1,
                                "uom_id": self.catheter_variant.uom_id.id,
                                "partner_id": self.distributor.id,
                            },
                        )
                    ],
                }
            ]
        )
        self.assertNotIn(("trace.event", shipped.id), self._found("CHRONO"))

    # ------------------------------------------------------------------ expiry

    def test_expiry_not_after_manufacture_is_found_and_a_corrected_lot_is_not(self):
        same_day = self._lot(self.catheter_variant, "EXP-SAME", self._date(-10), self._date(-10))
        good = self._lot(self.catheter_variant, "EXP-GOOD", self._date(700), self._date(-10))
        found = self._found("EXP")
        self.assertIn(("stock.lot", same_day.id), found)
        self.assertNotIn(("stock.lot", good.id), found)
        same_day.expiration_date = same_day._udi_date_to_datetime(self._date(720))
        self.assertNotIn(("stock.lot", same_day.id), self._found("EXP"))

    def test_expiry_before_manufacture_written_by_an_import_is_found(self):
        lot = self._lot(self.catheter_variant, "EXP-IMPORT", self._date(700), self._date(-10))
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_lot SET expiration_date = %s WHERE id = %s",
            [lot._udi_date_to_datetime(self._date(-40)), lot.id],
        )
        self.assertIn("not after its manufacture date", self._found("EXP")[("stock.lot", lot.id)])

    # ------------------------------------------------------------------ licences

    def test_licence_expired_before_the_shipping_date_is_found_a_valid_one_is_not(self):
        self._receive([(self.catheter_variant, "LIC-LOT", 10)])
        lot = self._lot_named(self.catheter_variant, "LIC-LOT")
        delivery = self._deliver(self.distributor, [(self.catheter_variant, lot, 2)])
        key = ("stock.picking", delivery.id)
        self.assertNotIn(key, self._found("LIC"))
        # the licence on record was wrong: it had expired five days before the shipment
        self.distributor.udi_licence_expiry = self._date(-5)
        self.assertIn(self.distributor.udi_licence_number, self._found("LIC")[key])
        self.distributor.udi_licence_expiry = self._date(200)
        self.assertNotIn(key, self._found("LIC"))

    def test_licence_missing_for_a_role_that_requires_one_is_found(self):
        self._receive([(self.catheter_variant, "LIC-MISS", 10)])
        lot = self._lot_named(self.catheter_variant, "LIC-MISS")
        delivery = self._deliver(self.distributor, [(self.catheter_variant, lot, 1)])
        self.distributor.write({"udi_licence_number": False, "udi_licence_expiry": False})
        self.assertIn("no business licence", self._found("LIC")[("stock.picking", delivery.id)])

    # ------------------------------------------------------------------ GLNs

    def test_party_of_events_without_gln_is_found_until_it_has_one(self):
        self._receive([(self.catheter_variant, "GLN-LOT", 10)], partner=self.supplier)
        found = self._found("GLN")
        self.assertIn(("res.partner", self.supplier.id), found)
        self.assertNotIn(("stock.location", self.stock_location.id), found)
        self.supplier.udi_gln = "6901234000559"
        self.assertNotIn(("res.partner", self.supplier.id), self._found("GLN"))

    def test_location_of_events_whose_company_has_no_gln_is_found(self):
        self._receive([(self.catheter_variant, "GLN-LOC", 10)])
        self.company.partner_id.udi_gln = False
        found = self._found("GLN")
        self.assertIn("no GLN", found[("stock.location", self.stock_location.id)])

    # ------------------------------------------------------------------ DI records

    def test_published_di_record_with_missing_data_is_found_until_completed(self):
        self.assertNotIn(("product.template", self.catheter.id), self._found("DIREC"))
        # DI trigger attributes are bound by the signed approval: set before it
        self.catheter.write({"udi_model": "CVC-7F-20", "udi_mri_safety": "conditional"})
        self._publish(self.catheter, "nmpa", self._date(-1))
        found = self._found("DIREC")
        self.assertIn("NMPA", found[("product.template", self.catheter.id)])
        self.company.write(
            {"vat": "91310000MA1FL4XQ1B", "phone": "+86 21 5555 0100", "email": "ra@example.com"}
        )
        self.catheter.write(
            {
                "udi_description": "Central venous catheter, 7 Fr, 20 cm, triple lumen",
                "udi_nmpa_category_code": "14-01-02",
                "udi_registration_number": "国械注准20193140001",
                "udi_nmpa_class": "3",
            }
        )
        found = self._found("DIREC")
        self.assertNotIn(("product.template", self.catheter.id), found, found)

    def test_di_record_published_in_eudamed_is_checked_with_the_eudamed_rules(self):
        self._publish(self.catheter, "eudamed", self._date(-1))
        found = self._found("DIREC")
        detail = found[("product.template", self.catheter.id)]
        self.assertIn("EUDAMED", detail)
