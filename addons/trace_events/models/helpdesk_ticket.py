from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

SERVICE_TYPES = [
    ("installation", "Installation"),
    ("maintenance", "Maintenance"),
    ("inspection", "Inspection"),
    ("complaint", "Complaint"),
    ("other", "Other"),
]

#: service type -> CBV 2.0 business step of the event a ticket records when it is closed.
#: * installation -> ``installing``: CBV defines it as putting an object into a composite
#:   object that already exists; a device installed into a hospital's equipment or room is
#:   the closest CBV step to putting it into service (CBV has no "putting into service").
#: * inspection -> ``inspecting``: "reviewing objects to address potential physical or
#:   documentation defects", exactly an inspection visit.
#: * maintenance -> ``other``: CBV ``repairing`` is "a malfunctioning product is repaired
#:   (typically by a post-sales service)", which preventive maintenance of a working device is
#:   not, and CBV 2.0 has no maintenance step; repairs of broken devices are repair orders,
#:   which record ``repairing`` themselves.
#: Complaint and other tickets record no event (a complaint is linked to the device through
#: the ticket's lot/serial, see ``stock.lot.trace_ticket_ids``).
SERVICE_STEPS = {
    "installation": "installing",
    "inspection": "inspecting",
    "maintenance": "other",
}

