from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user

from odoo.addons.trace_events.tests.common import TraceCommon

INSPECTOR_PASSWORD = "iqc-password"


def gs1(di, expiry=None, lot=None, serial=None):
    """The GS1 human-readable element string of a label."""
    code = f"(01){di}"
    if expiry:
        code += f"(17){expiry.strftime('%y%m%d')}"
    if lot:
        code += f"(10){lot}"
    if serial:
        code += f"(21){serial}"
    return code


class InspectionCommon(TraceCommon):
    """The main warehouse inspects receipts (two steps, WH/Input as inspection stage); a
    licensed supplier; the catheter with a registration certificate and 180 days of minimum
    shelf life; a warehouse clerk and an inspector (password ``iqc-password``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse.udi_incoming_inspection = True
        cls.input_location = cls.warehouse.wh_input_stock_loc_id
        cls.supplier.write(
            {
                "udi_licence_number": "粤食药监械经营许20180123号",
                "udi_licence_expiry": cls._date(400),
            }
        )
        cls.catheter.write(
            {
                "udi_registration_number": "国械注准20213030123",
                "udi_registration_expiry": cls._date(900),
                "udi_min_shelf_life_days": 180,
                "seller_ids": [Command.create({"partner_id": cls.supplier.id, "price": 12.0})],
            }
        )
        cls.implant.write(
            {
                "udi_registration_number": "国械注进20203120456",
                "udi_registration_expiry": cls._date(900),
            }
        )
        cls.clerk = new_test_user(
            cls.env,
            "iqc_clerk",
            name="Zhang Min",
            groups="base.group_user,stock.group_stock_user,udi_master.group_trace_user",
        )
        cls.inspector = new_test_user(
            cls.env,
            "iqc_inspector",
            password=INSPECTOR_PASSWORD,
            name="Chen Jing",
            groups="base.group_user,stock.group_stock_user,udi_inspection.group_udi_inspector",
        )
        cls.Inspection = cls.env["udi.inspection"]
        cls.expiry = cls._date(700)

    @classmethod
    def _purchase(cls, lines, partner=None):
        """A confirmed purchase order of ``lines`` [(product, quantity)]; its receipt."""
        order = cls.env["purchase.order"].create(
            {
                "partner_id": (partner or cls.supplier).id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_qty": qty, "price_unit": 10})
                    for product, qty in lines
                ],
            }
        )
        order.button_confirm()
        return order.picking_ids

    @classmethod
    def _receive_scanned(cls, receipt, scans):
        """The clerk's receipt: one line per scanned label [(scan, quantity)], validated."""
        receipt.move_ids.move_line_ids.unlink()
        moves = {move.product_id: move for move in receipt.move_ids}
        for scan, quantity in scans:
            parsed = cls.env["udi.parser"]._parse_udi(scan)
            product, _level = cls.env["product.product"]._udi_find_by_di(parsed["di"])
            move = moves[product]
            cls.env["stock.move.line"].create(
                {
                    "move_id": move.id,
                    "picking_id": receipt.id,
                    "product_id": product.id,
                    "udi_scan": scan,
                    "quantity": quantity,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                }
            )
        receipt.move_ids.picked = True
        receipt.with_context(skip_backorder=True).button_validate()
        return receipt

    @classmethod
    def _receive_two_lots(cls):
        """30 + 20 catheters of lots IQC-A and IQC-B received from a purchase; their
        inspections (labels scanned at receipt)."""
        receipt = cls._purchase([(cls.catheter_variant, 50)])
        cls._receive_scanned(
            receipt,
            [
                (gs1(cls.catheter.udi_primary_di, cls.expiry, lot="IQC-A"), 30),
                (gs1(cls.catheter.udi_primary_di, cls.expiry, lot="IQC-B"), 20),
            ],
        )
        inspections = cls.Inspection.search([("picking_id", "=", receipt.id)], order="id")
        return receipt, inspections

    @contextmanager
    def assertRefused(self, pattern):
        """A UserError (or AccessError) whose message matches ``pattern``; what the refused
        call did is rolled back (Odoo's assertRaises runs it in a savepoint)."""
        with self.assertRaises(UserError) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)
        self.env.invalidate_all()

    def _record_manual(self, inspection, result="pass", user=None):
        checks = inspection.check_ids.filtered(lambda c: not c.automatic)
        if result == "pass":
            self._attach_certificate(inspection)
        method = {"pass": "action_pass", "fail": "action_fail", "na": "action_not_applicable"}
        getattr(checks.with_user(user or self.clerk), method[result])()

    def _attach_certificate(self, inspection):
        self.env["ir.attachment"].create(
            {
                "name": "CoC.pdf",
                "raw": b"%PDF-1.4 certificate of conformity",
                "res_model": "udi.inspection",
                "res_id": inspection.id,
            }
        )

    def _sign(self, inspection, action, password=INSPECTOR_PASSWORD, reason=None, user=None):
        user = user or self.inspector
        opener = inspection.with_user(user)
        opened = opener.action_release() if action == "release" else opener.action_reject()
        wizard = self.env["udi.inspection.sign.wizard"].with_user(user).browse(opened["res_id"])
        if reason:
            wizard.reason = reason
        wizard.password = password
        return wizard.action_sign()

    def _quant_qty(self, lot, location):
        return sum(
            self.env["stock.quant"]
            .search([("lot_id", "=", lot.id), ("location_id", "=", location.id)])
            .mapped("quantity")
        )
