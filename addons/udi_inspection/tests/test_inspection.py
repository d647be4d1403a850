from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import InspectionCommon, gs1


@tagged("post_install", "-at_install")
class TestInspectionOutcomes(InspectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receipt, cls.inspections = cls._receive_two_lots()
        cls.inspection_a, cls.inspection_b = cls.inspections
        cls.lot_a = cls._lot_named(cls.catheter_variant, "IQC-A")
        cls.lot_b = cls._lot_named(cls.catheter_variant, "IQC-B")
        cls.env["audit.seal.entry"]._seal_run_pending()

    def test_receipt_creates_one_pending_inspection_per_lot(self):
        self.assertEqual(self.receipt.location_dest_id, self.input_location)
        self.assertEqual(self.inspections.mapped("state"), ["pending", "pending"])
        self.assertEqual(self.inspections.lot_id, self.lot_a | self.lot_b)
        self.assertEqual(self.inspection_a.quantity, 30)
        self.assertEqual(self.inspection_a.partner_id, self.supplier)
        self.assertEqual(self.inspection_a.purchase_line_id.product_id, self.catheter_variant)
        self.assertEqual(self.receipt.udi_inspection_count, 2)
        self.assertEqual(self._quant_qty(self.lot_a, self.input_location), 30)

    def test_scan_at_receipt_passes_every_automatic_check(self):
        automatic = self.inspection_a.check_ids.filtered("automatic")
        self.assertEqual(set(automatic.mapped("result")), {"pass"}, automatic.mapped("detail"))
        self.assertTrue(all(automatic.mapped("user_id")) and all(automatic.mapped("checked_at")))
        manual = self.inspection_a.check_ids - automatic
        self.assertEqual(set(manual.mapped("result")), {"pending"})

    def test_next_step_of_the_receipt_reserves_nothing_before_release(self):
        storage = self.receipt.move_ids.move_dest_ids
        self.assertEqual(storage.location_id, self.input_location)
        self.assertFalse(storage.move_line_ids, "blocked lots are not reserved")

    def test_release_moves_the_lot_to_stock_and_makes_it_reservable(self):
        self._record_manual(self.inspection_a)
        self._sign(self.inspection_a, "release")
        self.assertEqual(self.inspection_a.state, "released")
        self.assertEqual(self.inspection_a.decided_by_id, self.inspector)
        signature = self.inspection_a.signature_id
        self.assertEqual(signature.meaning, "inspection_release")
        self.assertEqual(signature.user_id, self.inspector)
        self.assertFalse(signature._recall_binding_problem())
        self.assertEqual(self._quant_qty(self.lot_a, self.stock_location), 30)
        self.assertEqual(self._quant_qty(self.lot_a, self.input_location), 0)
        self.assertEqual(self._quant_qty(self.lot_b, self.input_location), 20, "B still waits")
        delivery = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.distributor.id,
                "location_id": self.stock_location.id,
                "location_dest_id": self.customer_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.catheter_variant.id,
                            "product_uom_qty": 10,
                            "location_id": self.stock_location.id,
                            "location_dest_id": self.customer_location.id,
                        }
                    )
                ],
            }
        )
        delivery.action_confirm()
        delivery.action_assign()
        self.assertEqual(delivery.move_ids.move_line_ids.lot_id, self.lot_a)
        self.assertEqual(delivery.state, "assigned")

    def test_release_refused_while_checks_are_open_or_failed(self):
        with self.assertRefused("record the checks"):
            self.inspection_a.with_user(self.inspector).action_release()
        checks = self.inspection_a.check_ids.filtered(lambda c: not c.automatic)
        checks.filtered(lambda c: c.code == "packaging").with_user(self.clerk).action_fail()
        (checks.filtered(lambda c: c.code != "packaging")).with_user(
            self.clerk
        ).action_not_applicable()
        with self.assertRefused("failed"):
            self.inspection_a.with_user(self.inspector).action_release()
        self.assertEqual(self.inspection_a.state, "pending")

    def test_reject_creates_nonconformity_and_draft_return_and_keeps_stock_blocked(self):
        self._record_manual(self.inspection_b, "fail")
        self._sign(self.inspection_b, "reject", reason="Sterile barrier torn on 3 cartons")
        inspection = self.inspection_b
        self.assertEqual(inspection.state, "rejected")
        self.assertEqual(inspection.signature_id.meaning, "inspection_reject")
        nc = inspection.nonconformity_id
        self.assertEqual(nc.udi_inspection_id, inspection)
        self.assertEqual(
            (nc.udi_product_id, nc.udi_lot_id, nc.partner_id),
            (self.catheter_variant, self.lot_b, self.supplier),
        )
        self.assertIn("Sterile barrier torn", nc.description)
        self.assertEqual((nc.res_model, nc.res_id), ("udi.inspection", inspection.id))
        # quality_capa's device links: the nonconformity is found from the device and the lot
        self.assertEqual(nc.capa_source, "inspection")
        self.assertEqual((nc.product_ids, nc.lot_ids), (self.catheter_variant, self.lot_b))
        self.assertEqual(nc.udi_di_ids, self.catheter_variant.product_tmpl_id.udi_di_ids)
        self.assertEqual(self.lot_b.capa_nonconformity_count, 1)
        back = inspection.return_picking_id
        self.assertEqual(back.state, "draft")
        self.assertEqual(back.location_id, self.input_location)
        self.assertEqual(back.location_dest_id, self.supplier_location)
        self.assertEqual(back.return_id, self.receipt)
        self.assertEqual(back.move_ids.product_uom_qty, 20)
        self.assertIn("IQC-B", back.note)
        self.assertEqual(self._quant_qty(self.lot_b, self.input_location), 20)
        storage = self.receipt.move_ids.move_dest_ids.filtered(
            lambda m: m.state not in ("done", "cancel")
        )
        self.assertEqual(sum(storage.mapped("product_uom_qty")), 30, "only lot A left to store")
        # the rejected units can go back to the supplier, nowhere else
        with self.assertRefused("rejected at incoming inspection"):
            self._transfer(
                self.env.ref("stock.picking_type_internal"),
                None,
                self.input_location,
                self.stock_location,
                [(self.catheter_variant, self.lot_b, 20)],
            )
        back.action_confirm()
        back.action_assign()
        self.assertEqual(back.move_line_ids.lot_id, self.lot_b, "the rejected lot goes back")
        self.assertEqual(back.move_line_ids.quantity, 20)
        back.move_ids.picked = True
        back.button_validate()
        self.assertEqual(back.state, "done")
        self.assertEqual(self._quant_qty(self.lot_b, self.input_location), 0)

    def test_reject_needs_a_reason(self):
        with self.assertRefused("reason"):
            self._sign(self.inspection_b, "reject")
        self.assertEqual(self.inspection_b.state, "pending")

    def test_wrong_password_changes_nothing(self):
        self._record_manual(self.inspection_a)
        with self.assertRaises(UserError) as caught:  # in a savepoint, rolled back
            self._sign(self.inspection_a, "release", password="not-it")
        self.assertIn("Wrong password", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(self.inspection_a.state, "pending")
        self.assertFalse(self.inspection_a.signature_id)
        self.assertEqual(self._quant_qty(self.lot_a, self.input_location), 30)
        with self.assertRaises(UserError) as caught:
            self._sign(self.inspection_b, "reject", password="not-it", reason="Torn")
        self.assertIn("Wrong password", str(caught.exception))
        self.env.invalidate_all()  # what the database holds after the refusal
        self.assertEqual(self.inspection_b.state, "pending")
        self.assertFalse(self.inspection_b.decision_note)
        self.assertFalse(self.inspection_b.nonconformity_id)
        self.assertFalse(
            self.env["mgmtsystem.nonconformity"].search(
                [("udi_inspection_id", "=", self.inspection_b.id)]
            )
        )

    def test_clerk_records_checks_but_cannot_release_or_reject(self):
        self._record_manual(self.inspection_a)
        with self.assertRefused("Only an Inspector"):
            self.inspection_a.with_user(self.clerk).action_release()
        with self.assertRaises(AccessError):
            self.env["udi.inspection.sign.wizard"].with_user(self.clerk).create(
                {"inspection_id": self.inspection_a.id, "action": "release"}
            )
        with self.assertRefused("Only an Inspector"):
            self.inspection_a.with_user(self.clerk)._udi_release(self.env["recall.signature"])
        self.assertEqual(self.inspection_a.state, "pending")

    def test_certificate_needs_an_attachment(self):
        certificate = self.inspection_a.check_ids.filtered(lambda c: c.code == "certificate")
        with self.assertRefused("certificate of conformity"):
            certificate.with_user(self.clerk).action_pass()
        self._attach_certificate(self.inspection_a)
        certificate.with_user(self.clerk).action_pass()
        self.assertEqual(certificate.result, "pass")
        self.assertEqual(certificate.user_id, self.clerk)

    def test_state_and_results_are_not_writable(self):
        with self.assertRaises(AccessError):
            self.inspection_a.with_user(self.inspector).write({"state": "released"})
        with self.assertRaises(AccessError):
            self.inspection_a.check_ids[:1].with_user(self.inspector).write({"result": "pass"})
        with self.assertRaises(AccessError):
            self.inspection_a.sudo().write({"state": "released"})
        with self.assertRaises(UserError):  # sealed, and set by the workflow only
            self.inspection_a.sudo().write({"quantity": 1, "lot_id": self.lot_b.id})
        self.assertEqual(self.inspection_a.state, "pending")

    def test_decided_inspection_cannot_change(self):
        self._record_manual(self.inspection_a)
        self._sign(self.inspection_a, "release")
        with self.assertRefused("already decided"):
            self.inspection_a.with_user(self.clerk).write(
                {"udi_scan": gs1(self.catheter.udi_primary_di, self.expiry, lot="IQC-A")}
            )
        with self.assertRefused("already decided"):
            self.inspection_a.with_user(self.inspector).action_reject()


@tagged("post_install", "-at_install")
class TestAutomaticChecks(InspectionCommon):
    """Each automatic check fails on the label or the master data that breaks it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receipt = cls._purchase([(cls.catheter_variant, 10)])
        cls._receive_scanned(
            cls.receipt, [(gs1(cls.catheter.udi_primary_di, cls.expiry, lot="IQC-C"), 10)]
        )
        cls.inspection = cls.Inspection.search([("picking_id", "=", cls.receipt.id)])

    def _scan(self, code):
        self.inspection.with_user(self.clerk).write({"udi_scan": code})
        return {c.code: (c.result, c.detail) for c in self.inspection.check_ids}

    def test_scan_of_another_device_fails_the_di_check(self):
        results = self._scan(gs1(self.implant.udi_primary_di, serial="PM-1"))
        self.assertEqual(results["di"][0], "fail")
        self.assertIn("not to the purchased", results["di"][1])
        self.assertEqual(self.inspection.scanned_by_id, self.clerk)

    def test_scan_of_another_companys_device_does_not_name_it(self):
        other = self.env["res.company"].create({"name": "Other Maker"})
        self.env["product.template"].create(
            {
                "name": "Secret prototype valve",
                "company_id": other.id,
                "udi_di_ids": [(0, 0, {"di": "06901234599992", "packaging_level": "base"})],
            }
        )
        results = self._scan(gs1("06901234599992", serial="X-1"))
        self.assertEqual(results["di"][0], "fail")
        self.assertNotIn("Secret prototype valve", results["di"][1])
        self.assertIn("No device has the UDI-DI 06901234599992", results["di"][1])

    def test_scan_of_another_lot_fails_the_lot_check(self):
        results = self._scan(gs1(self.catheter.udi_primary_di, self.expiry, lot="IQC-X"))
        self.assertEqual(results["di"][0], "pass")
        self.assertEqual(results["lot"][0], "fail")
        self.assertIn("IQC-X", results["lot"][1])

    def test_other_expiry_on_the_label_fails_the_expiry_check(self):
        results = self._scan(gs1(self.catheter.udi_primary_di, self._date(500), lot="IQC-C"))
        self.assertEqual(results["expiry"][0], "fail")

    def test_expiry_too_close_fails_the_shelf_life_check(self):
        self.catheter.udi_min_shelf_life_days = 800
        results = self._scan(gs1(self.catheter.udi_primary_di, self.expiry, lot="IQC-C"))
        self.assertEqual(results["shelf_life"][0], "fail")
        self.assertIn("800 required", results["shelf_life"][1])

    def test_expired_supplier_licence_fails_the_licence_check(self):
        self.supplier.udi_licence_expiry = self._date(-1)
        results = self._scan(gs1(self.catheter.udi_primary_di, self.expiry, lot="IQC-C"))
        self.assertEqual(results["licence"][0], "fail")
        self.assertIn("expired", results["licence"][1])

    def test_expired_registration_fails_the_registration_check(self):
        self.catheter.udi_registration_expiry = self._date(-10)
        results = self._scan(gs1(self.catheter.udi_primary_di, self.expiry, lot="IQC-C"))
        self.assertEqual(results["registration"][0], "fail")

    def test_scanner_read_anywhere_on_the_form_fills_the_scan_then_checks(self):
        code = gs1(self.catheter.udi_primary_di, self.expiry, lot="IQC-X")
        draft = self.inspection.with_user(self.clerk).new(origin=self.inspection)
        draft._barcode_scanned = code
        draft._on_barcode_scanned()
        self.assertEqual(draft.udi_scan, code)
        results = self._scan(draft.udi_scan)  # the Check button saves it
        self.assertEqual(results["lot"][0], "fail")

    def test_unreadable_scan_is_refused_and_changes_nothing(self):
        before = self.inspection.udi_scan
        with self.assertRaises(ValidationError):
            self._scan("(01)06901234567890(10)BAD")
        self.assertEqual(self.inspection.udi_scan, before)

    def test_failed_check_blocks_release(self):
        self._scan(gs1(self.catheter.udi_primary_di, self.expiry, lot="IQC-X"))
        self._record_manual(self.inspection)
        with self.assertRefused("failed"):
            self.inspection.with_user(self.inspector).action_release()


@tagged("post_install", "-at_install")
class TestSerialsAndOtherProducts(InspectionCommon):
    def test_serials_are_inspected_one_by_one(self):
        receipt = self._purchase([(self.implant.product_variant_id, 2)])
        di = self.implant.udi_primary_di
        self._receive_scanned(
            receipt, [(gs1(di, serial="PM-IQC-1"), 1), (gs1(di, serial="PM-IQC-2"), 1)]
        )
        inspections = self.Inspection.search([("picking_id", "=", receipt.id)], order="id")
        self.assertEqual(inspections.mapped("quantity"), [1, 1])
        self.assertEqual(inspections.lot_id.mapped("name"), ["PM-IQC-1", "PM-IQC-2"])
        first = inspections[0]
        self.assertEqual(first.check_ids.filtered(lambda c: c.code == "lot").result, "pass")
        self.assertEqual(first.check_ids.filtered(lambda c: c.code == "expiry").result, "na")
        self._record_manual(first)
        self._sign(first, "release")
        self.assertEqual(self._quant_qty(first.lot_id, self.stock_location), 1)
        self.assertEqual(self._quant_qty(inspections[1].lot_id, self.input_location), 1)

    def test_products_that_are_not_regulated_pass_without_inspection(self):
        gauze = self.env["product.product"].create({"name": "Gauze swab", "is_storable": True})
        receipt = self._purchase([(gauze, 10)])
        receipt.button_validate()
        self.assertFalse(self.Inspection.search([("picking_id", "=", receipt.id)]))
        storage = receipt.move_ids.move_dest_ids
        self.assertEqual(storage.location_id, self.input_location)
        self.assertEqual(storage.state, "assigned", "the next step reserves it at once")
