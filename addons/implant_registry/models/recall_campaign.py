from collections import defaultdict

from odoo import api, fields, models

from odoo.addons.audit_seal.tools.workflow import workflow


class RecallCampaign(models.Model):
    """A recall of an implant reaches the facilities where units in its scope are implanted:
    the impact analysis lists them, each facility gets its notice with its implanted units and
    reports per patient; the quality team follows the counts per status here."""

    _inherit = "recall.campaign"

    implant_line_ids = fields.One2many(
        "recall.implant.line", "campaign_id", string="Implanted Units"
    )
    implant_unit_count = fields.Integer(
        string="Implanted Units in Scope", compute="_compute_implant_counts", store=True
    )
    implant_facility_count = fields.Integer(
        string="Implanting Facilities", compute="_compute_implant_counts", store=True
    )
    implant_pending_count = fields.Integer(
        string="Patients Not Reported", compute="_compute_implant_counts", store=True
    )
    implant_notified_count = fields.Integer(
        string="Patients Notified", compute="_compute_implant_counts", store=True
    )
    implant_follow_up_count = fields.Integer(
        string="Follow-ups Planned", compute="_compute_implant_counts", store=True
    )
    implant_explanted_count = fields.Integer(
        string="Units Explanted", compute="_compute_implant_counts", store=True
    )
    implant_reached_rate = fields.Float(
        string="Patients Reached",
        compute="_compute_implant_counts",
        store=True,
        aggregator="avg",
        help="Share of the implanted units in scope for which the facility reported what it "
        "did for the patient (notified, follow-up planned or explanted): the effectiveness of "
        "the recall at patient level.",
    )

    @api.depends("implant_line_ids.status", "implant_line_ids.facility_id")
    def _compute_implant_counts(self):
        for campaign in self:
            lines = campaign.implant_line_ids
            counts = defaultdict(int)
            for line in lines:
                counts[line.status] += 1
            campaign.implant_unit_count = len(lines)
            campaign.implant_facility_count = len(lines.facility_id)
            campaign.implant_pending_count = counts["pending"]
            campaign.implant_notified_count = counts["notified"]
            campaign.implant_follow_up_count = counts["follow_up"]
            campaign.implant_explanted_count = counts["explanted"]
            campaign.implant_reached_rate = (
                (len(lines) - counts["pending"]) / len(lines) if lines else 0.0
            )

    # ------------------------------------------------------------------ impact analysis

    def _recall_analyze(self):
        changes = super()._recall_analyze()
        changes["implanted"] = self.env["recall.implant.line"]._recall_merge_implants(self)
        return changes

    def _recall_change_summary(self, changes):
        summary = super()._recall_change_summary(changes)
        if changes.get("implanted"):
            summary += " " + self.env._(
                "%(count)s unit(s) implanted in patients found at the implanting facilities.",
                count=changes["implanted"],
            )
        return summary

    @workflow
    def _recall_prepare_notices(self):
        """The implanting facilities get a notice too (the one they have as consignees, or
        their own), listing their implanted units."""
        result = super()._recall_prepare_notices()
        for campaign in self:
            lines = campaign.implant_line_ids.filtered(lambda line: not line.notice_id)
            if not lines:
                continue
            existing = {
                notice.partner_id: notice
                for notice in campaign.notice_ids
                if notice.state != "cancel"
            }
            by_facility = defaultdict(lambda: self.env["recall.implant.line"])
            for line in lines:
                by_facility[line.facility_id] |= line
            missing = [facility for facility in by_facility if facility not in existing]
            notices = (
                self.env["recall.notice"]
                .sudo()
                .create([campaign._recall_notice_vals(facility) for facility in missing])
            )
            existing.update(zip(missing, notices, strict=True))
            for facility, group in by_facility.items():
                group.sudo().notice_id = existing[facility]
        return result

    def action_open_implant_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "implant_registry.recall_implant_line_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"search_default_group_facility": 1}
        return action
