"""Ground truth: impact analysis against an independent computation from Odoo's own tables.

A small but awkward world is generated through real Odoo flows (seeded, so every run builds
the same one): component lots received from a supplier; manufacturing orders consuming them,
one of them consuming two lots of the same component, one partly produced with a backorder;
finished serials and lots; deliveries to several customers (one company with two delivery
addresses), a customer return and the reshipment of the returned serial, scraps, internal
transfers, a two-step (pick + ship) delivery, one of them only picked.

The campaign is scoped on one component lot. Its lines must equal what the *oracle* below
computes from done ``stock.move.line`` rows, Odoo's component links
(``stock_move_line_consume_rel``) and ``stock.quant`` only, never from trace events.
"""

import random
from collections import defaultdict

from odoo.tests import tagged

from .common import RecallCommon

SEED = 20251125

# ---------------------------------------------------------------------------------- the oracle


def lots_made_from(env, lot):
    """``lot`` and every lot/serial made from it, directly or through sub-assemblies.

    Odoo's genealogy: when a manufacturing order is done, every finished move line lists the
    component move lines it consumed in ``stock_move_line_consume_rel``, a row being
    (``consume_line_id`` = the finished line that consumed, ``produce_line_id`` = the
    component line consumed) (ODOO19_NOTES §2.2). Going forward is going from the done lines
    of a lot to the finished lines whose rows name them as ``produce_line_id``, generation by
    generation until nothing new is reached.
    """
    env.flush_all()
    reached = {lot.id}
    frontier = {lot.id}
    while frontier:
        env.cr.execute(
            """
            SELECT DISTINCT finished.lot_id
              FROM stock_move_line component
              JOIN stock_move_line_consume_rel rel ON rel.produce_line_id = component.id
              JOIN stock_move_line finished ON finished.id = rel.consume_line_id
             WHERE component.lot_id = ANY(%s)
               AND component.state = 'done'
               AND finished.state = 'done'
               AND finished.lot_id IS NOT NULL
            """,
            [sorted(frontier)],
        )
        frontier = {lot_id for (lot_id,) in env.cr.fetchall()} - reached
        reached |= frontier
    return env["stock.lot"].browse(sorted(reached))


def consignees_from_move_lines(env, lots):
    """{(delivery partner, lot): (commercial partner, held, shipped)} from done move lines.

    The partner of a line is the one of its transfer (else of its move). ``shipped`` is what
    done lines brought into a customer location for that partner; ``held`` is ``shipped``
    minus what done lines took back out of a customer location from that partner (returns).
    """
    shipped = defaultdict(float)
    returned = defaultdict(float)
    lines = env["stock.move.line"].search([("lot_id", "in", lots.ids), ("state", "=", "done")])
    for line in lines:
        partner = line.picking_id.partner_id or line.move_id.partner_id
        if line.location_dest_id.usage == "customer":
            shipped[(partner, line.lot_id)] += line.quantity_product_uom
        if line.location_id.usage == "customer":
            returned[(partner, line.lot_id)] += line.quantity_product_uom
    return {
        (partner, lot): (
            partner.commercial_partner_id,
            round(shipped[(partner, lot)] - returned[(partner, lot)], 6),
            round(shipped[(partner, lot)], 6),
        )
        for partner, lot in shipped.keys() | returned.keys()
    }


def own_stock_from_quants(env, lots):
    """{(internal location, lot): quantity on hand} of ``lots``, from ``stock.quant``."""
    on_hand = defaultdict(float)
    quants = env["stock.quant"].search(
        [("lot_id", "in", lots.ids), ("location_id.usage", "=", "internal")]
    )
    for quant in quants:
        on_hand[(quant.location_id, quant.lot_id)] += quant.quantity
    return {key: round(qty, 6) for key, qty in on_hand.items() if round(qty, 6) > 0}


# ---------------------------------------------------------------------------------- the campaign


def campaign_consignees(campaign):
    """The campaign's consignee lines in the oracle's shape."""
    lines = campaign.line_ids.filtered(lambda line: line.holder_type == "partner")
    return {
        (line.partner_id, line.lot_id): (
            line.commercial_partner_id,
            round(line.quantity, 6),
            round(line.received_quantity, 6),
        )
        for line in lines
    }


def campaign_own_stock(campaign):
    lines = campaign.line_ids.filtered(lambda line: line.holder_type == "location")
    return {(line.location_id, line.lot_id): round(line.quantity, 6) for line in lines}


