from odoo import api, fields, models
from odoo.tools import SQL, drop_view_if_exists

STATUSES = [
    ("in_stock", "In stock"),
    ("at_distributor", "At a distributor"),
    ("at_facility", "At a facility"),
    ("implanted", "Implanted"),
    ("explanted", "Explanted"),
    ("returned", "Returned"),
    ("destroyed", "Destroyed"),
    ("unknown", "Not placed"),
]

#: Where every unit of a tracked device is (21 CFR 821.25(a)), one row per lot/serial, set-based:
#: the unit's positive quant (in our stock, written off, or at a customer), its current holder
#: in the trace (the partner that received it last and still holds it, distributors' onward
#: shipments included) and its last implant record, each picked with DISTINCT ON over the whole
#: table and hash-joined to the lots. DISTINCT ON starts with product_id and the joins match it,
#: so a filter on the device reaches every subquery (PostgreSQL pushes a condition on a
#: DISTINCT ON column down) and the report reads that device's rows only.
TRACKING_SQL = """
SELECT lot.id AS id, lot.id AS lot_id, lot.name AS lot_name, lot.product_id, pp.product_tmpl_id,
       COALESCE(lot.company_id, ir.company_id, q.company_id, h.company_id) AS company_id,
       q.location_id, q.in_date AS location_date,
       h.partner_id AS holder_id, h.last_date AS holder_date,
       ir.id AS record_id, ir.event_type AS record_type, ir.event_date AS record_date,
       ir.facility_id, ir.patient_token, ir.implant_date,
       CASE
         WHEN q.usage = 'inventory' THEN 'destroyed'
         WHEN q.usage = 'internal' THEN
              CASE WHEN ir.id IS NOT NULL OR h.lot_id IS NOT NULL THEN 'returned'
                   ELSE 'in_stock' END
         WHEN ir.event_type = 'implant' THEN 'implanted'
         WHEN ir.event_type = 'explant' THEN 'explanted'
         WHEN h.partner_id IS NOT NULL AND hc.id IS NOT NULL THEN 'at_facility'
         WHEN h.partner_id IS NOT NULL THEN 'at_distributor'
         WHEN q.usage IN ('customer', 'transit') THEN 'at_distributor'
         ELSE 'unknown'
       END AS status,
       CASE
         WHEN q.usage IN ('inventory', 'internal') THEN q.in_date::date
         WHEN ir.id IS NOT NULL THEN ir.event_date
         WHEN h.partner_id IS NOT NULL THEN h.last_date::date
         ELSE q.in_date::date
       END AS status_date
  FROM stock_lot lot
  JOIN product_product pp ON pp.id = lot.product_id
  JOIN product_template pt ON pt.id = pp.product_tmpl_id AND pt.implant_tracked
  LEFT JOIN (
        SELECT DISTINCT ON (sq.product_id, sq.lot_id)
               sq.product_id, sq.lot_id, sq.location_id, sq.in_date, sl.usage, sq.company_id
          FROM stock_quant sq
          JOIN stock_location sl ON sl.id = sq.location_id
         WHERE sq.quantity > 0 AND sq.lot_id IS NOT NULL
           AND sl.usage IN ('internal', 'inventory', 'customer', 'transit')
         ORDER BY sq.product_id, sq.lot_id, (sl.usage = 'internal') DESC, sq.in_date DESC
  ) q ON q.product_id = lot.product_id AND q.lot_id = lot.id
  LEFT JOIN (
        SELECT DISTINCT ON (th.product_id, th.lot_id)
               th.product_id, th.lot_id, th.partner_id, th.last_date, th.company_id
          FROM trace_holding_current th  -- lots queued for a refresh included
         WHERE th.holder_type = 'partner'
         ORDER BY th.product_id, th.lot_id, (th.quantity > 0) DESC, th.last_date DESC
  ) h ON h.product_id = lot.product_id AND h.lot_id = lot.id
  LEFT JOIN (
        SELECT rp.id
          FROM res_partner rp
         WHERE EXISTS (SELECT 1 FROM {role_rel} rr
                         JOIN udi_partner_role ro ON ro.id = rr.{role_col}
                        WHERE rr.{partner_col} IN (rp.id, rp.commercial_partner_id)
                          AND ro.code = 'healthcare')
  ) hc ON hc.id = h.partner_id
  LEFT JOIN (
        -- the open implantation, or the explantation that closed it: one per unit at most
        -- (an explanted unit is never implanted again)
        SELECT r.product_id, r.lot_id, r.id, r.company_id, r.event_type, r.event_date,
               r.facility_id, r.patient_token,
               COALESCE(imp.event_date, r.event_date) AS implant_date
          FROM implant_record r
          LEFT JOIN implant_record imp ON imp.id = r.implant_id
         WHERE r.event_type = 'explant' OR r.state = 'implanted'
  ) ir ON ir.product_id = lot.product_id AND ir.lot_id = lot.id
"""


