from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.audit_seal.tools.workflow import in_workflow, workflow

STATES = [("pending", "To inspect"), ("released", "Released"), ("rejected", "Rejected")]

#: the identity of an inspection, fixed when the receipt is validated (sealed)
IDENTITY_FIELDS = (
    "name",
    "company_id",
    "picking_id",
    "move_id",
    "product_id",
    "lot_id",
    "partner_id",
    "location_id",
    "quantity",
    "received_at",
)


class UdiInspection(models.Model):
    """The incoming inspection of one lot/serial (or of an untracked device's quantity) of a
    receipt (GSP/GMP receiving, ISO 13485 7.4.3 and 8.2.6).

    Created by the system when a receipt of a regulated device into an inspection location is
    validated; the clerk scans the label (the automatic checks run), the clerk or the inspector
    records the other checks, and an inspector releases or rejects it with an electronic
    signature. Its identity is sealed at creation; its state, checks and decision are set by its
    workflow only, and the decision is bound by the signature's digest and sealed as an EPCIS
    event.
    """

    _name = "udi.inspection"
    _description = "Incoming Inspection"
    _inherit = [
        "mail.thread",
        "barcodes.barcode_events_mixin",
        "audit.seal.mixin",
        "audit.seal.workflow.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True
    _seal_fields = IDENTITY_FIELDS
    _workflow_fields = IDENTITY_FIELDS + (
        "state",
        "udi_scan",
        "scanned_at",
        "scanned_by_id",
        "decided_by_id",
        "decided_at",
        "decision_note",
        "signature_id",
        "nonconformity_id",
        "return_picking_id",
        "release_move_ids",
        "decision_event_id",
    )

    name = fields.Char(string="Reference", required=True, readonly=True, default="/", copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    picking_id = fields.Many2one(
        "stock.picking",
        string="Receipt",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    move_id = fields.Many2one("stock.move", string="Receipt move", readonly=True, index=True)
    purchase_line_id = fields.Many2one(
        related="move_id.purchase_line_id", string="Purchase order line"
    )
    purchase_id = fields.Many2one(related="move_id.purchase_line_id.order_id", string="Purchase")
    product_id = fields.Many2one("product.product", string="Device", required=True, readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Lot/Serial", readonly=True, index=True)
    expiry_date = fields.Date(related="lot_id.udi_expiry_date", string="Expiry")
    partner_id = fields.Many2one("res.partner", string="Supplier", readonly=True)
    location_id = fields.Many2one(
        "stock.location", string="Inspection location", required=True, readonly=True
    )
    quantity = fields.Float(digits="Product Unit", required=True, readonly=True)
    uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    received_at = fields.Datetime(readonly=True)
    state = fields.Selection(STATES, default="pending", required=True, readonly=True, tracking=True)
    udi_scan = fields.Char(
        string="UDI scan",
        help="Scan the UDI from the device label (GS1 DataMatrix / GS1-128 / Digital Link, or "
        "HIBC): the device identifier, lot/serial and expiry are checked against the purchase "
        "and the received lot.",
    )
    scanned_at = fields.Datetime(readonly=True)
    scanned_by_id = fields.Many2one("res.users", string="Scanned by", readonly=True)
    check_ids = fields.One2many("udi.inspection.check", "inspection_id", string="Checks")
    check_summary = fields.Char(compute="_compute_check_summary", string="Checks done")
    decided_by_id = fields.Many2one("res.users", string="Decided by", readonly=True)
    decided_at = fields.Datetime(string="Decided on", readonly=True)
    decision_note = fields.Text(string="Reason", readonly=True)
    signature_id = fields.Many2one("recall.signature", readonly=True)
    nonconformity_id = fields.Many2one("mgmtsystem.nonconformity", readonly=True)
    return_picking_id = fields.Many2one("stock.picking", string="Return to supplier", readonly=True)
    release_move_ids = fields.Many2many(
        "stock.move",
        "udi_inspection_release_move_rel",
        "inspection_id",
        "move_id",
        string="Release moves",
        readonly=True,
    )
    decision_event_id = fields.Many2one("trace.event", string="Decision event", readonly=True)
    event_ids = fields.Many2many("trace.event", compute="_compute_event_ids", string="EPCIS events")
    attachment_count = fields.Integer(compute="_compute_attachment_count", string="Certificates")

    _lot_move_unique = models.UniqueIndex("(move_id, lot_id)")

    # ------------------------------------------------------------------ computes

    @api.depends("check_ids.result")
    def _compute_check_summary(self):
        for inspection in self:
            checks = inspection.check_ids
            done = checks.filtered(lambda c: c.result != "pending")
            failed = checks.filtered(lambda c: c.result == "fail")
            inspection.check_summary = self.env._(
                "%(done)s/%(total)s done, %(failed)s failed",
                done=len(done),
                total=len(checks),
                failed=len(failed),
            )

    def _compute_event_ids(self):
        Event = self.env["trace.event"]
        for inspection in self:
            moves = inspection.move_id | inspection.release_move_ids
            events = Event.search([("move_id", "in", moves.ids)]) if moves else Event
            inspection.event_ids = events | inspection.decision_event_id

    def _compute_attachment_count(self):
        groups = self.env["ir.attachment"]._read_group(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)], ["res_id"], ["__count"]
        )
        counts = dict(groups)
        for inspection in self:
            inspection.attachment_count = counts.get(inspection.id, 0)

    # ------------------------------------------------------------------ creation (by receipts)

    @workflow
    @api.model
    def _udi_create_for_move_lines(self, move_lines):
        """One inspection per (receipt move, lot) of the done ``move_lines`` (received from a
        supplier into an inspection location), with its checks; returns them."""
        groups = {}
        for line in move_lines:
            key = (line.move_id, line.lot_id, line.location_dest_id)
            groups[key] = groups.get(key, 0.0) + line.quantity_product_uom
        vals_list = []
        for (move, lot, location), quantity in groups.items():
            picking = move.picking_id
            vals_list.append(
                {
                    "name": self.env["ir.sequence"]
                    .with_company(move.company_id)
                    .next_by_code("udi.inspection")
                    or "/",
                    "company_id": move.company_id.id,
                    "picking_id": picking.id,
                    "move_id": move.id,
                    "product_id": move.product_id.id,
                    "lot_id": lot.id,
                    "partner_id": (picking.partner_id or move.partner_id).commercial_partner_id.id,
                    "location_id": location.id,
                    "quantity": quantity,
                    "received_at": fields.Datetime.now(),
                }
            )
        inspections = self.sudo().create(vals_list)
        inspections._udi_create_checks()
        for inspection in inspections:
            scanned = move_lines.filtered(
                lambda ml, i=inspection: (
                    ml.move_id == i.move_id and ml.lot_id == i.lot_id and ml.udi_scan
                )
            )[:1]
            if scanned:
                inspection._udi_record_scan(scanned.udi_scan)
        return inspections

    # ------------------------------------------------------------------ scan and checks

    def write(self, vals):
        if "udi_scan" not in vals or in_workflow():
            return super().write(vals)
        vals = dict(vals)
        code = vals.pop("udi_scan")
        res = super().write(vals) if vals else True
        for inspection in self:
            inspection._udi_record_scan(code)
        return res

    def on_barcode_scanned(self, barcode):
        """A scanner read anywhere on the form fills the scan field (the Check button then
        records it and runs the checks)."""
        if self.state == "pending":
            self.udi_scan = barcode

    def action_check_scan(self):
        """The clerk's "Check" button: the scan field is saved (and checked) on the way."""
        self._udi_check_pending()
        for inspection in self:
            if not inspection.udi_scan:
                raise UserError(
                    self.env._(
                        "%(inspection)s: scan the UDI on the label of %(lot)s first.",
                        inspection=inspection.display_name,
                        lot=inspection.lot_id.name or inspection.product_id.display_name,
                    )
                )
            inspection._udi_record_scan(inspection.udi_scan)
        return True

    @workflow
    def _udi_record_scan(self, code):
        """Record the scanned ``code`` and run the automatic checks against it."""
        self.ensure_one()
        self._udi_check_pending()
        self._udi_check_clerk()
        if not code or not code.strip():
            raise ValidationError(
                self.env._(
                    "%(inspection)s: the scan is empty. Scan the UDI on the label.",
                    inspection=self.display_name,
                )
            )
        parsed = self.env["udi.parser"]._parse_udi(code.strip())  # refuses a bad code
        self.sudo().write(
            {
                "udi_scan": code.strip(),
                "scanned_at": fields.Datetime.now(),
                "scanned_by_id": self.env.uid,
            }
        )
        self.check_ids._udi_run_automatic(parsed)
        return True

    def _udi_create_checks(self):
        Check = self.env["udi.inspection.check"].sudo()
        checks = Check.create(
            [
                {"inspection_id": inspection.id, "code": code, "sequence": sequence}
                for inspection in self
                for sequence, code in enumerate(Check._udi_codes(), start=1)
            ]
        )
        checks._udi_run_automatic(None)
        return checks

    # ------------------------------------------------------------------ guards

    def _udi_check_pending(self):
        decided = self.filtered(lambda i: i.state != "pending")
        if decided:
            raise UserError(
                self.env._(
                    "%(inspections)s already decided: a released or rejected inspection cannot "
                    "change.",
                    inspections=", ".join(decided.mapped("display_name")),
                )
            )

    def _udi_check_clerk(self):
        if not (self.env.su or self.env.user.has_group("udi_master.group_trace_user")):
            raise UserError(
                self.env._(
                    "Only Traceability users (warehouse clerks) and inspectors record inspection "
                    "checks."
                )
            )
        self.check_access("write")

    def _udi_check_inspector(self):
        if not (self.env.su or self.env.user.has_group("udi_inspection.group_udi_inspector")):
            raise UserError(
                self.env._(
                    "Only an Inspector (Traceability) can release or reject received stock: "
                    "%(inspections)s.",
                    inspections=", ".join(self.mapped("display_name")),
                )
            )
        self.check_access("write")

    # ------------------------------------------------------------------ buttons

    def action_release(self):
        """Open the signature dialog to release the inspected units to stock."""
        return self._udi_open_sign_wizard("release")

    def action_reject(self):
        """Open the signature dialog to reject the inspected units."""
        return self._udi_open_sign_wizard("reject")

    def _udi_open_sign_wizard(self, action):
        self.ensure_one()
        self._udi_check_pending()
        self._udi_check_inspector()
        if action == "release":
            self._udi_check_releasable()
        return self.env["udi.inspection.sign.wizard"]._udi_open(self, action)

    def action_open_attachments(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Certificates and documents"),
            "res_model": "ir.attachment",
            "view_mode": "kanban,list,form",
            "domain": [("res_model", "=", self._name), ("res_id", "=", self.id)],
            "context": {"default_res_model": self._name, "default_res_id": self.id},
        }

    def action_view_events(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("EPCIS events"),
            "res_model": "trace.event",
            "view_mode": "list,form",
            "domain": [("id", "in", self.event_ids.ids)],
        }

    # ------------------------------------------------------------------ decision

    def _udi_check_releasable(self):
        self.ensure_one()
        pending = self.check_ids.filtered(lambda c: c.result == "pending")
        if pending:
            raise UserError(
                self.env._(
                    "%(inspection)s cannot be released yet: record the checks %(checks)s first.",
                    inspection=self.display_name,
                    checks=", ".join(pending.mapped("name")),
                )
            )
        failed = self.check_ids.filtered(lambda c: c.result == "fail")
        if failed:
            raise UserError(
                self.env._(
                    "%(inspection)s cannot be released: the checks %(checks)s failed. Reject it "
                    "(a nonconformity and a return to the supplier are prepared), or correct the "
                    "cause and record the checks again.",
                    inspection=self.display_name,
                    checks=", ".join(failed.mapped("name")),
                )
            )

    def _recall_signed_content(self):
        """What a release or rejection signature binds: the inspected units, the scan, every
        check with its result, who recorded it and when, and the reason given."""
        self.ensure_one()
        return {
            "inspection": self.name,
            "company": self.company_id.id,
            "receipt": self.picking_id.name,
            "product": self.product_id.id,
            "device": self.product_id.display_name,
            "lot": self.lot_id.name or None,
            "quantity": self.quantity,
            "supplier": self.partner_id.id or None,
            "scan": self.udi_scan or None,
            "reason": self.decision_note or None,
            "checks": [
                {
                    "code": check.code,
                    "result": check.result,
                    "detail": check.detail or None,
                    "user": check.user_id.id or None,
                    "at": fields.Datetime.to_string(check.checked_at) if check.checked_at else None,
                }
                for check in self.check_ids.sorted("sequence")
            ],
        }

    @workflow
    def _udi_set_reason(self, reason):
        self.ensure_one()
        self.sudo().write({"decision_note": reason})

    @workflow
    def _udi_release(self, signature):
        """Release: the units go to stock (the next step of the receipt, validated)."""
        self.ensure_one()
        self._udi_check_pending()
        self._udi_check_inspector()
        self._udi_check_releasable()
        inspection = self.sudo()
        inspection.write(
            {
                "state": "released",
                "decided_by_id": self.env.uid,
                "decided_at": fields.Datetime.now(),
                "signature_id": signature.id,
            }
        )
        moves = inspection._udi_move_to_stock()
        inspection.write({"release_move_ids": [(6, 0, moves.ids)]})
        inspection.message_post(
            body=self.env._(
                "Released to stock by %(user)s (electronic signature).", user=self.env.user.name
            )
        )
        return True

    @workflow
    def _udi_reject(self, signature):
        """Reject: the units stay blocked in the inspection location, a nonconformity and a
        draft return to the supplier are prepared, and the decision is an EPCIS event."""
        self.ensure_one()
        self._udi_check_pending()
        self._udi_check_inspector()
        if not (self.decision_note or "").strip():
            raise UserError(
                self.env._(
                    "%(inspection)s: give the reason for the rejection.",
                    inspection=self.display_name,
                )
            )
        inspection = self.sudo()
        inspection.write(
            {
                "state": "rejected",
                "decided_by_id": self.env.uid,
                "decided_at": fields.Datetime.now(),
                "signature_id": signature.id,
            }
        )
        inspection._udi_reduce_storage_demand()
        inspection.write(
            {
                "nonconformity_id": inspection._udi_create_nonconformity().id,
                "return_picking_id": inspection._udi_create_return().id,
                "decision_event_id": self.env["trace.event"]._udi_record_rejection(inspection).id,
            }
        )
        inspection.message_post(
            body=self.env._(
                "Rejected by %(user)s (electronic signature): %(reason)s",
                user=self.env.user.name,
                reason=self.decision_note,
            )
        )
        return True

    # ------------------------------------------------------------------ stock

    def _udi_open_moves_from(self, location):
        """Moves not done yet taking this inspection's device out of ``location``: those
        chained to the receipt move first."""
        self.ensure_one()
        moves = self.env["stock.move"].search(
            [
                ("product_id", "=", self.product_id.id),
                ("location_id", "=", location.id),
                ("state", "not in", ("done", "cancel", "draft")),
                ("company_id", "=", self.company_id.id),
                ("location_dest_id.usage", "=", "internal"),
            ],
            order="id",
        )
        chained = moves.filtered(
            lambda m: m.move_orig_ids & (self.move_id | self.move_id.move_dest_ids)
        )
        return chained + (moves - chained)

    def _udi_move_to_stock(self):
        """Move the released units from the inspection location along the receipt's remaining
        steps (validated, the rest of each step left as a backorder); returns the done moves."""
        self.ensure_one()
        location, done = self.location_id, self.env["stock.move"]
        warehouse = location.warehouse_id
        while location.udi_inspection_location:
            move = self._udi_open_moves_from(location)[:1] or self._udi_new_storage_move(
                location, warehouse
            )
            done |= self._udi_process_move(move, location)
            location = move.location_dest_id
        return done

    def _udi_new_storage_move(self, location, warehouse):
        """A storage transfer from ``location`` to the warehouse's stock when the receipt's next
        step is gone (cancelled, or the warehouse changed its steps)."""
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": (warehouse.store_type_id or warehouse.int_type_id).id,
                "location_id": location.id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "origin": self.name,
                "company_id": self.company_id.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.product_id.id,
                            "product_uom_qty": self.quantity,
                            "product_uom": self.product_id.uom_id.id,
                            "location_id": location.id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        return picking.move_ids

    def _udi_process_move(self, move, location):
        """Validate ``move`` for this inspection's lot and quantity only."""
        move._do_unreserve()
        quantity = (
            min(self.quantity, move.product_uom_qty) if move.product_uom_qty else (self.quantity)
        )
        if move.product_uom_qty < quantity:
            move.product_uom_qty = quantity
        self.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "picking_id": move.picking_id.id,
                "product_id": self.product_id.id,
                "lot_id": self.lot_id.id,
                "quantity": quantity,
                "product_uom_id": self.product_id.uom_id.id,
                "location_id": location.id,
                "location_dest_id": move.location_dest_id.id,
                "picked": True,
            }
        )
        move.picked = True
        done = move._action_done(cancel_backorder=False)
        remaining = (move.picking_id.move_ids - done).filtered(
            lambda m: m.state not in ("done", "cancel")
        )
        if remaining:
            remaining._action_assign()
        return done

    def _udi_reduce_storage_demand(self):
        """The rejected units will not be stored: the receipt's next step asks that much less."""
        self.ensure_one()
        quantity = self.quantity
        for move in self._udi_open_moves_from(self.location_id):
            if quantity <= 0:
                break
            taken = min(quantity, move.product_uom_qty)
            quantity -= taken
            if move.product_uom.compare(move.product_uom_qty - taken, 0) <= 0:
                move._action_cancel()
            else:
                move.product_uom_qty -= taken

    def _udi_create_return(self):
        """A draft return of the rejected units to the supplier (the receipt's return type)."""
        self.ensure_one()
        receipt = self.picking_id
        return_type = receipt.picking_type_id.return_picking_type_id or receipt.picking_type_id
        supplier_location = self.move_id.location_id or receipt.location_id
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": return_type.id,
                "partner_id": self.partner_id.id,
                "origin": self.env._(
                    "Return of %(receipt)s (inspection %(inspection)s)",
                    receipt=receipt.name,
                    inspection=self.name,
                ),
                "location_id": self.location_id.id,
                "location_dest_id": supplier_location.id,
                "return_id": receipt.id,
                "company_id": self.company_id.id,
                "note": self.env._(
                    "Rejected at incoming inspection %(inspection)s: return lot/serial %(lot)s.",
                    inspection=self.name,
                    lot=self.lot_id.name or "-",
                ),
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": self.product_id.id,
                            "product_uom_qty": self.quantity,
                            "product_uom": self.product_id.uom_id.id,
                            "location_id": self.location_id.id,
                            "location_dest_id": supplier_location.id,
                            "origin_returned_move_id": self.move_id.id,
                            "purchase_line_id": self.move_id.purchase_line_id.id,
                            "to_refund": True,
                            "description_picking": self.lot_id.name
                            and self.env._("Lot/serial %(lot)s", lot=self.lot_id.name),
                        },
                    )
                ],
            }
        )
        return picking

    def _udi_create_nonconformity(self):
        self.ensure_one()
        origin = self.env.ref("udi_inspection.nc_origin_incoming_inspection")
        manager = self.env.user
        failed = self.check_ids.filtered(lambda c: c.result == "fail")
        description = self.env._(
            "Incoming inspection %(inspection)s of receipt %(receipt)s rejected %(quantity)s "
            "%(uom)s of %(device)s, lot/serial %(lot)s, from %(supplier)s.\nReason: "
            "%(reason)s\nFailed checks: %(checks)s",
            inspection=self.name,
            receipt=self.picking_id.name,
            quantity=self.quantity,
            uom=self.uom_id.name,
            device=self.product_id.display_name,
            lot=self.lot_id.name or "-",
            supplier=self.partner_id.display_name or "-",
            reason=self.decision_note,
            checks=", ".join(failed.mapped("name")) or "-",
        )
        return self.env["mgmtsystem.nonconformity"].create(
            {
                "name": self.env._(
                    "Rejected at incoming inspection: %(device)s %(lot)s",
                    device=self.product_id.display_name,
                    lot=self.lot_id.name or "",
                ),
                "partner_id": (self.partner_id or self.company_id.partner_id).id,
                "responsible_user_id": manager.id,
                "manager_user_id": manager.id,
                "user_id": manager.id,
                "origin_ids": [(6, 0, origin.ids)],
                "description": description,
                "company_id": self.company_id.id,
                "res_model": self._name,
                "res_id": self.id,
                "reference": self.name,
                "udi_inspection_id": self.id,
                "udi_product_id": self.product_id.id,
                "udi_lot_id": self.lot_id.id,
                "capa_source": "inspection",
                **self.env["mgmtsystem.nonconformity"]._capa_device_links(
                    self.product_id, self.lot_id
                ),
            }
        )

    # ------------------------------------------------------------------ blocking

    @api.model
    def _udi_blocking_states(self, product, lots, company):
        """{lot id (False for untracked): 'pending' | 'rejected'} for the ``lots`` of
        ``product`` that an inspection of ``company`` blocks (a rejection blocks until its
        return to the supplier is done)."""
        inspections = self.sudo().search(
            [
                ("product_id", "=", product.id),
                ("lot_id", "in", lots.ids + [False]) if lots else ("lot_id", "=", False),
                ("state", "in", ("pending", "rejected")),
                ("company_id", "=", company.id),
            ]
        )
        blocked = {}
        for inspection in inspections:
            if inspection.state == "rejected" and inspection.return_picking_id.state == "done":
                continue
            key = inspection.lot_id.id or False
            if blocked.get(key) != "pending":
                blocked[key] = inspection.state
        return blocked
