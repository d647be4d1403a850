from odoo.addons.udi_master.tests.common import UdiCommon


class TraceCommon(UdiCommon):
    """UdiCommon's catheter (lots) and pacemaker (serials), a distributor, a hospital, and
    helpers that move them the way users do (a transfer confirmed, lines set, validated)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        roles = cls.env.ref
        cls.warehouse = cls.env.ref("stock.warehouse0")
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")
        cls.company = cls.env.company
        cls.company.partner_id.udi_gln = "6901234000016"
        cls.supplier = cls.env["res.partner"].create({
            "name": "Shenzhen Catheter Components Ltd.",
            "is_company": True,
            "udi_role_ids": [(6, 0, roles("udi_master.partner_role_supplier").ids)],
        })
        cls.distributor = cls.env["res.partner"].create({
            "name": "Huadong Medical Distribution Co.",
            "is_company": True,
            "udi_role_ids": [(6, 0, roles("udi_master.partner_role_distributor").ids)],
            "udi_gln": "6901234000009",
            "udi_licence_number": "沪药监械经营许20150001号",
            "udi_licence_expiry": cls._date(365),
        })
        cls.hospital = cls.env["res.partner"].create({
            "name": "Ruijin Hospital",
            "is_company": True,
            "udi_role_ids": [(6, 0, roles("udi_master.partner_role_healthcare").ids)],
            "udi_gln": "6901234000023",
        })
        cls.Event = cls.env["trace.event"]
        # lots received by name get an expiry two years out (product_expiry's offset)
        cls.catheter.expiration_time = 730

    @classmethod
    def _transfer(cls, picking_type, partner, source, dest, lines, validate=True):
        """A transfer of ``lines`` [(product, lot or lot name or None, qty)], validated."""
        products = []
        for product, _lot, _qty in lines:
            if product not in products:
                products.append(product)
        picking = cls.env["stock.picking"].create({
            "picking_type_id": picking_type.id,
            "partner_id": partner.id if partner else False,
            "location_id": source.id,
            "location_dest_id": dest.id,
            "move_ids": [(0, 0, {
                "product_id": product.id,
                "product_uom_qty": sum(q for p, _l, q in lines if p == product),
                "location_id": source.id,
                "location_dest_id": dest.id,
            }) for product in products],
        })
        picking.action_confirm()
        picking.move_ids.move_line_ids.unlink()
        move_by_product = {move.product_id: move for move in picking.move_ids}
        vals = []
        for product, lot, qty in lines:
            line = {
                "move_id": move_by_product[product].id,
                "picking_id": picking.id,
                "product_id": product.id,
                "quantity": qty,
                "location_id": source.id,
                "location_dest_id": dest.id,
            }
            if isinstance(lot, str):
                line["lot_name"] = lot
            elif lot:
                line["lot_id"] = lot.id
            vals.append(line)
        cls.env["stock.move.line"].create(vals)
        picking.move_ids.picked = True
        if validate:
            picking.with_context(skip_expired=True).button_validate()
        return picking

    @classmethod
    def _receive(cls, lines, partner=None):
        return cls._transfer(
            cls.env.ref("stock.picking_type_in"),
            partner or cls.supplier,
            cls.supplier_location,
            cls.stock_location,
            lines,
        )

    @classmethod
    def _deliver(cls, partner, lines, validate=True):
        return cls._transfer(
            cls.env.ref("stock.picking_type_out"),
            partner,
            cls.stock_location,
            cls.customer_location,
            lines,
            validate=validate,
        )

    @classmethod
    def _lot_named(cls, product, name):
        return cls.env["stock.lot"].search(
            [("product_id", "=", product.id), ("name", "=", name)]
        )

    def _events_of(self, records, field):
        return self.Event.search([(field, "in", records.ids)])