@tagged("post_install", "-at_install")
class TestImpactGroundTruth(RecallCommon):
    """Impact analysis of a component lot equals the oracle on a generated world."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rng = random.Random(SEED)
        cls._world_master_data()
        cls._world_history()
        cls.campaign = cls.env["recall.campaign"].with_user(cls.manager).create({
            "title": "Lithium cell may short-circuit",
            "reason": "Supplier notice: separator defect in cell lot CELL-A1.",
            "recall_class": "1",
            "jurisdiction_ids": [(6, 0, cls.env.ref("recall_mgmt.jurisdiction_nmpa").ids)],
            "component_lot_ids": [(6, 0, cls.cell_a1.ids)],
        })
        cls.campaign.action_analyze_impact()
        cls.reached = lots_made_from(cls.env, cls.cell_a1)

    # ------------------------------------------------------------------ world: master data

    @classmethod
    def _world_master_data(cls):
        Product = cls.env["product.product"]
        lot_tracked = {"is_storable": True, "tracking": "lot"}
        cls.cell = Product.create({"name": "Lithium-iodine cell 2.8 V", **lot_tracked})
        cls.tubing = Product.create({"name": "Silicone lead tubing", **lot_tracked})
        cls.kit = Product.create({"name": "Pacing lead kit", **lot_tracked})
        cls.pacemaker = cls.implant.product_variant_id
        Bom = cls.env["mrp.bom"]
        for product, cells in ((cls.pacemaker, 1), (cls.kit, 2)):
            Bom.create({
                "product_tmpl_id": product.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [
                    (0, 0, {"product_id": cls.cell.id, "product_qty": cells}),
                    (0, 0, {"product_id": cls.tubing.id, "product_qty": 1}),
                ],
            })
        Partner = cls.env["res.partner"]
        cls.huadong_sh, cls.huadong_sz = Partner.create([
            {"name": "Huadong Shanghai DC", "type": "delivery", "parent_id": cls.distributor.id},
            {"name": "Huadong Suzhou DC", "type": "delivery", "parent_id": cls.distributor.id},
        ])
        cls.pacific = Partner.create({"name": "Pacific MedSupply Pte. Ltd.", "is_company": True})
        cls.pacific_dc = Partner.create(
            {"name": "Pacific Jurong DC", "type": "delivery", "parent_id": cls.pacific.id}
        )
        cls.service = Partner.create({"name": "Zhongshan Pacing Service", "is_company": True})
        cls.control = Partner.create({"name": "Nanjing Drum Tower Hospital", "is_company": True})
        cls.shelf = cls.env["stock.location"].create(
            {"name": "Shelf 1", "usage": "internal", "location_id": cls.stock_location.id}
        )

    # ------------------------------------------------------------------ world: history

    @classmethod
    def _world_history(cls):
        rng = cls.rng
        cls._receive([
            (cls.cell, "CELL-A1", 60), (cls.cell, "CELL-A2", 40), (cls.tubing, "TUBE-B1", 100),
        ])
        cls.cell_a1 = cls._lot_named(cls.cell, "CELL-A1")
        cls.cell_a2 = cls._lot_named(cls.cell, "CELL-A2")
        tube = cls._lot_named(cls.tubing, "TUBE-B1")

        # pacemakers: all from A1; from A1 and A2 in one order; from A2 only (not affected)
        first = rng.randint(4, 6)
        from_a1 = cls._make_serials(first, "PM-1-0001", [(cls.cell_a1, first)], tube)
        mixed = rng.randint(2, 4)
        from_both = cls._make_serials(
            6, "PM-2-0001", [(cls.cell_a1, mixed), (cls.cell_a2, 6 - mixed)], tube
        )
        cls.unaffected = cls._make_serials(4, "PM-3-0001", [(cls.cell_a2, 4)], tube)
        # lead kits: 10 ordered, 6 made (lot KIT-L1), the backorder's 4 made later (KIT-L2)
        order = cls._mo(cls.kit, 10)
        kit_l1 = cls._lot(cls.kit, "KIT-L1")
        cls._produce(order, 6, kit_l1, [(cls.cell_a1, 12)], tube)
        backorder = order.production_group_id.production_ids - order
        kit_l2 = cls._lot(cls.kit, "KIT-L2")
        cls._produce(backorder, 4, kit_l2, [(cls.cell_a1, 4), (cls.cell_a2, 4)], tube)
        cls.orders = order | backorder

        # own stock moves: to the shelf, scraps
        serials = from_a1 + from_both
        shuffled = list(serials)
        rng.shuffle(shuffled)
        on_shelf = shuffled.pop()
        cls._internal(
            cls.stock_location, cls.shelf, [(cls.kit, kit_l2, 3), (cls.pacemaker, on_shelf, 1)]
        )
        cls._scrap(cls.pacemaker, shuffled.pop(), 1)
        cls._scrap(cls.kit, kit_l2, 1)
        cls._scrap(cls.cell, cls.cell_a1, 2)

        # deliveries: serials spread over four addresses of three companies
        addresses = [cls.huadong_sh, cls.huadong_sz, cls.hospital, cls.pacific_dc]
        multi_step = shuffled[2:5]  # shuffled[:2] stay in WH/Stock
        by_address = defaultdict(list)
        for serial in shuffled[5:]:
            by_address[rng.choice(addresses)].append(serial)
        deliveries = {}
        for address, lots in by_address.items():
            deliveries[address] = cls._deliver(address, [(cls.pacemaker, lot, 1) for lot in lots])
        cls._deliver(cls.hospital, [(cls.kit, kit_l1, 2)])
        to_shanghai = cls._deliver(cls.huadong_sh, [(cls.kit, kit_l1, 3)])
        cls._transfer(
            cls.env.ref("stock.picking_type_out"), cls.pacific_dc, cls.shelf,
            cls.customer_location, [(cls.kit, kit_l2, 2)],
        )
        cls._deliver(cls.service, [(cls.cell, cls.cell_a1, 5)])
        cls._deliver(cls.control, [(cls.pacemaker, lot, 1) for lot in cls.unaffected[:3]])

        # a return of one kit, and of one serial that is then shipped to the hospital
        cls._return(to_shanghai, cls.kit, kit_l1, 1)
        address = rng.choice(sorted(deliveries, key=lambda p: p.id))
        returned = rng.choice(deliveries[address].move_line_ids.lot_id)
        cls._return(deliveries[address], cls.pacemaker, returned, 1)
        cls._deliver(cls.hospital, [(cls.pacemaker, returned, 1)])

        # two-step deliveries: one picked and shipped, one only picked (waits in Output)
        cls.warehouse.delivery_steps = "pick_ship"
        cls._pick_ship(cls.huadong_sz, multi_step[:2], ship=True)
        cls._pick_ship(cls.pacific_dc, multi_step[2:], ship=False)

    # ------------------------------------------------------------------ flows

    @classmethod
    def _set_lines(cls, move, lines):
        """Replace ``move``'s proposed lines by ``lines`` [(lot, qty)], picked (a user's pick)."""
        move.move_line_ids.unlink()
        cls.env["stock.move.line"].create([
            {
                "move_id": move.id,
                "picking_id": move.picking_id.id,
                "product_id": move.product_id.id,
                "lot_id": lot.id,
                "quantity": qty,
                "location_id": move.location_id.id,
                "location_dest_id": move.location_dest_id.id,
            }
            for lot, qty in lines
        ])
        move.picked = True

    @classmethod
    def _validate(cls, picking):
        picking.with_context(skip_expired=True).button_validate()
        assert picking.state == "done", picking.name

    @classmethod
    def _mo(cls, product, qty):
        order = cls.env["mrp.production"].create({"product_id": product.id, "product_qty": qty})
        order.action_confirm()
        order.action_assign()
        return order

    @classmethod
    def _consume(cls, order, cells, tube, units):
        """Components of ``units`` products: the given cell lots, the tubing lot."""
        for move in order.move_raw_ids:
            if move.product_id == cls.cell:
                cls._set_lines(move, cells)
            else:
                cls._set_lines(move, [(tube, units)])

    @classmethod
    def _finish(cls, order):
        action = order.button_mark_done()
        if isinstance(action, dict) and action.get("res_model") == "mrp.production.backorder":
            wizard = cls.env["mrp.production.backorder"].with_context(**action["context"])
            wizard.create({}).action_backorder()
        assert order.state == "done", order.name

    @classmethod
    def _make_serials(cls, qty, first_serial, cells, tube):
        """A manufacturing order of ``qty`` pacemakers, serials given by Odoo's wizard."""
        order = cls._mo(cls.pacemaker, qty)
        wizard = cls.env["mrp.production.serials"].create(
            {"production_id": order.id, "lot_name": first_serial, "lot_quantity": qty}
        )
        wizard.action_generate_serial_numbers()
        wizard.action_apply()
        cls._consume(order, cells, tube, qty)
        cls._finish(order)
        return list(order.lot_producing_ids.sorted("name"))

    @classmethod
    def _produce(cls, order, qty, lot, cells, tube):
        """Produce ``qty`` of ``order`` as ``lot`` (a backorder for the rest, if any)."""
        if order.state == "confirmed":
            order.action_assign()
        order.lot_producing_ids = lot
        order.qty_producing = qty
        order.set_qty_producing()
        cls._consume(order, cells, tube, qty)
        cls._finish(order)

    @classmethod
    def _internal(cls, source, dest, lines):
        return cls._transfer(cls.warehouse.int_type_id, None, source, dest, lines)

    @classmethod
    def _scrap(cls, product, lot, qty):
        scrap = cls.env["stock.scrap"].create({
            "product_id": product.id,
            "lot_id": lot.id,
            "scrap_qty": qty,
            "location_id": cls.stock_location.id,
        })
        scrap.action_validate()
        assert scrap.state == "done", scrap.name

    @classmethod
    def _return(cls, delivery, product, lot, qty):
        """A customer return of ``qty`` of ``lot`` through Odoo's return wizard."""
        wizard = cls.env["stock.return.picking"].with_context(
            active_id=delivery.id, active_ids=delivery.ids, active_model="stock.picking"
        ).create({})
        for line in wizard.product_return_moves:
            line.quantity = qty if line.product_id == product else 0
        picking = cls.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        cls._set_lines(picking.move_ids, [(lot, qty)])
        cls._validate(picking)
        return picking

    @classmethod
    def _pick_ship(cls, address, serials, ship):
        """A two-step delivery from a procurement: pick (Stock -> Output), then ship."""
        rule = cls.env["stock.rule"]
        reference = cls.env["stock.reference"].create({"name": f"GT-{address.id}"})
        rule.run([
            rule.Procurement(
                cls.pacemaker, len(serials), cls.pacemaker.uom_id, cls.customer_location,
                cls.pacemaker.name, reference.name, cls.company,
                {"warehouse_id": cls.warehouse, "reference_ids": reference,
                 "partner_id": address.id},
            )
        ])
        # Odoo creates the pick; the ship follows from it once it is done (location_final_id)
        pick = cls.env["stock.picking"].search([("origin", "=", reference.name)])
        assert pick.picking_type_id == cls.warehouse.pick_type_id, pick.name
        cls._set_lines(pick.move_ids, [(serial, 1) for serial in serials])
        cls._validate(pick)
        out = pick.move_ids.move_dest_ids.picking_id
        assert out.picking_type_id == cls.warehouse.out_type_id, out.name
        if ship:
            out.move_ids.picked = True
            cls._validate(out)
        return pick, out

    # ------------------------------------------------------------------ tests

    def test_world_has_the_awkward_cases(self):
        """The oracle's world must hold what makes the comparison worth something."""
        consignees = consignees_from_move_lines(self.env, self.reached)
        companies = defaultdict(set)
        for (partner, _lot), (commercial, _held, _shipped) in consignees.items():
            companies[commercial].add(partner)
        self.assertGreaterEqual(len(companies[self.distributor]), 2, "two addresses, one company")
        self.assertTrue(
            any(held < shipped for _c, held, shipped in consignees.values()), "a return"
        )
        self.assertIn(self.cell_a1, {lot for _partner, lot in consignees}, "component shipped")
        self.assertNotIn(self.control, {partner for partner, _lot in consignees})
        self.assertGreaterEqual(len(self.orders), 2, "a partial production with a backorder")
        locations = {location for location, _lot in own_stock_from_quants(self.env, self.reached)}
        self.assertIn(self.shelf, locations)
        self.assertIn(self.warehouse.wh_output_stock_loc_id, locations, "picked, not shipped")

    def test_scope_is_every_lot_made_from_the_component_lot(self):
        self.assertEqual(self.campaign.scope_lot_ids, self.reached)
        self.assertFalse(set(self.unaffected) & set(self.reached))

    def test_consignee_lines_equal_deliveries_minus_returns_of_move_lines(self):
        expected = consignees_from_move_lines(self.env, self.reached)
        lines = self.campaign.line_ids.filtered(lambda line: line.holder_type == "partner")
        self.assertEqual(len(lines), len(expected), "one line per address and lot")
        self.assertEqual(campaign_consignees(self.campaign), expected)

    def test_own_stock_lines_equal_stock_quants(self):
        expected = own_stock_from_quants(self.env, self.reached)
        lines = self.campaign.line_ids.filtered(lambda line: line.holder_type == "location")
        self.assertEqual(len(lines), len(expected), "one line per location and lot")
        self.assertEqual(campaign_own_stock(self.campaign), expected)

    def test_one_notice_per_commercial_consignee_with_its_lots(self):
        self._sign(self.campaign, "approve")
        expected = defaultdict(set)
        for (_partner, lot), (commercial, _held, _shipped) in consignees_from_move_lines(
            self.env, self.reached
        ).items():
            expected[commercial].add(lot)
        notices = {
            notice.partner_id: set(notice.line_ids.lot_id) for notice in self.campaign.notice_ids
        }
        self.assertEqual(notices, dict(expected))