class ImplantTrackingLine(models.Model):
    """Tracking report (21 CFR 821.25(a), on demand): where every unit of the tracked devices
    is, with the dates. A PostgreSQL view over quants, the trace's holdings and the implant
    records, read like a list; the PDF and xlsx versions read the same view."""

    _name = "implant.tracking.line"
    _description = "Tracked Device Unit Location"
    _auto = False
    _order = "product_id, lot_id"
    _rec_name = "lot_id"

    lot_id = fields.Many2one("stock.lot", string="Unit (serial/lot)", readonly=True)
    lot_name = fields.Char(string="Serial/lot number", readonly=True)
    product_id = fields.Many2one("product.product", string="Device", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", string="Device model", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    status = fields.Selection(STATUSES, readonly=True)
    status_date = fields.Date(string="Since", readonly=True)
    location_id = fields.Many2one("stock.location", string="Stock location", readonly=True)
    location_date = fields.Datetime(string="In location since", readonly=True)
    holder_id = fields.Many2one("res.partner", string="Held by", readonly=True)
    holder_date = fields.Datetime(string="Received by holder", readonly=True)
    record_id = fields.Many2one("implant.record", string="Last implant record", readonly=True)
    record_type = fields.Selection(
        [("implant", "Implantation"), ("explant", "Explantation")],
        string="Last implant event",
        readonly=True,
    )
    record_date = fields.Date(string="Implant event date", readonly=True)
    implant_date = fields.Date(string="Implanted on", readonly=True)
    facility_id = fields.Many2one("res.partner", string="Implanting facility", readonly=True)
    patient_token = fields.Char(string="Patient token", readonly=True)

    @api.model
    def _implant_tracking_sql(self):
        field = self.env["res.partner"]._fields["udi_role_ids"]
        return TRACKING_SQL.format(
            role_rel=field.relation, role_col=field.column2, partner_col=field.column1
        )

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                SQL(self._implant_tracking_sql()),
            )
        )

    @api.model
    def _implant_tracking_rows(self, product_ids, company_ids=None):
        """[dict] of every unit of ``product_ids`` in ``company_ids`` (default: the caller's
        allowed companies): one query, no per-unit work."""
        company_ids = company_ids or self.env.companies.ids
        self.env.flush_all()  # the view reads the tables: pending writes first
        # one plain query: compiling it (JIT) costs more than running it
        # and its sorts fit in memory (for the rest of this transaction only)
        self.env.cr.execute("SET LOCAL jit = off")
        self.env.cr.execute("SET LOCAL work_mem = '64MB'")
        self.env.cr.execute(
            SQL(
                """
                SELECT t.lot_id, t.lot_name AS name, t.product_id, t.status, t.status_date,
                       t.location_id, t.holder_id, t.facility_id, t.implant_date,
                       t.record_type, t.record_date, t.patient_token
                  FROM %s t
                 WHERE t.product_id = ANY(%s) AND t.company_id = ANY(%s)
                 ORDER BY t.product_id, t.lot_name
                """,
                SQL.identifier(self._table),
                list(product_ids),
                list(company_ids),
            )
        )
        columns = [c.name for c in self.env.cr.description]
        return [dict(zip(columns, row, strict=True)) for row in self.env.cr.fetchall()]
