from datetime import timedelta

from odoo import api, fields, models

#: the demo's quality manager (udi_master's demo) and her demo password
DEMO_SIGNER = ("udi_master.user_quality_manager", "qm")
DRILL = {
    "title": "Mock recall drill: catheter lot CVC2511D",
    "reason": "Quarterly mock recall (SOP-QA-014): trace lot CVC2511D to every consignee and "
    "have each acknowledge the notice within one working day.",
    "is_drill": True,
    "recall_class": "2",
    "kind": "recall",
    "source": "manual",
    "effectiveness_level": "E",
}
LOT_NAME = "CVC2511D"


class QualityCapaDemo(models.AbstractModel):
    """Builds the CAPA demo through the flows users run: a drill whose hospital consignee is
    never reached, the findings its closure opens, and one CAPA taken to its signed closure."""

    _name = "udi.demo.capa"
    _description = "Demo: nonconformities and CAPA"

    @api.model
    def _demo_scenario(self):
        """Build the demo once; returns the drill (the existing one when already built)."""
        drill = self.env["recall.campaign"].search([("title", "=", DRILL["title"])], limit=1)
        if drill:
            return drill
        signer = self.env.ref(DEMO_SIGNER[0])
        password = DEMO_SIGNER[1]
        drill = self._demo_drill(signer, password)
        finding = drill.sudo().capa_nonconformity_ids.filtered(
            lambda n: n.drill_kpi == "coverage_acknowledged"
        )
        self._demo_capa_to_closure(finding, signer, password)
        self._demo_complaint_capa(signer)
        return drill

    @api.model
    def _demo_complaint_capa(self, signer):
        """A complaint from Ruijin hospital about lot CVC2511D opens a nonconformity (button on
        the ticket); its corrective action is in progress and past its due date."""
        ref = self.env.ref
        lot = self.env["stock.lot"].search([("name", "=", LOT_NAME)], limit=1)
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(signer)
            .create(
                {
                    "name": "Catheter hub cracked during contrast injection",
                    "description": "<p>The hub of a central venous catheter cracked at the first "
                    "contrast injection; no harm to the patient.</p>",
                    "partner_id": ref("udi_master.partner_hospital_ruijin").id,
                    "trace_product_id": lot.product_id.id,
                    "trace_lot_id": lot.id,
                }
            )
        )
        action = ticket.action_open_nonconformity()
        nc = self.env["mgmtsystem.nonconformity"].with_user(signer).browse(action["res_id"])
        nc.write(
            {
                "stage_id": ref("mgmtsystem_nonconformity.stage_analysis").id,
                "analysis": "Hub moulding temperature below specification on line 2.",
            }
        )
        corrective = (
            self.env["mgmtsystem.action"]
            .with_user(signer)
            .create(
                {
                    "name": "Add a temperature alarm to moulding line 2",
                    "type_action": "correction",
                    "user_id": signer.id,
                    "date_deadline": fields.Date.context_today(self) - timedelta(days=5),
                }
            )
        )
        nc.write(
            {
                "stage_id": ref("mgmtsystem_nonconformity.stage_pending").id,
                "action_ids": [(4, corrective.id)],
                "action_comments": "Alarm on the moulding temperature; re-test retained hubs.",
            }
        )
        nc.write({"stage_id": ref("mgmtsystem_nonconformity.stage_open").id})
        return nc

    # ------------------------------------------------------------------ the drill

    @api.model
    def _demo_lot(self):
        """Lot CVC2511D of the catheter kit: 80 units in stock, 30 shipped to the Pacific
        distributor and 10 to Ruijin hospital."""
        ref = self.env.ref
        product = ref("udi_master.product_catheter").product_variant_id
        lot = self.env["stock.lot"].create(
            {
                "name": LOT_NAME,
                "product_id": product.id,
                "expiration_date": fields.Datetime.now() + timedelta(days=900),
            }
        )
        stock = ref("stock.stock_location_stock")
        quant = self.env["stock.quant"].create(
            {
                "product_id": product.id,
                "location_id": stock.id,
                "lot_id": lot.id,
                "inventory_quantity": 80,
            }
        )
        quant.action_apply_inventory()
        for partner, quantity in (
            (ref("udi_master.partner_distributor_pacific"), 30),
            (ref("udi_master.partner_hospital_ruijin"), 10),
        ):
            self._demo_deliver(partner, lot, quantity)
        return lot

    @api.model
    def _demo_deliver(self, partner, lot, quantity):
        stock = self.env.ref("stock.stock_location_stock")
        customers = self.env.ref("stock.stock_location_customers")
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.env.ref("stock.picking_type_out").id,
                "partner_id": partner.id,
                "location_id": stock.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": lot.product_id.id,
                            "product_uom_qty": quantity,
                            "location_id": stock.id,
                            "location_dest_id": customers.id,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": picking.move_ids.id,
                "picking_id": picking.id,
                "product_id": lot.product_id.id,
                "lot_id": lot.id,
                "quantity": quantity,
                "location_id": stock.id,
                "location_dest_id": customers.id,
            }
        )
        picking.move_ids.picked = True
        picking.with_context(skip_expired=True).button_validate()
        return picking

    @api.model
    def _demo_drill(self, signer, password):
        """The drill: the distributor acknowledges by phone, the hospital is never reached;
        closing it opens the findings."""
        lot = self._demo_lot()
        nmpa = self.env.ref("recall_mgmt.jurisdiction_nmpa")
        drill = (
            self.env["recall.campaign"]
            .with_user(signer)
            .create(
                {
                    **DRILL,
                    "jurisdiction_ids": [(6, 0, nmpa.ids)],
                    "lot_ids": [(6, 0, lot.ids)],
                }
            )
        )
        drill.action_analyze_impact()
        self._demo_campaign_sign(drill, drill.action_approve, password)
        drill.action_notify()
        pacific = self.env.ref("udi_master.partner_distributor_pacific")
        notice = drill.notice_ids.filtered(lambda n: n.partner_id == pacific)
        signature = (
            self.env["recall.signature"]
            .with_user(signer)
            ._recall_sign(notice, "acknowledge", password)
        )
        notice._recall_acknowledge(signature)
        drill.action_start_effectiveness()
        self._demo_campaign_sign(drill, drill.action_close, password)
        return drill

    @api.model
    def _demo_campaign_sign(self, campaign, opener, password):
        wizard = (
            self.env["recall.sign.wizard"].with_user(campaign.env.user).browse(opener()["res_id"])
        )
        wizard.password = password
        wizard.action_sign()

    # ------------------------------------------------------------------ one CAPA to closure

    @api.model
    def _demo_capa_to_closure(self, nc, signer, password):
        """Analysis, action plan, actions done, effectiveness verified, closure signed."""
        ref = self.env.ref
        nc = nc.with_user(signer)
        nc.write(
            {
                "stage_id": ref("mgmtsystem_nonconformity.stage_analysis").id,
                "analysis": "Ruijin hospital's notice went to the purchasing mailbox, which "
                "nobody reads on weekends; the consignee master data has no named recall "
                "contact for hospitals.",
            }
        )
        preventive = (
            self.env["mgmtsystem.action"]
            .with_user(signer)
            .create(
                {
                    "name": "Verify a named recall contact of every consignee each quarter",
                    "type_action": "prevention",
                    "user_id": signer.id,
                    "date_deadline": fields.Date.context_today(self) + timedelta(days=60),
                }
            )
        )
        nc.write(
            {
                "stage_id": ref("mgmtsystem_nonconformity.stage_pending").id,
                "action_ids": [(4, preventive.id)],
                "action_comments": "Add a recall contact to every hospital and distributor; "
                "check the contacts quarterly.",
            }
        )
        nc.write({"stage_id": ref("mgmtsystem_nonconformity.stage_open").id})
        nc.action_ids.write({"stage_id": ref("mgmtsystem_action.stage_close").id})
        evidence = (
            self.env["ir.attachment"]
            .with_user(signer)
            .create(
                {
                    "name": "repeat-drill-CVC2511D.txt",
                    "raw": b"Repeat drill: 2 of 2 consignees reached and acknowledged within 3 h.",
                    "mimetype": "text/plain",
                    "res_model": nc._name,
                    "res_id": nc.id,
                }
            )
        )
        nc.write(
            {
                "evaluation_comments": "Every consignee now has a named recall contact.",
                "effectiveness_method": "Repeat the drill on the same consignees; accepted "
                "when every consignee acknowledges within one working day.",
                "effectiveness_result": "effective",
                "effectiveness_evidence_ids": [(6, 0, evidence.ids)],
            }
        )
        nc.action_capa_verify_effectiveness()
        wizard = (
            self.env["quality.capa.sign.wizard"]
            .with_user(signer)
            .browse(nc.action_capa_close()["res_id"])
        )
        wizard.with_context(signature_password=password).action_sign()
        return nc
