import base64
import datetime

from odoo import Command, api, fields, models

#: (lot, quantity, outcome) of the demo receipt of catheter kits
DEMO_LOTS = [("CVC2511-031", 40, "release"), ("CVC2511-032", 20, "reject")]
DEMO_XMLIDS = {"release": "demo_inspection_released", "reject": "demo_inspection_rejected"}
DEMO_REJECTION = (
    "Two outer cartons crushed in transit; the sterile barrier of three pouches is breached "
    "(外箱压损，3 个无菌包装破损)."
)


class UdiInspectionDemo(models.AbstractModel):
    """Demo data built through the flows users run (demo/inspection_demo.xml, loaded after the
    other scenarios: from then on the main warehouse inspects its receipts). A purchase of
    catheter kits from a contract maker is received by scanning; lot CVC2511-031 passes and is
    released by the quality manager, lot CVC2511-032 arrives with crushed cartons and is
    rejected (nonconformity, draft return)."""

    _name = "udi.demo.inspection"
    _description = "Demo: incoming inspections"

    @api.model
    def _demo_scenario(self):
        """Build the demo once; returns the inspections, or False when it ran before or the
        udi_master demo is missing."""
        env = self.env
        if env.ref("udi_trace_demo.demo_inspection_released", raise_if_not_found=False):
            return False
        catheter = env.ref("udi_master.product_catheter", raise_if_not_found=False)
        clerk = env.ref("udi_master.user_warehouse_clerk", raise_if_not_found=False)
        manager = env.ref("udi_master.user_quality_manager", raise_if_not_found=False)
        if not (catheter and clerk and manager):
            return False
        records = self._demo_build(catheter, clerk, manager, "qm")
        env["ir.model.data"]._update_xmlids(
            [
                {"xml_id": f"udi_trace_demo.{name}", "record": record, "noupdate": True}
                for name, record in records.items()
            ]
        )
        return records["demo_inspection_released"] | records["demo_inspection_rejected"]

    @api.model
    def _demo_build(self, catheter, clerk, manager, password):
        """The main warehouse starts inspecting; the purchase of ``catheter`` kits is received
        by ``clerk``, one lot released and one rejected by ``manager`` (signing with
        ``password``). Returns the records the demo names, by external id."""
        self = self.sudo().with_context(tracking_disable=True)
        env = self.env
        env.ref("stock.warehouse0").udi_incoming_inspection = True
        catheter.write(
            {
                "udi_registration_expiry": fields.Date.today() + datetime.timedelta(days=1000),
                "udi_min_shelf_life_days": 365,
            }
        )
        supplier = self._demo_supplier()
        receipt = self._demo_receive(catheter.product_variant_id, supplier)
        inspections = env["udi.inspection"].search([("picking_id", "=", receipt.id)])
        by_lot = {inspection.lot_id.name: inspection for inspection in inspections}
        records = {"demo_receipt_catheters": receipt, "demo_partner_contract_maker": supplier}
        for lot, _quantity, outcome in DEMO_LOTS:
            inspection = by_lot[lot]
            self._demo_inspect(inspection, clerk, outcome)
            self._demo_decide(inspection, manager, password, outcome)
            records[DEMO_XMLIDS[outcome]] = inspection
        return records

    @api.model
    def _demo_supplier(self):
        supplier = self.env["res.partner"].create(
            {
                "name": "Suzhou MedPlast Contract Manufacturing Co., Ltd. "
                "(苏州医塑合同制造有限公司)",
                "is_company": True,
                "city": "Suzhou",
                "country_id": self.env.ref("base.cn").id,
                "udi_role_ids": [Command.set(self.env.ref("udi_master.partner_role_supplier").ids)],
                "udi_licence_number": "苏食药监械生产许20160045号",
                "udi_licence_expiry": fields.Date.today() + datetime.timedelta(days=730),
            }
        )
        return supplier

    @api.model
    def _demo_label(self, product, lot):
        expiry = fields.Date.today() + datetime.timedelta(days=900)
        return f"(01){product.udi_primary_di}(17){expiry.strftime('%y%m%d')}(10){lot}"

    @api.model
    def _demo_receive(self, product, supplier):
        """The purchase, and its receipt scanned label by label and validated."""
        order = self.env["purchase.order"].create(
            {
                "partner_id": supplier.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_qty": sum(qty for _lot, qty, _outcome in DEMO_LOTS),
                            "price_unit": 95.0,
                        }
                    )
                ],
            }
        )
        order.button_confirm()
        receipt = order.picking_ids
        move = receipt.move_ids
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "picking_id": receipt.id,
                    "product_id": product.id,
                    "udi_scan": self._demo_label(product, lot),
                    "quantity": quantity,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                }
                for lot, quantity, _outcome in DEMO_LOTS
            ]
        )
        move.picked = True
        receipt.with_context(skip_backorder=True).button_validate()
        return receipt

    @api.model
    def _demo_inspect(self, inspection, clerk, outcome):
        """The clerk scans the label at the bench, attaches the certificate of conformity and
        records the visual checks (the packaging of the rejected lot fails)."""
        inspection = inspection.with_user(clerk)
        inspection.write(
            {"udi_scan": self._demo_label(inspection.product_id, inspection.lot_id.name)}
        )
        self.env["ir.attachment"].create(
            {
                "name": f"CoC {inspection.lot_id.name}.pdf",
                "raw": base64.b64decode(DEMO_PDF),
                "mimetype": "application/pdf",
                "res_model": "udi.inspection",
                "res_id": inspection.id,
            }
        )
        manual = inspection.check_ids.filtered(lambda c: not c.automatic)
        if outcome == "reject":
            manual.filtered(lambda c: c.code == "packaging").action_fail()
            manual = manual.filtered(lambda c: c.code != "packaging")
        manual.action_pass()

    @api.model
    def _demo_decide(self, inspection, signer, password, outcome):
        """Release or reject through the signature dialog, as the quality manager does; when
        the demo password was changed, a signature marked as demo data is recorded instead."""
        inspection = inspection.with_user(signer)
        opened = (
            inspection.action_release() if outcome == "release" else (inspection.action_reject())
        )
        wizard = self.env["udi.inspection.sign.wizard"].with_user(signer).browse(opened["res_id"])
        if outcome == "reject":
            wizard.reason = DEMO_REJECTION
        if self.env["udi.demo.recall"]._demo_password_ok(signer, password):
            wizard.password = password
            wizard.action_sign()
            return
        if outcome == "reject":
            inspection._udi_set_reason(DEMO_REJECTION)
        signature = self.env["udi.demo.recall"]._demo_signature(
            inspection, f"inspection_{outcome}", signer
        )
        if outcome == "release":
            inspection._udi_release(signature)
        else:
            inspection._udi_reject(signature)


