from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class TraceUnitGenealogyWizard(models.TransientModel):
    """Record per-unit genealogy of a done manufacturing order as a line works: scan the
    finished serial, then the components that went into it, then the next serial."""

    _name = "trace.unit.genealogy.wizard"
    _description = "Per-Unit Genealogy of a Manufacturing Order"

    production_id = fields.Many2one(
        "mrp.production", string="Manufacturing Order", required=True, readonly=True
    )
    scan = fields.Char(
        help="Scan the UDI (or type the lot/serial number) of a finished unit of this order, "
        "then of each component that went into it; then the next unit.",
    )
    unit_id = fields.Many2one(
        "stock.lot",
        string="Current Unit",
        help="The finished unit the components scanned now go into.",
    )
    made_lot_ids = fields.Many2many(
        "stock.lot",
        "trace_unit_genealogy_wizard_made_rel",
        string="Units Made",
        compute="_compute_order_lots",
    )
    consumed_lot_ids = fields.Many2many(
        "stock.lot",
        "trace_unit_genealogy_wizard_consumed_rel",
        string="Lots Consumed",
        compute="_compute_order_lots",
    )
    line_ids = fields.One2many(
        "trace.unit.genealogy.wizard.line", "wizard_id", string="Components per Unit"
    )
    recorded_count = fields.Integer(
        string="Units Recorded",
        compute="_compute_order_lots",
        help="Units of this order that already have per-unit genealogy.",
    )
    last_scan = fields.Char(readonly=True)

    @api.depends("production_id")
    def _compute_order_lots(self):
        Event = self.env["trace.event"]
        for wizard in self:
            if not wizard.production_id:
                wizard.made_lot_ids = wizard.consumed_lot_ids = False
                wizard.recorded_count = 0
                continue
            facts = Event._trace_genealogy_facts(wizard.production_id)
            wizard.made_lot_ids = [(6, 0, [lot.id for lot in facts["units"]])]
            wizard.consumed_lot_ids = [(6, 0, [lot.id for lot in facts["consumed"]])]
            wizard.recorded_count = len(facts["recorded"])

    @api.onchange("scan")
    def _onchange_scan(self):
        if not self.scan:
            return None
        code, self.scan = self.scan, False
        try:
            self._trace_apply_scan(code)
        except UserError as error:
            return {"warning": {"title": self.env._("Scan rejected"), "message": error.args[0]}}
        return None

    def _trace_apply_scan(self, code):
        """A unit scanned becomes the current unit; a component goes into the current unit."""
        lot = self._trace_scan_lot(code)
        if lot in self.made_lot_ids:
            self.unit_id = lot
            self.last_scan = self.env._("Unit %(unit)s: now scan its components.", unit=lot.name)
            return
        if not self.unit_id:
            raise UserError(
                self.env._(
                    "%(lot)s is a component: scan the finished unit it went into first.",
                    lot=lot.name,
                )
            )
        if any(line.unit_id == self.unit_id and line.component_id == lot for line in self.line_ids):
            raise UserError(
                self.env._(
                    "%(lot)s is already listed for unit %(unit)s.",
                    lot=lot.name,
                    unit=self.unit_id.name,
                )
            )
        facts = self.env["trace.event"]._trace_genealogy_facts(self.production_id)
        quantity = (
            1.0 if lot.product_id.tracking == "serial" else facts["per_unit"].get(lot.product_id)
        )
        self.line_ids |= self.line_ids.new(
            {"unit_id": self.unit_id.id, "component_id": lot.id, "quantity": quantity or 1.0}
        )
        self.last_scan = self.env._(
            "%(lot)s into unit %(unit)s.", lot=lot.name, unit=self.unit_id.name
        )

    def _trace_scan_lot(self, code):
        """The unit made or the lot consumed by the order that ``code`` (a UDI or a
        lot/serial number) names."""
        code = (code or "").strip()
        candidates = self.made_lot_ids | self.consumed_lot_ids
        try:
            parsed = self.env["udi.parser"].parse(code)
        except ValidationError:
            found = candidates.filtered(lambda lot: lot.name == code)
        else:
            names = {parsed.get("serial"), parsed.get("lot")} - {None, False, ""}
            found = candidates.filtered(
                lambda lot: lot.product_id.id == parsed.get("product_id") and lot.name in names
            )
        if len(found) != 1:
            raise UserError(
                self.env._(
                    "%(code)s is neither a unit made by %(order)s nor a lot/serial it consumed: "
                    "nothing was added. Scan the label of a unit of this order or of one of its "
                    "components.",
                    code=code,
                    order=self.production_id.name,
                )
            )
        return found

    def action_record(self):
        """Record the units listed (one sealed event each), all or none."""
        self.ensure_one()
        if not self.line_ids:
            raise UserError(self.env._("Scan a finished unit and its components before recording."))
        units = {}
        for line in self.line_ids:
            units.setdefault(line.unit_id, []).append(
                {"lot": line.component_id.id, "quantity": line.quantity}
            )
        self.env["trace.event"].record_unit_genealogy(
            self.production_id.id,
            [{"serial": unit.id, "components": comps} for unit, comps in units.items()],
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Per-unit genealogy recorded for %(count)s unit(s) of %(order)s.",
                    count=len(units),
                    order=self.production_id.name,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }


class TraceUnitGenealogyWizardLine(models.TransientModel):
    _name = "trace.unit.genealogy.wizard.line"
    _description = "Component of a Unit (per-unit genealogy)"
    _order = "id"

    wizard_id = fields.Many2one("trace.unit.genealogy.wizard", required=True, ondelete="cascade")
    unit_id = fields.Many2one("stock.lot", required=True)
    component_id = fields.Many2one("stock.lot", string="Component Lot/Serial", required=True)
    product_id = fields.Many2one(related="component_id.product_id", string="Component")
    quantity = fields.Float(digits="Product Unit", required=True, default=1.0)
