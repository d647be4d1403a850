"""The demo's device histories: a pacemaker's life from component lots to hospitals.

Run once by ``demo/trace_demo.xml`` on top of udi_master's demo (products, lots, distributors,
hospitals). Everything goes through the flows a user runs (manufacturing orders, transfers, a
repair order, a service ticket) or an integrator calls (EPCIS capture), so the events the demo
shows are the ones the hooks of trace_events record.
"""

import uuid

from odoo import api, fields, models

from odoo.addons.trace_events.lib import epcis

#: serial numbers made by the demo's manufacturing orders
DEMO_ORDERS = [
    ["PM200-251001", "PM200-251002", "PM200-251003", "PM200-251004"],
    ["PM200-251005", "PM200-251006"],
]
#: distributor xmlid -> serials delivered to it
DEMO_DELIVERIES = [
    ("udi_master.partner_distributor_huadong", ["PM200-251001", "PM200-251002", "PM200-251003"]),
    ("udi_master.partner_distributor_pacific", ["PM200-251004", "PM200-251005"]),
]
#: how the clerk packs the delivery to Huadong before validating it: (pallet SSCC, [(case
#: SSCC, serials)]); GS1 SSCCs of company prefix 6901234 (extension digit 0, check digit)
DEMO_PACKING = {
    "udi_master.partner_distributor_huadong": (
        "069012340002511039",
        [
            ("069012340002511015", ["PM200-251001", "PM200-251002"]),
            ("069012340002511022", ["PM200-251003"]),
        ],
    ),
}
#: the onward shipments Huadong's WMS sends as one document to POST /epcis/capture (the
#: others of DEMO_ONWARD are captured as the distributors' events at once)
DEMO_WMS_CAPTURE = ("HD-DN-20251107", "HD-DN-20251109")
#: onward shipments the distributors report: (distributor, hospital, serials, their document)
DEMO_ONWARD = [
    (
        "udi_master.partner_distributor_huadong",
        "udi_master.partner_hospital_ruijin",
        ["PM200-251001", "PM200-251002"],
        "HD-DN-20251107",
    ),
    (
        "udi_master.partner_distributor_huadong",
        "udi_master.partner_hospital_suzhou",
        ["PM200-251003"],
        "HD-DN-20251109",
    ),
    (
        "udi_master.partner_distributor_pacific",
        "udi_master.partner_hospital_suzhou",
        ["PM200-251004"],
        "PMS-DO-7781",
    ),
]
#: udi_master demo records the scenario builds on
DEMO_REQUIRED = (
    "udi_master.product_pacemaker",
    "udi_master.lot_cells_a",
    "udi_master.lot_tubing_a",
    "udi_master.partner_supplier_cells",
    "udi_master.partner_hospital_ruijin",
    "udi_master.partner_hospital_suzhou",
)