#: a one-page PDF saying "Certificate of conformity (demo)"
DEMO_PDF = (
    "JVBERi0xLjQKMSAwIG9iago8PC9UeXBlL0NhdGFsb2cvUGFnZXMgMiAwIFI+PgplbmRvYmoKMiAwIG9iago8PC9UeXBl"
    "L1BhZ2VzL0tpZHNbMyAwIFJdL0NvdW50IDE+PgplbmRvYmoKMyAwIG9iago8PC9UeXBlL1BhZ2UvUGFyZW50IDIgMCBS"
    "L01lZGlhQm94WzAgMCA1OTUgODQyXS9Db250ZW50cyA0IDAgUi9SZXNvdXJjZXM8PC9Gb250PDwvRjE8PC9UeXBlL0Zv"
    "bnQvU3VidHlwZS9UeXBlMS9CYXNlRm9udC9IZWx2ZXRpY2E+Pj4+Pj4+PgplbmRvYmoKNCAwIG9iago8PC9MZW5ndGgg"
    "NjU+PgpzdHJlYW0KQlQgL0YxIDE4IFRmIDcyIDc1MCBUZCAoQ2VydGlmaWNhdGUgb2YgY29uZm9ybWl0eSBcKGRlbW9c"
    "KSkgVGogRVQKZW5kc3RyZWFtCmVuZG9iagp4cmVmCjAgNQowMDAwMDAwMDAwIDY1NTM1IGYgCjAwMDAwMDAwMDkgMDAw"
    "MDAgbiAKMDAwMDAwMDA1NCAwMDAwMCBuIAowMDAwMDAwMTA1IDAwMDAwIG4gCjAwMDAwMDAyNTggMDAwMDAgbiAKdHJh"
    "aWxlcgo8PC9TaXplIDUvUm9vdCAxIDAgUj4+CnN0YXJ0eHJlZgozNzEKJSVFT0YK"
)
