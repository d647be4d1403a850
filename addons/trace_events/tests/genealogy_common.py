"""The per-unit genealogy fixture (shared by trace_events' and recall_mgmt's tests).

One manufacturing order makes 4 pacemaker serials (GEN-1 .. GEN-4) from catheter lots CATH-A
and CATH-B (2 units each: the order's genealogy cannot tell which unit has which) and one lead
lot LEAD-1 (every unit has it). The known assignment: GEN-1 and GEN-2 contain CATH-A, GEN-3 and
GEN-4 contain CATH-B.
"""

from odoo import Command
from odoo.tests import Form

from .common import TraceCommon


class GenealogyCommon(TraceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.group_user").write(
            {"implied_ids": [Command.link(cls.env.ref("stock.group_production_lot").id)]}
        )
        cls.pacemaker = cls.implant.product_variant_id
        cls.lead = cls.env["product.product"].create(
            {"name": "Bipolar pacing lead", "is_storable": True, "tracking": "lot"}
        )
        cls.bom = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.implant.id,
                "product_qty": 1,
                "type": "normal",
                "consumption": "flexible",
                "bom_line_ids": [
                    Command.create({"product_id": cls.catheter_variant.id, "product_qty": 1}),
                    Command.create({"product_id": cls.lead.id, "product_qty": 1}),
                ],
            }
        )
        cls._receive(
            [
                (cls.catheter_variant, "CATH-A", 2),
                (cls.catheter_variant, "CATH-B", 2),
                (cls.lead, "LEAD-1", 4),
            ]
        )
        cls.cath_a = cls._lot_named(cls.catheter_variant, "CATH-A")
        cls.cath_b = cls._lot_named(cls.catheter_variant, "CATH-B")
        cls.lead_lot = cls._lot_named(cls.lead, "LEAD-1")
        cls.order = cls._make_order(["GEN-1", "GEN-2", "GEN-3", "GEN-4"])
        cls.units = cls.order.lot_producing_ids.sorted("name")
        cls.truth = {cls.cath_a: cls.units[:2], cls.cath_b: cls.units[2:]}
        cls.env["audit.seal.entry"]._seal_run_pending()

    @classmethod
    def _make_order(cls, serials):
        form = Form(cls.env["mrp.production"])
        form.product_id = cls.pacemaker
        form.bom_id = cls.bom
        form.product_qty = len(serials)
        order = form.save()
        order.action_confirm()
        order.action_assign()
        if len(serials) > 1:
            wizard = Form.from_action(cls.env, order.action_generate_serial())
            wizard.serial_numbers = "\n".join(serials)
            wizard.save().action_apply()
        else:
            form = Form(order)
            form.lot_producing_ids.set(
                cls.env["stock.lot"].create({"name": serials[0], "product_id": cls.pacemaker.id})
            )
            form.save()
        order.move_raw_ids.picked = True
        order.button_mark_done()
        return order

    def _record_truth(self, units=None, user=None):
        """Record the known assignment (of ``units``, default all) through the API."""
        units = units or self.units
        Event = self.env["trace.event"].with_user(user) if user else self.env["trace.event"]
        payload = [
            {
                "serial": unit.name,
                "components": [
                    {"lot": lot.name, "product_id": lot.product_id.id}
                    for lot, made in self.truth.items()
                    if unit in made
                ],
            }
            for unit in units
        ]
        return Event.record_unit_genealogy(self.order.name, payload)

    def _reached(self, result, product=None):
        product = product or self.pacemaker
        return self.env["stock.lot"].browse(
            [row["lot_id"] for row in result["lots"] if row["product_id"] == product.id]
        )

    def _repair_with_part(self, unit, part):
        """A done repair that put one unit of the catheter lot ``part`` into ``unit``, as a
        technician records it."""
        repair = self.env["repair.order"].create(
            {
                "product_id": self.pacemaker.id,
                "product_uom": self.pacemaker.uom_id.id,
                "lot_id": unit.id,
                "partner_id": self.hospital.id,
                "picking_type_id": self.warehouse.repair_type_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "product_id": self.catheter_variant.id,
                            "product_uom_qty": 1,
                            "repair_line_type": "add",
                        }
                    )
                ],
            }
        )
        repair.action_validate()
        repair.action_repair_start()
        move = repair.move_ids
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "product_id": self.catheter_variant.id,
                "lot_id": part.id,
                "quantity": 1,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
            }
        )
        move.picked = True
        repair.action_repair_end()
        return repair
