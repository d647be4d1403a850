import datetime

from odoo import api, fields, models

#: the demo's implant reports: (serial, hospital, days ago, patient id, physician)
DEMO_IMPLANTS = (
    (
        "PM200-IR0001",
        "shanghai",
        60,
        "RJ-CARD-2026-0417",
        "陈伟 Chen Wei",
    ),
    (
        "PM200-IR0002",
        "shanghai",
        45,
        "RJ-CARD-2026-0533",
        "陈伟 Chen Wei",
    ),
    (
        "PM200-IR0003",
        "us",
        30,
        "MGH-EP-88213",
        "Dr. Sarah Miller",
    ),
    (
        "PM200-IR0004",
        "us",
        20,
        "MGH-EP-88590",
        "Dr. Sarah Miller",
    ),
)
#: (serial, days ago, reason): explanted after a lead dislodgement, reported by the hospital
DEMO_EXPLANTS = (("PM200-IR0003", 5, "Lead dislodgement; device returned for analysis"),)


class ImplantRegistryDemo(models.AbstractModel):
    """Builds the implant registry's demo through the flows users run: the pacemaker marked as
    a tracked device, four serials received and delivered to Ruijin (Shanghai) and Mercy
    General (Chicago), their implantations recorded by staff from the hospitals' reports,
    and one explantation."""

    _name = "udi.demo.implant"
    _description = "Demo: implant registry"

    @api.model
    def _demo_build(self, template=None, hospitals=None):
        """Build the demo on ``template`` (default: udi_master's demo pacemaker) and
        ``hospitals`` {"shanghai": partner, "us": partner} (default: Ruijin and Mercy General);
        does nothing when they do not exist or the demo units are recorded already."""
        env = self.env
        template = template or env.ref("udi_master.product_pacemaker", raise_if_not_found=False)
        hospitals = hospitals or {
            "shanghai": env.ref("udi_master.partner_hospital_ruijin", raise_if_not_found=False),
            "us": env.ref("implant_registry.partner_hospital_mercy", raise_if_not_found=False),
        }
        serials = [row[0] for row in DEMO_IMPLANTS]
        if (
            not template
            or not all(hospitals.values())
            or env["stock.lot"].search_count(
                [("name", "in", serials), ("product_id.product_tmpl_id", "=", template.id)]
            )
        ):
            return env["implant.record"]
        template.implant_tracked = True
        product = template.product_variant_id
        lots = self._demo_receive(product, serials)
        for key, hospital in hospitals.items():
            hospital_lots = env["stock.lot"].browse(
                [lots[row[0]].id for row in DEMO_IMPLANTS if row[1] == key]
            )
            self._demo_deliver(hospital, hospital_lots)
        return self._demo_implant_units(
            [
                (lots[serial], hospitals[key], days, patient, physician)
                for serial, key, days, patient, physician in DEMO_IMPLANTS
            ],
            [(lots[serial], days, reason) for serial, days, reason in DEMO_EXPLANTS],
        )

    @api.model
    def _demo_implant_units(self, implants, explants=()):
        """Record ``implants`` [(lot, hospital, days ago, patient id, physician)] and then
        ``explants`` [(lot, days ago, reason)] as the manufacturer's staff (the admin) from
        the hospitals' reports. The demo module may call it with its own delivered units."""
        admin = self.env.ref("base.user_admin")
        Record = self.env["implant.record"].with_user(admin)
        today = fields.Date.context_today(self)
        records = Record.browse()
        for lot, hospital, days, patient, physician in implants:
            records |= Record._implant_register(
                "implant",
                {
                    "lot_id": lot.id,
                    "facility_id": hospital.id,
                    "event_date": today - datetime.timedelta(days=days),
                    "patient_ref": patient,
                    "physician": physician,
                },
                source="staff",
            )
        for lot, days, reason in explants:
            implant = records.filtered(lambda r, lot=lot: r.lot_id == lot)
            records |= Record._implant_register(
                "explant",
                {
                    "lot_id": lot.id,
                    "facility_id": implant.facility_id.id,
                    "event_date": today - datetime.timedelta(days=days),
                    "explant_reason": reason,
                    "physician": implant.physician,
                },
                source="staff",
            )
        return records

    @api.model
    def _demo_receive(self, product, serials):
        """The serials counted into stock (an inventory adjustment, as a clerk applies it)."""
        stock = self.env.ref("stock.stock_location_stock")
        lots = self.env["stock.lot"].create(
            [{"name": serial, "product_id": product.id} for serial in serials]
        )
        quants = (
            self.env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                [
                    {
                        "product_id": product.id,
                        "location_id": stock.id,
                        "lot_id": lot.id,
                        "inventory_quantity": 1,
                    }
                    for lot in lots
                ]
            )
        )
        quants.action_apply_inventory()
        return {lot.name: lot for lot in lots}

    @api.model
    def _demo_deliver(self, partner, lots):
        """A delivery of ``lots`` to ``partner``, confirmed, lines set, validated."""
        picking_type = self.env.ref("stock.picking_type_out")
        stock = self.env.ref("stock.stock_location_stock")
        customers = self.env.ref("stock.stock_location_customers")
        product = lots.product_id
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner.id,
                "location_id": stock.id,
                "location_dest_id": customers.id,
                "origin": "SO-IMPLANT-DEMO",
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "product_id": product.id,
                            "product_uom_qty": len(lots),
                            "location_id": stock.id,
                            "location_dest_id": customers.id,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        move = picking.move_ids
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "lot_id": lot.id,
                    "quantity": 1,
                    "location_id": stock.id,
                    "location_dest_id": customers.id,
                }
                for lot in lots
            ]
        )
        move.picked = True
        picking.with_context(skip_expired=True).button_validate()
        return picking
