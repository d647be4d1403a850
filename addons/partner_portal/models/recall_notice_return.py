"""Recall notices: the consignee asks us to take back the units it holds.

The request is a draft return transfer (customers -> the recall's quarantine, else the stock of
the company's warehouse) that someone here confirms or cancels.
"""

from collections import defaultdict

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html


class RecallNotice(models.Model):
    _inherit = "recall.notice"

    def _portal_request_return(self, note=None):
        """A draft return of the units the consignee holds, for the company to confirm."""
        notice = self._portal_check_consignee()
        notice._portal_check_open()
        note = self._portal_clean_text(note, self.env._("The note"))
        notice._portal_check_return_wanted()
        held = notice._portal_units_held()
        warehouse = notice._portal_return_warehouse()
        picking = notice._portal_create_return(held, warehouse)
        notice._portal_announce_return(picking, held, note)
        return picking

    def _portal_check_return_wanted(self):
        """The recall asks for returns, and no request of the consignee is waiting already."""
        self.ensure_one()
        campaign = self.campaign_id
        if not campaign.action_return:
            raise UserError(
                self.env._(
                    "The recall %(campaign)s does not ask for the units to be returned: report "
                    "what you hold, used or destroyed instead.",
                    campaign=campaign.name,
                )
            )
        pending = self.return_picking_ids.filtered(
            lambda p: p.recall_portal_requested and p.state not in ("done", "cancel")
        )
        if pending:
            raise UserError(
                self.env._(
                    "Your return request %(picking)s is waiting for us already; it covers the "
                    "units you hold.",
                    picking=pending[0].name,
                )
            )

    def _portal_units_held(self):
        """``{(product, lot): quantity}`` the consignee holds: per its last report of the lot,
        else what our trace shipped to it; refused when that is nothing."""
        self.ensure_one()
        held = {}
        reports = self._recall_latest_reports()
        for line in self.line_ids.filtered(lambda line: line.holder_type == "partner"):
            report = reports.get((self.id, line.lot_id.id))
            key = (line.product_id, line.lot_id)
            if report:
                held[key] = report.qty_on_hand
            else:
                held[key] = held.get(key, 0.0) + line.quantity
        held = {key: qty for key, qty in held.items() if qty > 0}
        if not held:
            raise UserError(
                self.env._(
                    "You hold no affected unit according to your last report and our trace: "
                    "there is nothing to return. Report the units you hold on hand first."
                )
            )
        return held

    def _portal_return_warehouse(self):
        """The warehouse of the notice's company that receives the return."""
        self.ensure_one()
        warehouse = (
            self.env["stock.warehouse"]
            .sudo()
            .search([("company_id", "=", self.company_id.id)], limit=1)
        )
        if not warehouse:
            raise UserError(self.env._("No warehouse can receive the return; contact us."))
        return warehouse

    def _portal_create_return(self, held, warehouse):
        """The draft receipt of the units ``held`` from the customers' location into the
        recall's quarantine (else the warehouse's stock), one move per product."""
        self.ensure_one()
        company = self.company_id
        campaign = self.campaign_id
        dest = campaign.quarantine_location_id or warehouse.lot_stock_id
        customers = self.env.ref("stock.stock_location_customers")
        by_product = defaultdict(float)
        for (product, _lot), qty in held.items():
            by_product[product] += qty
        return (
            self.env["stock.picking"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "picking_type_id": warehouse.in_type_id.id,
                    "partner_id": self.partner_id.id,
                    "location_id": customers.id,
                    "location_dest_id": dest.id,
                    "origin": self.name,
                    "recall_campaign_id": campaign.id,
                    "recall_notice_id": self.id,
                    "recall_portal_requested": True,
                    "company_id": company.id,
                    "move_ids": [
                        (
                            0,
                            0,
                            {
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "location_id": customers.id,
                                "location_dest_id": dest.id,
                                "company_id": company.id,
                            },
                        )
                        for product, qty in by_product.items()
                    ],
                }
            )
        )

    def _portal_announce_return(self, picking, held, note):
        """Ask the recall's responsible to confirm the return, and log the request."""
        self.ensure_one()
        campaign = self.campaign_id
        lines_text = "\n".join(
            f"- {product.display_name} {lot.name}: {qty:g}"
            for (product, lot), qty in sorted(held.items(), key=lambda item: item[0][1].name)
        )
        requested = self.env._(
            "Return requested by %(user)s (%(consignee)s) for:\n%(lines)s",
            user=self.env.user.name,
            consignee=self.partner_id.display_name,
            lines=lines_text,
        )
        if note:
            requested += "\n" + self.env._("Their note: %(note)s", note=note)
        picking.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=campaign.user_id.id or self.env.ref("base.user_admin").id,
            summary=self.env._("Recall return requested: confirm or cancel"),
            note=plaintext2html(requested),
        )
        self.message_post(body=requested, subtype_xmlid="mail.mt_note")
