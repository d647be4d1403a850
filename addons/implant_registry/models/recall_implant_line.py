from odoo import api, fields, models

from odoo.addons.audit_seal.tools.workflow import workflow

from .recall_implant_report import PATIENT_STATUSES

LINE_STATUSES = [("pending", "Not reported yet"), *PATIENT_STATUSES]


class RecallImplantLine(models.Model):
    """A unit in a recall's scope that is implanted in a patient: the facility that implanted
    it receives a notice listing it, and reports what it did for that patient."""

    _name = "recall.implant.line"
    _description = "Recall Implanted Unit"
    _inherit = ["audit.seal.workflow.mixin"]
    _order = "campaign_id, facility_id, lot_id"
    _workflow_fields = "__all__"

    campaign_id = fields.Many2one(
        "recall.campaign", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="campaign_id.company_id", store=True)
    notice_id = fields.Many2one(
        "recall.notice", index="btree_not_null", ondelete="set null", readonly=True
    )
    facility_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        readonly=True,
        help="The facility where the unit is implanted (its commercial entity).",
    )
    implant_id = fields.Many2one(
        "implant.record",
        string="Implantation",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
    )
    lot_id = fields.Many2one("stock.lot", string="Unit (serial/lot)", required=True, readonly=True)
    product_id = fields.Many2one("product.product", string="Device", required=True, readonly=True)
    implant_date = fields.Date(string="Implanted on", readonly=True)
    patient_token = fields.Char(
        related="implant_id.patient_token",
        string="Patient token",
        help="A keyed pseudonym of the patient id: the patient id itself is shown to the "
        "Patient Data Reader group and to the facility only.",
    )
    patient_ref = fields.Char(
        related="implant_id.patient_ref",
        string="Patient ID",
        help="In clear for the Patient Data Reader group (each read is logged); others see "
        "the patient token.",
    )
    report_ids = fields.One2many("recall.implant.report", "line_id", string="Patient Reports")
    status = fields.Selection(
        LINE_STATUSES,
        string="Patient Status",
        compute="_compute_status",
        store=True,
        index=True,
        help="The facility's latest report for this patient.",
    )
    status_date = fields.Date(compute="_compute_status", store=True)
    reported_at = fields.Datetime(compute="_compute_status", store=True)

    _campaign_implant_unique = models.UniqueIndex("(campaign_id, implant_id)")

    @api.depends("report_ids.status", "report_ids.status_date")
    def _compute_status(self):
        for line in self:
            latest = line.report_ids.sorted("id")[-1:]
            line.status = latest.status or "pending"
            line.status_date = latest.status_date
            line.reported_at = latest.create_date

    @api.depends("lot_id", "facility_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.lot_id.name or ''} @ {line.facility_id.name or ''}"

    @workflow
    @api.model
    def _recall_merge_implants(self, campaign):
        """Add a line for every unit in the campaign's scope implanted now (an open
        implantation of the campaign's company); lines stay once added (the patient reports
        say what became of them). Returns the number of new lines."""
        implants = (
            self.env["implant.record"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", campaign.scope_lot_ids.ids),
                    ("company_id", "=", campaign.company_id.id),
                    ("event_type", "=", "implant"),
                    ("state", "=", "implanted"),
                ]
            )
        )
        known = set(campaign.sudo().implant_line_ids.implant_id.ids)
        new = implants.filtered(lambda record: record.id not in known)
        self.sudo().create(
            [
                {
                    "campaign_id": campaign.id,
                    "facility_id": record.facility_id.commercial_partner_id.id,
                    "implant_id": record.id,
                    "lot_id": record.lot_id.id,
                    "product_id": record.product_id.id,
                    "implant_date": record.event_date,
                }
                for record in new
            ]
        )
        return len(new)

    def _portal_rows(self, patient_refs):
        """What the facility's notice page shows of its implanted units: plain values."""
        statuses = dict(self._fields["status"]._description_selection(self.env))
        rows = []
        for line in self.sorted(lambda line: (line.lot_id.name or "", line.id)):
            rows.append(
                {
                    "id": line.id,
                    "lot_name": line.lot_id.name,
                    "udi_hri": line.lot_id.udi_hri or "",
                    "product_name": line.product_id.display_name,
                    "implant_date": fields.Date.to_string(line.implant_date) or "",
                    "physician": line.implant_id.physician or "",
                    "patient_ref": patient_refs.get(line.implant_id.id) or "",
                    "status": line.status,
                    "status_label": statuses.get(line.status, ""),
                    "status_date": fields.Date.to_string(line.status_date) or "",
                }
            )
        return rows
