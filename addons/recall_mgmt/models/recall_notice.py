from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.audit_seal.tools.workflow import workflow, workflow_writes
from odoo.addons.base.models.res_partner import _lang_get

#: whether the consignee was reached ("sent" means delivered: the mail server accepted the mail)
DELIVERY_STATES = [
    ("pending", "Waiting for the mail server"),
    ("delivered", "Delivered"),
    ("failed", "Not delivered"),
    ("no_channel", "No way to reach"),
]
#: why a notice is not (or not really) delivered; the sentence is made in the reader's language
DELIVERY_ISSUES = [
    ("drill", "Drill, not mailed"),
    ("no_channel", "No e-mail address"),
    ("refused", "Refused by the mail server"),
    ("bounced", "Returned after acceptance"),
]

#: reported fates that take units out of the consignee's holdings, as trace events
#: (field: CBV business step, disposition, action). Returned units leave them when the return
#: is received (the receipt's own event), not when the consignee says it sent them.
REPORTED_FATES = {
    "qty_destroyed": ("destroying", "destroyed", "delete"),
    "qty_used": ("dispensing", "dispensed", "observe"),
}

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
        "name",
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
        "delivery_state",
        "delivered_at",
        "delivery_issue_kind",
        "delivery_issue_detail",
        "notice_message_id",
        "ledger_head_seq",
        "ledger_head_hash",
    )

    name = fields.Char(
        string="Number",
        readonly=True,
        copy=False,
        help="The recall's reference and the "
        "notice's number within it, in the order the notices were prepared.",
    )
    campaign_id = fields.Many2one("recall.campaign", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Consignee",
        required=True,
        index=True,
        help="The consignee's company; its contacts see the notice.",
    )
    state = fields.Selection(NOTICE_STATES, default="draft", required=True, tracking=True)
    lang = fields.Selection(
        _lang_get,
        string="Language",
        compute="_compute_lang",
        store=True,
        readonly=False,
        help="Language of the notice mail and PDF: the consignee's, unless you choose another "
        "before sending.",
    )
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
    delivery_state = fields.Selection(
        DELIVERY_STATES,
        readonly=True,
        copy=False,
        index=True,
        help="A notice counts as notified once the mail server accepted its mail (or, for a "
        "drill that mails nobody, once it was recorded). A failed mail or a consignee without "
        "e-mail address is an exception to resolve.",
    )
    delivered_at = fields.Datetime(readonly=True, copy=False)
    delivery_issue_kind = fields.Selection(
        DELIVERY_ISSUES, readonly=True, copy=False
    )
    delivery_issue_detail = fields.Text(
        readonly=True,
        copy=False,
        help="What the mail servers answered, as they answered it (addresses and reasons).",
    )
    delivery_issue = fields.Text(
        compute="_compute_delivery_issue",
        help="What went wrong with the delivery and what to do, in the reader's language.",
    )
    ledger_head_seq = fields.Integer(
        string="Ledger Head Given",
        readonly=True,
        copy=False,
        help="The signed head of the sealed ledger printed in the notice mail and PDF: the "
        "consignee keeps evidence that a later ledger must still contain.",
    )
    ledger_head_hash = fields.Char(readonly=True, copy=False)
    notice_message_id = fields.Many2one(
        "mail.message", readonly=True, copy=False, index="btree_not_null", ondelete="set null"
    )
    acknowledged_at = fields.Datetime(readonly=True, copy=False)
    acknowledged_by = fields.Char(readonly=True, copy=False)
    completed_at = fields.Datetime(readonly=True, copy=False)
    reminder_count = fields.Integer(readonly=True, copy=False)
    last_reminder_at = fields.Datetime(readonly=True, copy=False)
    escalated_at = fields.Datetime(readonly=True, copy=False)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    is_notified = fields.Boolean(
        string="Notified",
        compute="_compute_is_notified",
        help="The consignee was reached: the notice was delivered, or the consignee answered.",
    )
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

    @api.model_create_multi
    def create(self, vals_list):
        """Number the notices of each recall 001, 002, ... in the order they are prepared."""
        self._workflow_check_values(vals_list, creating=True)
        Campaign = self.env["recall.campaign"]
        campaign_ids = {vals["campaign_id"] for vals in vals_list if vals.get("campaign_id")}
        numbers = dict(
            self.sudo()._read_group(
                [("campaign_id", "in", list(campaign_ids))], ["campaign_id"], ["__count"]
            )
        )
        for vals in vals_list:
            campaign = Campaign.browse(vals.get("campaign_id"))
            if campaign and not vals.get("name"):
                numbers[campaign] = numbers.get(campaign, 0) + 1
                vals["name"] = f"{campaign.name}/{numbers[campaign]:03d}"
        with workflow_writes():  # the numbers, on values checked above
            return super().create(vals_list)

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
        return [
            "|",
            ("state", "!=", "sent"),
            "|",
            ("deadline", "=", False),
            ("deadline", ">=", now),
        ]

    @api.depends(
        "line_ids.received_quantity", "line_ids.reported_located", "line_ids.recovered_quantity"
    )
    def _compute_figures(self):
        for notice in self:
            notice.lot_count = len(notice.line_ids.lot_id)
            notice.qty_shipped = sum(notice.line_ids.mapped("received_quantity"))
            notice.qty_located = sum(notice.line_ids.mapped("reported_located"))
            notice.qty_recovered = sum(notice.line_ids.mapped("recovered_quantity"))

    # ------------------------------------------------------------------ helpers

    def _recall_latest_reports(self):
        """{(notice id, lot id): latest quantity report} — a later report restates a lot."""
        reports = (
            self.env["recall.response"]
            .sudo()
            .search([("notice_id", "in", self.ids), ("kind", "=", "quantities")], order="id")
        )
        return {(report.notice_id.id, report.lot_id.id): report for report in reports}

    def _recall_returned_quantities(self):
        """{(notice id, lot id): units received back on this notice's done returns}."""
        result = defaultdict(float)
        move_lines = (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("picking_id.recall_notice_id", "in", self.ids),
                    ("state", "=", "done"),
                ]
            )
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

    @api.depends("partner_id.lang")
    def _compute_lang(self):
        for notice in self:
            if notice.state == "draft" or not notice.lang:
                notice.lang = notice.partner_id.lang or self.env.lang
            else:
                notice.lang = notice.lang  # sent: the language it was sent in stays

    @api.depends("state", "delivery_state")
    def _compute_is_notified(self):
        for notice in self:
            notice.is_notified = notice.state in ("acknowledged", "completed") or (
                notice.state == "sent" and notice.delivery_state == "delivered"
            )

    @api.depends("delivery_issue_kind", "delivery_issue_detail", "partner_id")
    @api.depends_context("lang")
    def _compute_delivery_issue(self):
        _ = self.env._
        for notice in self:
            kind, detail = notice.delivery_issue_kind, notice.delivery_issue_detail or ""
            if kind == "drill":
                issue = _("Drill: the notice was not mailed to the consignee.")
            elif kind == "no_channel":
                issue = _(
                    "%(partner)s and its contacts have no e-mail address: add one and send the "
                    "notice again, or call the consignee and record its acknowledgement.",
                    partner=notice.partner_id.display_name,
                )
            elif kind == "refused":
                issue = _(
                    "The mail server did not deliver the notice (%(reasons)s). Correct the "
                    "address or the mail server and send it again.",
                    reasons=detail,
                )
            elif kind == "bounced":
                issue = _(
                    "The mail server accepted the notice, then it came back undelivered from "
                    "%(addresses)s. Correct the address and send it again, or call the "
                    "consignee and record its acknowledgement.",
                    addresses=detail,
                )
            else:
                issue = False
            notice.delivery_issue = issue

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
        """Mark each notice sent with its deadline and mail it (drills only when asked)."""
        now = fields.Datetime.now()
        for notice in self:
            if not notice.line_ids:
                continue
            notice.write(
                {
                    "state": "sent",
                    "sent_at": now,
                    "deadline": now + timedelta(days=notice.campaign_id.response_days or 0),
                }
            )
        self.filtered(lambda n: n.state == "sent")._recall_mail()
        return True

    @workflow
    def _recall_mail(self):
        """Post the notice mail to the consignee's contacts; it counts once delivered."""
        template = self.env.ref("recall_mgmt.mail_template_recall_notice")
        now = fields.Datetime.now()
        for notice in self:
            campaign = notice.campaign_id
            if campaign.is_drill and not campaign.drill_send_mail:
                note = self.env._("Drill: the notice was not mailed to the consignee.")
                notice.message_post(body=note)
                notice.write(
                    {
                        "delivery_state": "delivered",
                        "delivered_at": now,
                        "delivery_issue_kind": "drill",
                        "delivery_issue_detail": False,
                    }
                )
                continue
            recipients = notice._recall_recipients().filtered("email")
            if not recipients:
                notice.write(
                    {
                        "delivery_state": "no_channel",
                        "delivery_issue_kind": "no_channel",
                        "delivery_issue_detail": False,
                    }
                )
                continue
            head = self.env["audit.seal.published.head"]._seal_publish(
                f"{notice.name} to {', '.join(recipients.mapped('email'))}",
                company=notice.company_id,
            )
            if head:
                notice.write({"ledger_head_seq": head.seq, "ledger_head_hash": head.head_hash})
            message = notice.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=recipients.ids,
            )
            notice.write(
                {
                    "delivery_state": "pending",
                    "delivery_issue_kind": False,
                    "delivery_issue_detail": False,
                    "notice_message_id": message[:1].id,
                }
            )
            # the mail may have gone out while it was posted (sent at once, not queued)
            notice._recall_update_delivery()
        return True

    @workflow
    def _recall_update_delivery(self):
        """Follow the mail of each notice: delivered when the mail server accepted it for one
        of its recipients at least, failed when it refused it for all."""
        now = fields.Datetime.now()
        delivered = self.browse()
        for notice in self.filtered(lambda n: n.delivery_state in ("pending", "failed")):
            notifications = notice.notice_message_id.sudo().notification_ids.filtered(
                lambda n: n.notification_type == "email"
            )
            statuses = set(notifications.mapped("notification_status"))
            if "sent" in statuses:
                notice.write(
                    {
                        "delivery_state": "delivered",
                        "delivered_at": now,
                        "delivery_issue_kind": False,
                        "delivery_issue_detail": False,
                    }
                )
                delivered |= notice
            elif statuses and statuses <= {"exception", "bounce", "canceled"}:
                reasons = {
                    f"{n.res_partner_id.email or n.mail_email_address}: "
                    f"{n.failure_reason or n.failure_type or n.notification_status}"
                    for n in notifications
                }
                notice.write(
                    {
                        "delivery_state": "failed",
                        "delivery_issue_kind": "refused",
                        "delivery_issue_detail": "; ".join(sorted(reasons)),
                    }
                )
        delivered.campaign_id._recall_notices_delivered()
        return delivered

    @workflow
    def _recall_check_bounces(self):
        """A mail the server accepted can still come back later (a bounce from the consignee's
        own mail server): a notice whose mail bounced for every recipient was not delivered
        after all, unless the consignee answered meanwhile."""
        bounced = self.browse()
        for notice in self.filtered(
            lambda n: n.state == "sent" and n.delivery_state == "delivered" and n.notice_message_id
        ):
            notifications = notice.notice_message_id.sudo().notification_ids.filtered(
                lambda n: n.notification_type == "email"
            )
            statuses = set(notifications.mapped("notification_status"))
            if "bounce" not in statuses or "sent" in statuses:
                continue
            addresses = sorted(
                {n.res_partner_id.email or n.mail_email_address or "" for n in notifications}
            )
            notice.write(
                {
                    "delivery_state": "failed",
                    "delivered_at": False,
                    "delivery_issue_kind": "bounced",
                    "delivery_issue_detail": ", ".join(addresses),
                }
            )
            bounced |= notice
        for campaign in bounced.campaign_id:
            campaign._recall_notices_bounced(
                bounced.filtered(lambda n, c=campaign: n.campaign_id == c)
            )
        return bounced

    def action_send_again(self):
        """Mail notices that did not reach their consignee again (after correcting them)."""
        self.campaign_id._recall_check_manager()
        todo = self.filtered(
            lambda n: n.state == "sent" and n.delivery_state in ("failed", "no_channel")
        )
        if not todo:
            raise UserError(self.env._("Only notices that were not delivered are sent again."))
        todo._recall_mail()
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
                notice.write({"reminder_count": notice.reminder_count + 1, "last_reminder_at": now})

    # ------------------------------------------------------------------ responses

    @workflow
    def _recall_acknowledge(self, signature, channel="backend"):
        """Record the signed acknowledgement (sealed); later responses only supplement it."""
        self.ensure_one()
        if self.state not in ("sent", "acknowledged", "completed"):
            raise UserError(
                self.env._(
                    "%(notice)s has not been sent: it cannot be acknowledged.", notice=self.name
                )
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
            self.campaign_id._recall_notices_delivered()  # an answer proves it reached them
        return True

    @workflow
    def _recall_report(self, reports, channel="backend", note=None):
        """Record quantity reports ``[{lot_id, qty_on_hand, qty_used, qty_returned,
        qty_destroyed}]`` after checking them against what was shipped; all or nothing."""
        self.ensure_one()
        if self.state not in ("acknowledged", "completed"):
            raise UserError(
                self.env._("Acknowledge %(notice)s before reporting quantities.", notice=self.name)
            )
        shipped = {lot.id: qty for lot, qty in self._recall_lots_shipped().items()}
        errors, vals_list = [], []
        for report in reports:
            lot_id = report.get("lot_id")
            if lot_id not in shipped:
                errors.append(self.env._("lot/serial %(lot)s is not in this notice", lot=lot_id))
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
                {
                    "notice_id": self.id,
                    "kind": "quantities",
                    "lot_id": lot_id,
                    "channel": channel,
                    "note": note or False,
                    **values,
                }
            )
        if not reports:
            errors.append(self.env._("no lot/serial reported"))
        if errors:
            raise UserError(
                self.env._("Nothing was recorded: %(errors)s.", errors="; ".join(errors))
            )
        responses = self.env["recall.response"].sudo().create(vals_list)
        self._recall_record_fates(responses)
        self.line_ids._recall_refresh_held()
        self._recall_check_completed()
        return responses

    def _recall_record_fates(self, responses):
        """Move the units reported destroyed or used out of the consignee's holdings.

        Reports restate a lot (the latest wins), so the trace events of this notice and lot
        are brought to the latest figures: a higher figure adds an event for the difference
        (never more than the consignee still holds), a lower one corrects the latest events
        (EPCIS error declarations). The same report sent again adds nothing.
        """
        self.ensure_one()
        Event = self.env["trace.event"].sudo().with_company(self.company_id)
        events = Event.browse()
        for response in responses:
            for field, (step, disposition, action) in REPORTED_FATES.items():
                recorded = Event._recall_fate_events(self, response.lot_id, step)
                delta = response[field] - sum(recorded.line_ids.mapped("quantity"))
                if delta > 1e-9:
                    events |= Event._recall_record_fate(
                        self, response.lot_id, delta, (step, disposition, action)
                    )
                elif delta < -1e-9:
                    events |= recorded._recall_reduce(-delta)
        return events

    @workflow
    def _recall_check_completed(self):
        """A notice is completed when every affected unit's fate is reported."""
        now = fields.Datetime.now()
        for notice in self.filtered(lambda n: n.state == "acknowledged"):
            lines = notice.line_ids
            lines.invalidate_recordset(["reported_located", "recovered_quantity"])
            if all(line.reported_located + 1e-9 >= line.received_quantity for line in lines):
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
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        dest = self.campaign_id.quarantine_location_id or warehouse.lot_stock_id
        customers = self.env.ref("stock.stock_location_customers")
        by_product = defaultdict(float)
        for line in self.line_ids:
            by_product[line.product_id] += line.quantity
        moves = [
            (
                0,
                0,
                {
                    "product_id": product.id,
                    "product_uom_qty": qty,
                    "location_id": customers.id,
                    "location_dest_id": dest.id,
                },
            )
            for product, qty in by_product.items()
            if qty > 0
        ]
        if not moves:
            raise UserError(
                self.env._(
                    "%(partner)s holds no affected unit according to the trace.",
                    partner=self.partner_id.display_name,
                )
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

    def _recall_fmt_time(self, moment):
        """``2026-12-08 01:22 (Asia/Shanghai, UTC+08:00)``: a time of this notice as the
        consignee reads it (portal, mail, PDF), in the company's zone, named. Reading the zone
        names needs no access to the campaign."""
        self.ensure_one()
        return self.sudo().campaign_id._recall_fmt_datetime(moment)

    def _recall_fmt_day(self, moment):
        """``YYYY-MM-DD``: the day of ``moment`` in the company's zone ("" without one)."""
        self.ensure_one()
        return self.sudo().campaign_id._recall_fmt_day(moment) if moment else ""