#: ticket fields whose change may close a service ticket or change what it recorded
TRACE_TRIGGERS = frozenset(
    {
        "stage_id",
        "team_id",
        "trace_service_type",
        "trace_product_id",
        "trace_lot_id",
        "trace_udi_scan",
        "partner_id",
    }
)


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    trace_service_type = fields.Selection(
        SERVICE_TYPES,
        string="Service Type",
        tracking=True,
        help="Closing an installation, maintenance or inspection ticket records the service on "
        "the device's trace; complaints are listed on the lot/serial.",
    )
    trace_product_id = fields.Many2one(
        "product.product",
        string="Device",
        tracking=True,
        index="btree_not_null",
        domain="['|', ('udi_regulated', '=', True), ('tracking', '!=', 'none')]",
    )
    trace_lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/Serial Number",
        tracking=True,
        index="btree_not_null",
        domain="[('product_id', '=?', trace_product_id)]",
    )
    trace_udi_scan = fields.Char(
        string="UDI Scan",
        copy=False,
        help="Scan or paste the UDI from the device label: device and lot/serial number are "
        "filled from it.",
    )
    trace_event_ids = fields.One2many("trace.event", "ticket_id", string="Trace Events")
    trace_event_count = fields.Integer(compute="_compute_trace_event_count")

    def _compute_trace_event_count(self):
        events = self.env["trace.event"]
        counts = {}
        if events.has_access("read"):
            counts = dict(
                events._read_group([("ticket_id", "in", self.ids)], ["ticket_id"], ["__count"])
            )
        for ticket in self:
            ticket.trace_event_count = counts.get(ticket, 0)

    # ------------------------------------------------------------------ user interface

    @api.onchange("trace_udi_scan")
    def _onchange_trace_udi_scan(self):
        if self.trace_udi_scan:
            self.update(
                self._trace_scan_values(
                    self.trace_udi_scan, self.trace_product_id, self.company_id, self.trace_lot_id
                )
            )

    @api.onchange("trace_product_id")
    def _onchange_trace_product_id(self):
        if self.trace_lot_id and self.trace_lot_id.product_id != self.trace_product_id:
            self.trace_lot_id = False

    @api.onchange("trace_lot_id")
    def _onchange_trace_lot_id(self):
        if self.trace_lot_id:
            self.trace_product_id = self.trace_lot_id.product_id

    def action_view_trace_events(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Trace Events"),
            "res_model": "trace.event",
            "view_mode": "list,form",
            "domain": [("ticket_id", "=", self.id)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------ server-side rules

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._trace_prepare_vals(vals) for vals in vals_list]
        tickets = super().create(vals_list)
        tickets._trace_check_device()
        tickets._trace_record_service()
        return tickets

    def write(self, vals):
        if {"trace_udi_scan", "trace_lot_id"} & vals.keys():
            # a scan names one device: every ticket written gets the same values
            vals = self[:1]._trace_prepare_vals(vals)
        result = super().write(vals)
        if TRACE_TRIGGERS & vals.keys():
            self._trace_check_device()
            self._trace_record_service()
        return result

    def unlink(self):
        recorded = self.sudo().filtered("trace_event_ids")
        if recorded:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s recorded a sealed trace event on its device and cannot be "
                    "deleted. Archive it instead.",
                    ticket=recorded[0].display_name,
                )
            )
        return super().unlink()

    def _trace_prepare_vals(self, vals):
        """``vals`` with the device filled from a UDI scan or a lot/serial.

        A scan fills device and lot/serial; a device or lot/serial given in the same values
        must agree with it. A lot/serial alone fills the device.
        """
        vals = dict(vals)
        if vals.get("trace_udi_scan"):
            company = self.env["res.company"].browse(
                vals.get("company_id") or self.company_id.id or self.env.company.id
            )
            product = self.env["product.product"].browse(
                vals.get("trace_product_id") or self.trace_product_id.id
            )
            lot = self.env["stock.lot"].browse(vals.get("trace_lot_id") or self.trace_lot_id.id)
            scanned = self._trace_scan_values(vals["trace_udi_scan"], product, company, lot)
            for name in ("trace_product_id", "trace_lot_id"):
                given = vals.get(name)
                if given and scanned.get(name) and given != scanned[name]:
                    records = self.env[self._fields[name].comodel_name].sudo()
                    raise ValidationError(
                        self.env._(
                            "The scanned UDI names %(scanned)s, but %(given)s was given with it. "
                            "Clear one of them.",
                            scanned=records.browse(scanned[name]).display_name,
                            given=records.browse(given).display_name,
                        )
                    )
            for name, value in scanned.items():
                if name not in vals or not vals[name]:
                    vals[name] = value
        if vals.get("trace_lot_id") and not vals.get("trace_product_id"):
            vals["trace_product_id"] = (
                self.env["stock.lot"].sudo().browse(vals["trace_lot_id"]).product_id.id
            )
        return vals

    @api.model
    def _trace_scan_values(self, code, product, company, lot):
        """{trace_product_id, trace_lot_id} named by the scanned UDI ``code``.

        ``product`` and ``lot`` are the ticket's: a scan without lot/serial keeps the lot when
        it is of the scanned device, and clears it otherwise. Refuses (ValidationError) an
        invalid UDI, an unknown DI, and a lot/serial that is not known for the device: a
        ticket names a device that exists, it never creates one.
        """
        parsed = self.env["udi.parser"].parse(code)
        if parsed["di"]:
            if not parsed["product_id"]:
                raise ValidationError(
                    self.env._(
                        "No device has the UDI-DI %(di)s. Check that the right label was scanned, "
                        "or add the DI to the device first.",
                        di=parsed["di"],
                    )
                )
            product = self.env["product.product"].browse(parsed["product_id"])
        elif product:  # HIBC secondary symbol: lot/serial only, linked to the device's DI
            self.env["stock.move.line"]._udi_scan_product_from_link(parsed["hibc_link"], product)
        else:
            raise ValidationError(
                self.env._(
                    "This scan carries no device identifier: choose the device first or scan the "
                    "primary symbol."
                )
            )
        values = {"trace_product_id": product.id}
        name = {"serial": parsed["serial"], "lot": parsed["lot"]}.get(product.tracking)
        if name:
            # sudo: a service agent names the device without needing inventory rights
            lots = self.env["stock.lot"].sudo().search([("name", "=", name)])
            lot = lots.filtered(
                lambda known: (
                    known.product_id == product
                    and (not known.company_id or known.company_id == company)
                )
            )[:1]
            if not lot:
                other = lots.filtered(lambda known: known.product_id != product)[:1]
                if other:
                    raise ValidationError(
                        self.env._(
                            "%(lot)s is a lot/serial of %(other)s, not of %(product)s whose UDI-DI "
                            "was scanned. Check the label.",
                            lot=name,
                            other=other.product_id.display_name,
                            product=product.display_name,
                        )
                    )
                raise ValidationError(
                    self.env._(
                        "Lot/serial %(lot)s of %(product)s is unknown here: a ticket can only name "
                        "a device we made, received or shipped. Check the label.",
                        lot=name,
                        product=product.display_name,
                    )
                )
            values["trace_lot_id"] = lot.id
        else:
            values["trace_lot_id"] = lot.id if lot.sudo().product_id == product else False
        return values

    def _trace_check_device(self):
        """The lot/serial belongs to the device, and a closed service ticket names one."""
        for ticket in self.sudo():
            lot, product = ticket.trace_lot_id, ticket.trace_product_id
            if lot and product and lot.product_id != product:
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s: lot/serial %(lot)s is of %(lot_product)s, not of "
                        "%(product)s.",
                        ticket=ticket.display_name,
                        lot=lot.name,
                        lot_product=lot.product_id.display_name,
                        product=product.display_name,
                    )
                )
            if ticket._trace_service_closed() and not lot:
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s cannot be closed as done: a %(service)s ticket must "
                        "name the device's lot/serial number (scan its UDI), so that the service "
                        "is recorded on the device's trace.",
                        ticket=ticket.display_name,
                        service=dict(
                            ticket._fields["trace_service_type"]._description_selection(self.env)
                        )[ticket.trace_service_type].lower(),
                    )
                )

    def _trace_service_closed(self):
        """Whether this ticket is closed with its service performed and records an event."""
        self.ensure_one()
        return bool(
            self.stage_id.closed
            and self.stage_id.trace_service_done
            and self.trace_service_type in SERVICE_STEPS
        )

    # ------------------------------------------------------------------ events

    def _trace_record_service(self):
        """Record the service of closed installation / maintenance / inspection tickets.

        One effective event per ticket and business step: closing again, or reopening and
        closing, records nothing more while the device and customer are unchanged; when they
        changed, a correction (EPCIS error declaration, ``incorrect_data``) restates the event.
        """
        events = self.env["trace.event"]
        tickets = self.sudo().filtered(lambda ticket: ticket._trace_service_closed())
        if not tickets:
            return events
        previous = {}
        for event in events.sudo().search(
            [("ticket_id", "in", tickets.ids), ("is_superseded", "=", False)], order="id"
        ):
            previous[event.ticket_id.id, event.biz_step] = event
        dis = events._trace_product_dis(tickets.trace_lot_id.product_id)
        vals_list = []
        for ticket in tickets:
            step = SERVICE_STEPS[ticket.trace_service_type]
            event = previous.get((ticket.id, step))
            customer = ticket.commercial_partner_id
            if (
                event
                and event.line_ids.lot_id == ticket.trace_lot_id
                and event.dest_partner_id == customer
            ):
                continue
            vals = ticket._trace_service_event_vals(step, dis, event)
            if event:
                vals.update(
                    origin="correction",
                    corrected_event_id=event.id,
                    error_reason="incorrect_data",
                )
            vals_list.append(vals)
        return events._trace_create(vals_list)

    def _trace_service_event_vals(self, step, dis, previous):
        """Values of the ObjectEvent recording this ticket's service on its device."""
        self.ensure_one()
        events = self.env["trace.event"]
        lot = self.trace_lot_id
        product = lot.product_id
        customer = self.commercial_partner_id
        when = self.closed_date or fields.Datetime.now()
        line = {
            "role": "object",
            "product_id": product.id,
            "udi_di": dis.get(product.id) or False,
            "lot_id": lot.id,
            "lot_name": lot.name,
            "quantity": 1.0,
            "uom_id": product.uom_id.id,
        }
        holder = self._trace_installation_holder(previous) if step == "installing" else None
        if holder:
            line.update(
                partner_id=holder.id,
                partner_dest_id=customer.id,
                location_id=holder.property_stock_customer.id,
                location_dest_id=customer.property_stock_customer.id,
            )
        return {
            "event_type": "object",
            "action": "observe",
            "biz_step": step,
            "disposition": "active",
            "event_time": when,
            "event_tz": events._trace_tz_offset(when, partner=customer, company=self.company_id),
            "read_point_gln": customer.udi_gln or False,
            "biz_location_gln": customer.udi_gln or False,
            "source_partner_id": holder.id if holder else False,
            "dest_partner_id": customer.id,
            "origin": "ticket",
            "ticket_id": self.id,
            "biz_transaction": self.number,
            "company_id": self.company_id.id,
            "line_ids": [(0, 0, line)],
        }

    def _trace_installation_holder(self, previous):
        """The partner the installation takes the device from, or None.

        When the trace says one other party holds the device (we shipped it to a distributor
        who sold it on to this customer), installing it at the customer makes the customer
        the holder. When the customer already holds it, when we hold it, or when the holders
        are ambiguous, the installation is a pure observation.
        """
        self.ensure_one()
        customer = self.commercial_partner_id
        if not customer:
            return None
        if previous:  # restating: the previous event already moved it from its holder
            moved_from = previous.line_ids.filtered(
                lambda line: line.lot_id == self.trace_lot_id
            ).partner_id
            if moved_from:
                return moved_from[:1]
        rows = self.env["trace.event"]._trace_holders(self.trace_lot_id.ids)
        held = self.env["res.partner"].browse(
            [
                row["partner_id"]
                for row in rows
                if row["holder_type"] == "partner" and row["quantity"] >= 1
            ]
        )
        if not held or customer in held.commercial_partner_id:
            return None
        return held if len(held) == 1 else None
