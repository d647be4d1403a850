from odoo import api, fields, models

from odoo.addons.audit_seal.tools.workflow import workflow

from .recall_document import KIND_INFO
from .recall_jurisdiction import DOCUMENT_MILESTONES


class RecallCampaign(models.Model):
    _inherit = "recall.campaign"

    # -- what the data cannot tell: asked, never guessed
    recall_overseas = fields.Selection(
        [("yes", "Yes"), ("no", "No")],
        string="Recall Also Outside China",
        tracking=True,
        help="是否境外召回: whether the same devices are also recalled outside China. The "
        "NMPA reports ask it; answer it, it is not inferred from the jurisdictions.",
    )
    recall_overseas_detail = fields.Char(
        string="Overseas Recall Countries",
        help="Where the devices are recalled outside China (countries, authorities).",
    )
    recall_estimated_completion = fields.Date(
        string="Estimated Completion",
        tracking=True,
        help="预计完成时间: when the recall is expected to be completed (the plan's schedule). "
        "The NMPA, FDA and EU reports quote it.",
    )
    document_ids = fields.One2many("recall.document", "campaign_id", string="Documents")
    document_count = fields.Integer(compute="_compute_document_count")
    document_late_count = fields.Integer(compute="_compute_document_count", string="Late Documents")

    @api.depends("document_ids.state", "document_ids.is_late")
    def _compute_document_count(self):
        for campaign in self:
            campaign.document_count = len(campaign.document_ids)
            campaign.document_late_count = len(
                campaign.document_ids.filtered(lambda d: d.is_late and d.state != "issued")
            )

    # ------------------------------------------------------------------ clocks

    @workflow
    def _recall_create_deadlines(self):
        """The documents' clocks that start at the decision, next to recall_mgmt's."""
        res = super()._recall_create_deadlines()
        self._recall_doc_create_deadlines("decision", None)
        return res

    @workflow
    def _recall_transition(self, target, note=None, signature=None, details=None):
        res = super()._recall_transition(target, note=note, signature=signature, details=details)
        if target == "effectiveness":
            # the recall actions are complete: the summary and final reports' clocks start
            self._recall_doc_create_deadlines("completion", fields.Datetime.now())
        return res

    def _recall_doc_create_deadlines(self, start_event, start):
        """Deadlines of the document milestones whose clock starts at ``start_event``, from
        ``start`` (the decision when None); a clock already created is not created again."""
        Deadline = self.env["recall.campaign.deadline"].sudo()
        for campaign in self:
            rules = (
                self.env["recall.deadline.rule"].search(
                    [
                        ("jurisdiction_id", "in", campaign.jurisdiction_ids.ids),
                        ("milestone", "in", [key for key, _label in DOCUMENT_MILESTONES]),
                        ("start_event", "=", start_event),
                        "|",
                        ("recall_class", "=", False),
                        ("recall_class", "=", campaign.recall_class),
                    ]
                )
                - campaign.deadline_ids.rule_id
            )
            begin = start or campaign.decision_date
            Deadline.create(
                [
                    {
                        "campaign_id": campaign.id,
                        "rule_id": rule.id,
                        "due_at": rule._due_from(begin, campaign.company_id),
                    }
                    for rule in rules
                ]
            )

    @workflow
    @api.model
    def _cron_recall_deadlines(self):
        """recall_mgmt's alarms skip closed recalls; a document clock that starts at the
        completion (the NMPA summary report, the EU final report) can still run after the
        closure: remind and escalate it as well."""
        res = super()._cron_recall_deadlines()
        self.env["recall.campaign.deadline"].search(
            [
                ("done_at", "=", False),
                ("campaign_id.state", "=", "closed"),
                ("milestone", "in", [key for key, _label in DOCUMENT_MILESTONES]),
            ]
        )._recall_alert()
        return res

    # ------------------------------------------------------------------ buttons

    def action_open_documents(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "recall_documents.recall_document_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"default_campaign_id": self.id}
        return action

    def action_prepare_documents(self):
        """A draft for every open clock of the recall that a document answers and no
        document answers yet."""
        self.ensure_one()
        self.check_access("read")
        Document = self.env["recall.document"]
        vals_list = []
        codes = self.jurisdiction_ids.mapped("code")
        for kind, (code, milestone, _periodic) in KIND_INFO.items():
            if not milestone or code not in codes:
                continue
            if Document._recall_doc_open_deadline(self, kind):
                vals_list.append({"campaign_id": self.id, "kind": kind})
        Document.create(vals_list)
        return self.action_open_documents()
