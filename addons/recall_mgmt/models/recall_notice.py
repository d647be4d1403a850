from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.audit_seal.tools.workflow import workflow

NOTICE_STATES = [
    ("draft", "To Send"),
    ("sent", "Sent"),
    ("acknowledged", "Acknowledged"),
    ("completed", "Completed"),
    ("cancel", "Cancelled"),
]


class RecallNotice(models.Model):
    """The notice one consignee (a commercial entity) receives, with exactly its own units."""

    _name = "recall.notice"
    _description = "Recall Notice"
    _inherit = ["mail.thread", "mail.activity.mixin", "audit.seal.workflow.mixin"]
    _order = "campaign_id desc, id"
    _check_company_auto = True
    _workflow_fields = (
        "campaign_id",
        "company_id",
        "partner_id",
        "state",
        "send_queued",
        "sent_at",
        "deadline",
        "acknowledged_at",
        "acknowledged_by",
        "completed_at",
        "reminder_count",
        "last_reminder_at",
        "escalated_at",
        "effectiveness_verified_at",
    )

    name = fields.Char(compute="_compute_name", store=True)
    campaign_id = fields.Many2one(
        "recall.campaign", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True)
    partner_id = fields.Many2one(
        "res.partner", string="Consignee", required=True, index=True,
        help="The consignee's company; its contacts see the notice.",
    )
    state = fields.Selection(NOTICE_STATES, default="draft", required=True, tracking=True)
    is_drill = fields.Boolean(related="campaign_id.is_drill", store=True)
    recall_class = fields.Selection(related="campaign_id.recall_class")
    kind = fields.Selection(related="campaign_id.kind")
    line_ids = fields.One2many("recall.campaign.line", "notice_id", string="Affected Units")
    response_ids = fields.One2many("recall.response", "notice_id", string="Responses")
    return_picking_ids = fields.One2many("stock.picking", "recall_notice_id", string="Returns")
    send_queued = fields.Boolean(
        readonly=True, copy=False, index=True, help="Waiting for the sending job."
    )
    sent_at = fields.Datetime(readonly=True, copy=False)
    deadline = fields.Datetime(
        string="Respond By", readonly=True, help="Acknowledge and report by this time."
    )
    acknowledged_at = fields.Datetime(readonly=True, copy=False)
    acknowledged_by = fields.Char(readonly=True, copy=False)
    completed_at = fields.Datetime(readonly=True, copy=False)
    reminder_count = fields.Integer(readonly=True, copy=False)
    last_reminder_at = fields.Datetime(readonly=True, copy=False)
    escalated_at = fields.Datetime(readonly=True, copy=False)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    effectiveness_selected = fields.Boolean(
        string="To Verify", help="Selected for the effectiveness check."
    )
    effectiveness_verified_at = fields.Datetime(string="Verified At", readonly=True)
    effectiveness_note = fields.Text(string="Verification Note")
    urgency_prefix = fields.Char(
        compute="_compute_urgency_prefix",
        help="'URGENT: ' for class I and II recalls (21 CFR 7.49), in the reader's language.",
    )
    # figures
    lot_count = fields.Integer(compute="_compute_figures")
    qty_shipped = fields.Float(compute="_compute_figures", digits="Product Unit")
    qty_located = fields.Float(compute="_compute_figures", digits="Product Unit")
    qty_recovered = fields.Float(compute="_compute_figures", digits="Product Unit")

    _campaign_partner_unique = models.UniqueIndex(
        "(campaign_id, partner_id) WHERE state != 'cancel'"
    )

    @api.depends("campaign_id.name", "partner_id")
    def _compute_name(self):
        for notice in self:
            notice.name = f"{notice.campaign_id.name}/{notice.partner_id.id or 0:05d}"

    @api.depends("name", "partner_id")
    def _compute_display_name(self):
        for notice in self:
            notice.display_name = f"{notice.name} {notice.partner_id.display_name or ''}".strip()

    @api.depends("campaign_id.recall_class")
    def _compute_urgency_prefix(self):
        for notice in self:
            urgent = notice.campaign_id.recall_class in ("1", "2")
            notice.urgency_prefix = self.env._("URGENT: ") if urgent else ""

    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for notice in self:
            notice.is_overdue = bool(
                notice.state == "sent" and notice.deadline and notice.deadline < now
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Overdue."))
        now = fields.Datetime.now()
        if (operator == "=") == value:
            return [("state", "=", "sent"), ("deadline", "<", now)]
        return ["|", ("state", "!=", "sent"), "|", ("deadline", "=", False),
                ("deadline", ">=", now)]

    @api.depends("line_ids.received_quantity", "line_ids.reported_located",
                 "line_ids.recovered_quantity")
    def _compute_figures(self):
        for notice in self:
            notice.lot_count = len(notice.line_ids.lot_id)
            notice.qty_shipped = sum(notice.line_ids.mapped("received_quantity"))
            notice.qty_located = sum(notice.line_ids.mapped("reported_located"))
            notice.qty_recovered = sum(notice.line_ids.mapped("recovered_quantity"))

    # ------------------------------------------------------------------ helpers

    def _recall_latest_reports(self):
        """{(notice id, lot id): latest quantity report} — a later report restates a lot."""
        reports = self.env["recall.response"].sudo().search(
            [("notice_id", "in", self.ids), ("kind", "=", "quantities")], order="id"
        )
        return {(report.notice_id.id, report.lot_id.id): report for report in reports}

    def _recall_returned_quantities(self):
        """{(notice id, lot id): units received back on this notice's done returns}."""
        result = defaultdict(float)
        move_lines = self.env["stock.move.line"].sudo().search(
            [
                ("picking_id.recall_notice_id", "in", self.ids),
                ("state", "=", "done"),
            ]
        )
        for line in move_lines:
            result[(line.picking_id.recall_notice_id.id, line.lot_id.id)] += (
                line.quantity_product_uom
            )
        return result

    def _recall_lots_shipped(self):
        """{lot: units shipped to this consignee}, for validating reports."""
        self.ensure_one()
        shipped = defaultdict(float)
        for line in self.line_ids:
            shipped[line.lot_id] += line.received_quantity
        return shipped

    def _recall_signed_content(self):
        """What an acknowledgement signature binds: this consignee's notice of that recall."""
        self.ensure_one()
        return {
            "model": self._name,
            "id": self.id,
            "partner_id": self.partner_id.id,
            "campaign": self.campaign_id._recall_signed_content(),
        }

    # ------------------------------------------------------------------ sending

    @workflow
    def _recall_send(self):
        """Mail each notice (drills only when asked) and mark it sent with its deadline."""
        now = fields.Datetime.now()
        template = self.env.ref("recall_mgmt.mail_template_recall_notice")
        for notice in self:
            campaign = notice.campaign_id
            if not notice.line_ids:
                continue
            notice.write(
                {
                    "state": "sent",
                    "sent_at": now,
                    "deadline": now + timedelta(days=campaign.response_days or 0),
                }
            )
            if campaign.is_drill and not campaign.drill_send_mail:
                notice.message_post(
                    body=self.env._("Drill: the notice was not mailed to the consignee.")
                )
                continue
            notice.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=notice._recall_recipients().ids,
            )
        campaigns = self.campaign_id
        for campaign in campaigns:
            first = campaign.first_notified_at or now
            campaign.write({"first_notified_at": first, "last_notified_at": now})
        return True

    def _recall_recipients(self):
        """The consignee's contacts to notify: its quality/recall contacts, else itself."""
        self.ensure_one()
        contacts = self.partner_id.child_ids.filtered(
            lambda c: c.email and c.type in ("contact", "other")
        )
        return (contacts or self.partner_id).filtered("email") or self.partner_id

    @workflow
    def _recall_remind(self):
        """Reminder after ``reminder_days``, escalation after ``escalation_days``."""
        now = fields.Datetime.now()
        template = self.env.ref("recall_mgmt.mail_template_recall_reminder")
        for notice in self.filtered(lambda n: n.state == "sent" and n.sent_at):
            campaign = notice.campaign_id
            since = now - notice.sent_at
            if not notice.escalated_at and since >= timedelta(days=campaign.escalation_days):
                notice.escalated_at = now
                notice.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=campaign.user_id.id or self.env.uid,
                    summary=self.env._("Recall notice not acknowledged: call the consignee"),
                    note=self.env._(
                        "%(partner)s has not acknowledged %(notice)s, sent %(days)s day(s) ago.",
                        partner=notice.partner_id.display_name,
                        notice=notice.name,
                        days=since.days,
                    ),
                )
                campaign._recall_log(
                    self.env._("Escalated: %(notice)s not acknowledged.", notice=notice.name)
                )
                continue
            last = notice.last_reminder_at or notice.sent_at
            if now - last >= timedelta(days=campaign.reminder_days or 1):
                if not (campaign.is_drill and not campaign.drill_send_mail):
                    notice.message_post_with_source(
                        template,
                        message_type="comment",
                        subtype_xmlid="mail.mt_comment",
                        partner_ids=notice._recall_recipients().ids,
                    )
                notice.write(
                    {"reminder_count": notice.reminder_count + 1, "last_reminder_at": now}
                )

    # ------------------------------------------------------------------ responses

    @workflow
    def _recall_acknowledge(self, signature, channel="backend"):
        """Record the signed acknowledgement (sealed); later responses only supplement it."""
        self.ensure_one()
        if self.state not in ("sent", "acknowledged", "completed"):
            raise UserError(
                self.env._("%(notice)s has not been sent: it cannot be acknowledged.",
                           notice=self.name)
            )
        self.env["recall.response"].sudo().create(
            {
                "notice_id": self.id,
                "kind": "acknowledgement",
                "signature_id": signature.id,
                "channel": channel,
            }
        )
        if self.state == "sent":
            self.write(
                {
                    "state": "acknowledged",
                    "acknowledged_at": signature.signed_at,
                    "acknowledged_by": signature.signer_name,
                }
            )
        return True

    @workflow
    def _recall_report(self, reports, channel="backend", note=None):
        """Record quantity reports ``[{lot_id, qty_on_hand, qty_used, qty_returned,
        qty_destroyed}]`` after checking them against what was shipped; all or nothing."""
        self.ensure_one()
        if self.state not in ("acknowledged", "completed"):
            raise UserError(
                self.env._("Acknowledge %(notice)s before reporting quantities.",
                           notice=self.name)
            )
        shipped = {lot.id: qty for lot, qty in self._recall_lots_shipped().items()}
        errors, vals_list = [], []
        for report in reports:
            lot_id = report.get("lot_id")
            if lot_id not in shipped:
                errors.append(
                    self.env._("lot/serial %(lot)s is not in this notice", lot=lot_id)
                )
                continue
            values = {}
            for key in ("qty_on_hand", "qty_used", "qty_returned", "qty_destroyed"):
                value = report.get(key) or 0
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    errors.append(self.env._("%(field)s must be a number", field=key))
                    value = 0
                elif value < 0:
                    errors.append(self.env._("%(field)s cannot be negative", field=key))
                values[key] = value
            lot = self.env["stock.lot"].browse(lot_id)
            if sum(values.values()) > shipped[lot_id] + 1e-9:
                errors.append(
                    self.env._(
                        "%(lot)s: %(total)s units reported, only %(shipped)s shipped to you",
                        lot=lot.name,
                        total=sum(values.values()),
                        shipped=shipped[lot_id],
                    )
                )
            vals_list.append(
                {"notice_id": self.id, "kind": "quantities", "lot_id": lot_id,
                 "channel": channel, "note": note or False, **values}
            )
        if not reports:
            errors.append(self.env._("no lot/serial reported"))
        if errors:
            raise UserError(
                self.env._("Nothing was recorded: %(errors)s.", errors="; ".join(errors))
            )
        responses = self.env["recall.response"].sudo().create(vals_list)
        self._recall_check_completed()
        return responses

    @workflow
    def _recall_check_completed(self):
        """A notice is completed when every affected unit's fate is reported."""
        now = fields.Datetime.now()
        for notice in self.filtered(lambda n: n.state == "acknowledged"):
            lines = notice.line_ids
            lines.invalidate_recordset(["reported_located", "recovered_quantity"])
            if all(
                line.reported_located + 1e-9 >= line.received_quantity for line in lines
            ):
                notice.write({"state": "completed", "completed_at": now})

    # ------------------------------------------------------------------ buttons

    def action_record_response(self):
        """Staff record an answer received by mail or phone (with the signer's details)."""
        self.ensure_one()
        return self.env["recall.response.wizard"]._recall_open(self)

    @workflow
    def action_mark_verified(self):
        self.write({"effectiveness_verified_at": fields.Datetime.now()})
        for notice in self:
            notice.campaign_id._recall_log(
                self.env._("Effectiveness check of %(notice)s verified.", notice=notice.name)
            )

    def action_create_return(self):
        """A return transfer from the consignee for the units it still holds."""
        self.ensure_one()
        if self.state == "draft":
            raise UserError(self.env._("Send the notice before creating a return."))
        company = self.company_id
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        dest = self.campaign_id.quarantine_location_id or warehouse.lot_stock_id
        customers = self.env.ref("stock.stock_location_customers")
        by_product = defaultdict(float)
        for line in self.line_ids:
            by_product[line.product_id] += line.quantity
        moves = [
            (0, 0, {
                "product_id": product.id,
                "product_uom_qty": qty,
                "location_id": customers.id,
                "location_dest_id": dest.id,
            })
            for product, qty in by_product.items()
            if qty > 0
        ]
        if not moves:
            raise UserError(
                self.env._("%(partner)s holds no affected unit according to the trace.",
                           partner=self.partner_id.display_name)
            )
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "partner_id": self.partner_id.id,
                "location_id": customers.id,
                "location_dest_id": dest.id,
                "origin": self.name,
                "recall_campaign_id": self.campaign_id.id,
                "recall_notice_id": self.id,
                "move_ids": moves,
            }
        )
        picking.action_confirm()
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.picking",
            "res_id": picking.id,
            "view_mode": "form",
        }