class UdiDemoTrace(models.AbstractModel):
    _name = "udi.demo.trace"
    _description = "Demo: device histories"

    # ------------------------------------------------------------------ the scenario

    @api.model
    def _demo_scenario(self):
        """Build the demo's device histories (once: a second run does nothing).

        On udi_master's demo: two manufacturing orders turn lithium-cell lot LI2504-117 and
        lead-tubing lot SIL2503-042 into six DR-200 pacemakers; five are delivered to the two
        distributors, who report four onward shipments to the two hospitals (captured as
        EPCIS 2.0 events); one pacemaker comes back from Suzhou and is being repaired (a new
        cell); Ruijin's installation of another is closed as a service ticket. Returns the
        records made, or False when it ran before or the udi_master demo is missing.
        """
        env = self.env
        if env.ref("udi_trace_demo.demo_production_pacemaker_1", raise_if_not_found=False):
            return False
        if not all(env.ref(xmlid, raise_if_not_found=False) for xmlid in DEMO_REQUIRED):
            return False
        self = self.sudo().with_context(tracking_disable=True, skip_expired=True)
        env = self.env
        env["trace.event"]._trace_backfill()  # udi_master's demo moves were done before
        ref = env.ref
        # Inventory > Configuration > Settings > Packages: the clerk packs the deliveries
        env["res.config.settings"].create({"group_stock_tracking_lot": True}).execute()
        pacemaker = ref("udi_master.product_pacemaker").product_variant_id
        cells, tubing = ref("udi_master.lot_cells_a"), ref("udi_master.lot_tubing_a")
        chain = self._demo_build_chain(
            pacemaker,
            cells | tubing,
            DEMO_ORDERS,
            [
                (ref(partner), serials, DEMO_PACKING.get(partner))
                for partner, serials in DEMO_DELIVERIES
            ],
            [
                (ref(distributor), ref(hospital), serials, document)
                for distributor, hospital, serials, document in DEMO_ONWARD
                if document not in DEMO_WMS_CAPTURE
            ],
        )
        records = {
            "demo_production_pacemaker_1": chain["productions"][0],
            "demo_production_pacemaker_2": chain["productions"][1],
            "demo_delivery_huadong": chain["deliveries"][0],
            "demo_delivery_pacific": chain["deliveries"][1],
        }
        records.update(self._demo_wms_capture(pacemaker))
        records.update(self._demo_repair(pacemaker, chain["serials"]["PM200-251003"]))
        records["demo_ticket_installation_ruijin"] = self._demo_installation(
            chain["serials"]["PM200-251001"]
        )
        records.update(self._demo_implants(pacemaker, chain["serials"]))
        env["ir.model.data"]._update_xmlids(
            [
                {"xml_id": f"udi_trace_demo.{name}", "record": record, "noupdate": True}
                for name, record in records.items()
            ]
        )
        return records

    @api.model
    def _demo_build_chain(self, product, component_lots, orders, deliveries, onward):
        """Manufacture, deliver and report onward shipments of serials of ``product``.

        * ``component_lots``: the lots the orders consume (one per component of the BoM);
        * ``orders``: one list of serial numbers per manufacturing order;
        * ``deliveries``: ``[(partner, [serial numbers], packing)]``, one delivery each;
          ``packing`` (optional): ``(pallet SSCC, [(case SSCC, [serial numbers])])``, the
          cases the clerk packs the serials in and the pallet they go on;
        * ``onward``: ``[(distributor, hospital, [serial numbers], document)]``, captured as
          the distributor's EPCIS shipping events.

        Returns ``{"productions", "deliveries", "serials": {name: lot}, "capture"}``.
        """
        productions = self.env["mrp.production"]
        for names in orders:
            productions |= self._demo_manufacture(product, component_lots, names)
        serials = {lot.name: lot for lot in productions.lot_producing_ids}
        pickings = self.env["stock.picking"]
        for partner, names, *packing in deliveries:
            pickings |= self._demo_deliver(
                partner, [serials[name] for name in names], packing[0] if packing else None
            )
        events = [
            self._demo_shipping_event(distributor, hospital, product, names, document)
            for distributor, hospital, names, document in onward
        ]
        captured = self.env["trace.event"].capture(events) if events else {}
        return {
            "productions": productions,
            "deliveries": pickings,
            "serials": serials,
            "capture": captured,
        }

    @api.model
    def _demo_implants(self, pacemaker, serials):
        """Ruijin reports the implantation of the two pacemakers Huadong shipped on to it
        (implant_registry): a recall of their cell lot reaches Ruijin with its patients'
        pseudonyms. The DR-200 is a tracked device (21 CFR 821)."""
        pacemaker.product_tmpl_id.implant_tracked = True
        ruijin = self.env.ref("udi_master.partner_hospital_ruijin")
        implants = self.env["udi.demo.implant"]._demo_implant_units(
            [
                (serials["PM200-251001"], ruijin, 30, "RJ-CARD-2025-1187", "陈伟 Chen Wei"),
                (serials["PM200-251002"], ruijin, 26, "RJ-CARD-2025-1203", "陈伟 Chen Wei"),
            ]
        )
        return {
            f"demo_implant_{record.lot_id.name.lower().replace('-', '_')}": record
            for record in implants
        }

    # ------------------------------------------------------------------ the steps

    @api.model
    def _demo_manufacture(self, product, component_lots, serial_names):
        """One manufacturing order making ``serial_names``, consuming ``component_lots``."""
        production = self.env["mrp.production"].create(
            {"product_id": product.id, "product_qty": len(serial_names)}
        )
        production.action_confirm()
        production.lot_producing_ids = self.env["stock.lot"].create(
            [
                {
                    "name": name,
                    "product_id": product.id,
                    "udi_manufacture_date": fields.Date.context_today(self),
                }
                for name in serial_names
            ]
        )
        production.qty_producing = len(serial_names)
        production.set_qty_producing()
        for move in production.move_raw_ids:
            lot = component_lots.filtered(lambda lot, move=move: lot.product_id == move.product_id)
            if lot:
                self._demo_set_lines(move, [(lot[:1], move.product_uom_qty)])
        production.move_raw_ids.picked = True
        production.button_mark_done()
        return production

    @api.model
    def _demo_set_lines(self, move, lots):
        """Replace the lines of ``move`` by one line per ``(lot, quantity)``."""
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "product_id": move.product_id.id,
                    "lot_id": lot.id,
                    "quantity": quantity,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    "picking_id": move.picking_id.id,
                }
                for lot, quantity in lots
            ]
        )
        move.picked = True

    @api.model
    def _demo_transfer(self, picking_type, partner, source, dest, lots, origin=False, packing=None):
        """A validated transfer of one unit of each lot/serial in ``lots``; packed first as
        ``packing`` says (see :meth:`_demo_pack`)."""
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner.id,
                "origin": origin,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "product_uom_qty": len(
                                lots.filtered(lambda lot, p=product: lot.product_id == p)
                            ),
                            "location_id": source.id,
                            "location_dest_id": dest.id,
                        },
                    )
                    for product in lots.product_id
                ],
            }
        )
        picking.action_confirm()
        for move in picking.move_ids:
            self._demo_set_lines(
                move, [(lot, 1) for lot in lots if lot.product_id == move.product_id]
            )
        if packing:
            self._demo_pack(picking, *packing)
        picking.button_validate()
        return picking

    @api.model
    def _demo_pack(self, picking, pallet, cases):
        """The clerk's *Put in Pack*: each case's serials into a case labelled with its SSCC,
        then the whole transfer (the cases) onto the pallet labelled ``pallet``. Validating
        the transfer records the packing events (AggregationEvents) naming the SSCCs."""
        for case, names in cases:
            picking.move_line_ids.filtered(
                lambda ml, names=names: ml.lot_id.name in names
            ).action_put_in_pack(package_name=case)
        picking.action_put_in_pack(package_name=pallet)

    @api.model
    def _demo_deliver(self, partner, lots, packing=None):
        warehouse = self._demo_warehouse()
        return self._demo_transfer(
            warehouse.out_type_id,
            partner,
            warehouse.lot_stock_id,
            self.env.ref("stock.stock_location_customers"),
            self.env["stock.lot"].union(*lots),
            packing=packing,
        )

    @api.model
    def _demo_wms_capture(self, product):
        """Huadong's WMS sends its shipments to the hospitals (``DEMO_WMS_CAPTURE``) and one to
        a hospital not recorded yet as one document to ``POST /epcis/capture``; the job ends
        captured, the new hospital's event waits in the EPCIS inbox. Then Pacific's WMS
        subscribes to the units shipped to it. Returns ``{xmlid name: record}``."""
        ref = self.env.ref
        demo = self.env["udi.demo.epcis"]
        huadong = ref("udi_master.partner_distributor_huadong")
        events = [
            self._demo_shipping_event(ref(distributor), ref(hospital), product, names, document)
            for distributor, hospital, names, document in DEMO_ONWARD
            if document in DEMO_WMS_CAPTURE
        ]
        events.append(demo._demo_new_hospital_event(huadong))
        job = demo._demo_capture(demo._demo_wms_user(), events)
        subscription = demo._demo_pacific_subscription()
        return {
            "demo_capture_huadong_wms": job,
            "demo_query_pacific": subscription.query_id,
            "demo_subscription_pacific": subscription,
        }

    @api.model
    def _demo_warehouse(self):
        return self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )

    @api.model
    def _demo_shipping_event(self, distributor, hospital, product, serial_names, document):
        """The EPCIS 2.0 ObjectEvent a distributor sends for a shipment to a hospital.

        Dated when the distributor reports it, after our delivery of the serials (an earlier
        time would put the shipment before the serials were made: the compliance
        self-assessment's chronology rule reports that).
        """
        di = self.env["trace.event"]._trace_product_dis(product)[product.id]
        now = fields.Datetime.now().replace(microsecond=0)
        return {
            "type": "ObjectEvent",
            "eventID": f"urn:uuid:{self._demo_event_uuid(distributor, document)}",
            "eventTime": epcis.format_time(now, "+08:00"),
            "eventTimeZoneOffset": "+08:00",
            "epcList": [epcis.object_uri("gs1", di, serial=name) for name in serial_names],
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "readPoint": {"id": epcis.location_uri(distributor.udi_gln)},
            "bizTransactionList": [
                {
                    "type": "desadv",
                    "bizTransaction": epcis.biz_transaction_uri(document, distributor.udi_gln),
                }
            ],
            "sourceList": [
                {"type": "owning_party", "source": epcis.party_uri(distributor.udi_gln)}
            ],
            "destinationList": [
                {"type": "owning_party", "destination": epcis.party_uri(hospital.udi_gln)}
            ],
        }

    @api.model
    def _demo_event_uuid(self, partner, document):
        """A stable event ID per (sender, document): capturing twice stores nothing twice."""
        scope = self.env["ir.config_parameter"].sudo().get_param("database.uuid") or "demo"
        return uuid.uuid5(uuid.NAMESPACE_URL, f"{scope}/{partner.udi_gln}/{document}")

    @api.model
    def _demo_repair(self, product, serial):
        """Suzhou sends ``serial`` back; a repair order to replace its cell is under way, its
        parts picked (a cell of the new lot LI2510-203 in, the old one out): *End Repair*
        finishes it and records the new cell in the pacemaker.

        Left under way, not done: Odoo's own repair tests delete every repair order first
        (``TestRepair.test_search_date_category``), and a completed one cannot be deleted.
        Returns ``{xmlid name: record}``.
        """
        warehouse = self._demo_warehouse()
        suzhou = self.env.ref("udi_master.partner_hospital_suzhou")
        cell = self.env.ref("udi_master.lot_cells_a")
        returned = self._demo_transfer(
            warehouse.in_type_id,
            suzhou,
            self.env.ref("stock.stock_location_customers"),
            warehouse.lot_stock_id,
            serial,
            origin="RMA-2025-0042",
        )
        new_cells = self._demo_receive_lot(cell.product_id, "LI2510-203", 50)
        repair = self.env["repair.order"].create(
            {
                "product_id": product.id,
                "lot_id": serial.id,
                "partner_id": suzhou.id,
                "picking_type_id": warehouse.repair_type_id.id,
                "internal_notes": "Battery depletion indicator after 3 weeks: replace the cell. "
                "电池提前耗尽，更换电池。",
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": cell.product_id.id,
                            "product_uom_qty": 1,
                            "repair_line_type": line_type,
                        },
                    )
                    for line_type in ("add", "remove")
                ],
            }
        )
        repair.action_validate()
        repair.action_repair_start()
        for move in repair.move_ids:
            lot = new_cells if move.repair_line_type == "add" else cell
            self._demo_set_lines(move, [(lot, 1)])
        return {"demo_return_suzhou": returned, "demo_repair_pacemaker": repair}

    @api.model
    def _demo_receive_lot(self, product, name, quantity):
        """Receive ``quantity`` of a new lot ``name`` of ``product``; returns the lot."""
        warehouse = self._demo_warehouse()
        suppliers = self.env.ref("stock.stock_location_suppliers")
        lot = self.env["stock.lot"].create({"name": name, "product_id": product.id})
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "partner_id": self.env.ref("udi_master.partner_supplier_cells").id,
                "origin": "PO-2025-0163",
                "location_id": suppliers.id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "location_id": suppliers.id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        self._demo_set_lines(picking.move_ids, [(lot, quantity)])
        picking.button_validate()
        return lot

    @api.model
    def _demo_installation(self, serial):
        """Ruijin's installation of ``serial``, a service ticket closed as done."""
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": f"Implant and program pacemaker {serial.name} (起搏器植入与程控)",
                "description": "<p>Implantation in the cath lab, programming DDDR 60 bpm, "
                "follow-up visit in 3 months.</p>"
                "<p>导管室植入，DDDR 60次/分程控，3个月后随访。</p>",
                "partner_id": self.env.ref("udi_master.partner_hospital_ruijin").id,
                "trace_service_type": "installation",
                "trace_lot_id": serial.id,
            }
        )
        ticket.stage_id = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        return ticket
