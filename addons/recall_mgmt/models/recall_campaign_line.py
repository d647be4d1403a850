from datetime import datetime

from odoo import api, fields, models

from odoo.addons.audit_seal.tools.workflow import workflow


def _to_datetime(value):
    """The trace returns ISO strings (JSON-friendly); the ORM wants datetimes."""
    return datetime.fromisoformat(value) if value else False


HOLDER_TYPES = [("partner", "Consignee"), ("location", "Own stock")]
REPORTED_FIELDS = (
    "reported_on_hand",
    "reported_used",
    "reported_returned",
    "reported_destroyed",
    "reported_located",
    "recovered_quantity",
)


class RecallCampaignLine(models.Model):
    """Who holds (or received) which affected lot/serial, from the last impact analysis."""

    _name = "recall.campaign.line"
    _description = "Recall Impact Line"
    _inherit = ["audit.seal.workflow.mixin"]
    _order = "campaign_id, holder_type, partner_id, location_id, lot_id"
    _workflow_fields = "__all__"

    campaign_id = fields.Many2one(
        "recall.campaign", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    holder_type = fields.Selection(HOLDER_TYPES, required=True, index=True)
    partner_id = fields.Many2one("res.partner", string="Consignee", index="btree_not_null")
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", string="Consignee Company", store=True
    )
    location_id = fields.Many2one("stock.location", string="Own Location")
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial", required=True, index=True)
    product_id = fields.Many2one("product.product", required=True)
    scope_widened = fields.Boolean(
        string="Order Genealogy",
        compute="_compute_scope_widened",
        help="In scope only through its manufacturing order's genealogy (per-unit data "
        "missing): it may not contain the recalled component.",
    )
    udi_hri = fields.Char(related="lot_id.udi_hri", string="UDI")
    udi_di = fields.Char(related="lot_id.udi_di", string="UDI-DI")
    quantity = fields.Float(
        string="Held", digits="Product Unit", help="Units held now according to the trace."
    )
    received_quantity = fields.Float(
        string="Shipped", digits="Product Unit", help="Units that reached this holder."
    )
    first_date = fields.Datetime(string="First Received")
    last_date = fields.Datetime(string="Last Received")
    documents = fields.Char(help="Shipping and other documents that brought the units.")
    last_event_id = fields.Many2one("trace.event")
    disposition = fields.Selection(related="last_event_id.disposition")
    change = fields.Selection(
        [("new", "New"), ("changed", "Changed"), ("gone", "No longer held"),
         ("unchanged", "Unchanged")],
        string="Last Analysis",
        default="new",
    )
    previous_quantity = fields.Float(digits="Product Unit")
    notice_id = fields.Many2one("recall.notice", index="btree_not_null", ondelete="set null")
    # consignee's answers (latest report per lot) and returns received
    reported_on_hand = fields.Float(
        compute="_compute_reported", store=True, digits="Product Unit"
    )
    reported_used = fields.Float(
        compute="_compute_reported", store=True, digits="Product Unit"
    )
    reported_returned = fields.Float(
        compute="_compute_reported", store=True, digits="Product Unit"
    )
    reported_destroyed = fields.Float(
        compute="_compute_reported", store=True, digits="Product Unit"
    )
    reported_located = fields.Float(
        compute="_compute_reported", store=True, digits="Product Unit",
        help="Units whose fate the consignee reported.",
    )
    recovered_quantity = fields.Float(
        compute="_compute_reported", store=True, digits="Product Unit",
        help="Units destroyed as reported, or received back on a return of this recall.",
    )

    @api.depends("campaign_id.scope_widened_lot_ids", "lot_id")
    def _compute_scope_widened(self):
        for line in self:
            line.scope_widened = line.lot_id in line.campaign_id.scope_widened_lot_ids

    @api.depends("notice_id.response_ids", "notice_id.return_picking_ids.state")
    def _compute_reported(self):
        reports = self.notice_id._recall_latest_reports()
        returned = self.notice_id._recall_returned_quantities()
        # Most lines have no answer and no return yet (every line of a new recall: 10,000
        # serials make 20,000 lines): their figures are all zero, set in one assignment per
        # field instead of six per line.
        answered = self.filtered(
            lambda line: (line.notice_id.id, line.lot_id.id) in reports
            or (line.notice_id.id, line.lot_id.id) in returned
        )
        (self - answered).update(dict.fromkeys(REPORTED_FIELDS, 0.0))
        for line in answered:
            key = (line.notice_id.id, line.lot_id.id)
            report = reports.get(key)
            line.reported_on_hand = report.qty_on_hand if report else 0.0
            line.reported_used = report.qty_used if report else 0.0
            line.reported_returned = report.qty_returned if report else 0.0
            line.reported_destroyed = report.qty_destroyed if report else 0.0
            line.reported_located = (
                line.reported_on_hand + line.reported_used + line.reported_returned
                + line.reported_destroyed
            )
            # a lot shipped to several addresses of one consignee: returns count once per lot
            line.recovered_quantity = min(
                line.received_quantity,
                line.reported_destroyed + returned.get(key, 0.0),
            )

    @workflow
    def _recall_refresh_held(self):
        """Held follows a consignee's holdings between two analyses: units it reported
        destroyed or used, and units received back, leave its lines at once (so that Create
        Return and the dashboard ask for what is still out there). A consequence of the
        events, not the caller's decision: run as superuser (a warehouse user receiving the
        return reads no recall)."""
        lines = self.sudo().filtered(lambda line: line.holder_type == "partner")
        if not lines:
            return
        held = {
            (holder["lot_id"], holder["partner_id"], holder["company_id"]): holder["quantity"]
            for holder in self.env["trace.event"]
            .sudo()
            ._trace_holders(lines.lot_id.ids, lines.company_id.ids)
            if holder["holder_type"] == "partner"
        }
        for line in lines:
            quantity = held.get((line.lot_id.id, line.partner_id.id, line.company_id.id), 0.0)
            if abs(quantity - line.quantity) > 1e-9:
                line.write(
                    {"quantity": quantity, "previous_quantity": line.quantity, "change": "changed"}
                )

    @workflow
    @api.model
    def _recall_merge(self, campaign, holders):
        """Create, update and flag lines from the trace's holder rows (one batch each)."""
        def key_of(holder_type, partner_id, location_id, lot_id):
            return (holder_type, partner_id or 0, location_id or 0, lot_id)

        existing = {
            key_of(line.holder_type, line.partner_id.id, line.location_id.id, line.lot_id.id): line
            for line in campaign.line_ids
        }
        changes = {"new": 0, "changed": 0, "gone": 0, "unchanged": 0}
        seen = set()
        to_create = []
        for row in holders:
            key = key_of(row["holder_type"], row["partner_id"], row["location_id"], row["lot_id"])
            seen.add(key)
            vals = {
                "quantity": row["quantity"],
                "received_quantity": row["received_quantity"],
                "first_date": _to_datetime(row["first_date"]),
                "last_date": _to_datetime(row["last_date"]),
                "documents": ", ".join(row["documents"]) or False,
                "last_event_id": row["last_event_id"],
            }
            line = existing.get(key)
            if line is None:
                to_create.append(
                    {
                        **vals,
                        "campaign_id": campaign.id,
                        "holder_type": row["holder_type"],
                        "partner_id": row["partner_id"] or False,
                        "location_id": row["location_id"] or False,
                        "lot_id": row["lot_id"],
                        "product_id": row["product_id"],
                        "change": "new",
                    }
                )
                changes["new"] += 1
                continue
            changed = (
                abs(line.quantity - row["quantity"]) > 1e-9
                or abs(line.received_quantity - row["received_quantity"]) > 1e-9
            )
            vals["previous_quantity"] = line.quantity
            vals["change"] = "changed" if changed else "unchanged"
            changes["changed" if changed else "unchanged"] += 1
            line.write(vals)
        gone = campaign.line_ids.filtered(
            lambda line: key_of(line.holder_type, line.partner_id.id, line.location_id.id,
                                line.lot_id.id) not in seen
            and line.change != "gone"
        )
        for line in gone:
            line.write({"previous_quantity": line.quantity, "quantity": 0.0, "change": "gone"})
        changes["gone"] = len(gone)
        if to_create:
            self.sudo().create(to_create)
        return changes
