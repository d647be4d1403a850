from datetime import timedelta

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError


class RecallCampaign(models.Model):
    _inherit = "recall.campaign"

    capa_nonconformity_ids = fields.One2many(
        "mgmtsystem.nonconformity", "recall_campaign_id", string="Nonconformities"
    )
    capa_nonconformity_count = fields.Integer(
        string="Nonconformity Count", compute="_compute_capa_nonconformity_count"
    )

    def _compute_capa_nonconformity_count(self):
        NC = self.env["mgmtsystem.nonconformity"]
        if not NC.has_access("read"):
            self.capa_nonconformity_count = 0
            return
        counts = dict(
            NC._read_group(
                [("recall_campaign_id", "in", self.ids)], ["recall_campaign_id"], ["__count"]
            )
        )
        for campaign in self:
            campaign.capa_nonconformity_count = counts.get(campaign, 0)

    def action_open_capa_nonconformities(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mgmtsystem_nonconformity.open_mgmtsystem_nonconformity_list"
        )
        action["domain"] = [("recall_campaign_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------ recall root cause

    def action_capa_root_cause(self):
        """The root-cause nonconformity of this recall, created from its scope and reason on
        the first click, opened afterwards."""
        self.ensure_one()
        if self.is_drill:
            raise UserError(
                self.env._(
                    "%(campaign)s is a drill: its findings become nonconformities when it is "
                    "closed.",
                    campaign=self.display_name,
                )
            )
        nc = self.capa_nonconformity_ids.filtered(lambda n: n.capa_source == "recall")[:1]
        if not nc:
            nc = self._capa_create_root_cause()
        return nc.action_open_nonconformity_form()

    def _capa_create_root_cause(self):
        if not (self.reason or "").strip():
            raise UserError(
                self.env._(
                    "%(campaign)s: give the reason for the recall first; the root-cause "
                    "nonconformity starts from it.",
                    campaign=self.display_name,
                )
            )
        origin = self.env.ref("quality_capa.nc_origin_recall")
        user = self.env.user
        description = self.env._(
            "Root cause investigation of recall %(campaign)s (%(title)s).\nReason for the "
            "recall: %(reason)s",
            campaign=self.name,
            title=self.title,
            reason=self.reason,
        )
        return self.env["mgmtsystem.nonconformity"].create(
            {
                "name": self.env._("Root cause of recall %(campaign)s", campaign=self.name),
                "partner_id": self.company_id.partner_id.id,
                "responsible_user_id": user.id,
                "manager_user_id": user.id,
                "origin_ids": [(6, 0, origin.ids)],
                "description": description,
                "company_id": self.company_id.id,
                "capa_source": "recall",
                "recall_campaign_id": self.id,
                "reference": self.name,
                "res_model": self._name,
                "res_id": self.id,
                **self._capa_scope_links(),
            }
        )

    def _capa_scope_links(self):
        lots = self.lot_ids | self.component_lot_ids | self.scope_lot_ids
        return self.env["mgmtsystem.nonconformity"]._capa_device_links(self.product_ids, lots)

    # ------------------------------------------------------------------ drill findings

    def _recall_close(self, signature):
        result = super()._recall_close(signature)
        self.filtered("is_drill")._capa_drill_findings()
        return result

    def _capa_drill_results(self):
        """Each target of the drill: ``{kpi, label, measured, target, missed}``."""
        self.ensure_one()
        company = self.company_id
        fmt = self._recall_format_duration
        consignees = self.consignee_count
        results = []

        labels = dict(
            self.env["mgmtsystem.nonconformity"]
            ._fields["drill_kpi"]
            ._description_selection(self.env)
        )

        def add(kpi, measured, target, missed):
            results.append(
                {
                    "kpi": kpi,
                    "label": labels[kpi],
                    "measured": measured,
                    "target": target,
                    "missed": bool(missed),
                }
            )

        analysis_target = company.capa_drill_analysis_minutes * 60
        add(
            "analysis",
            fmt(self.analysis_seconds) if self.analysed_at else self.env._("not run"),
            fmt(analysis_target),
            not self.analysed_at or self.analysis_seconds > analysis_target,
        )
        decision_target = company.capa_drill_decision_hours
        add(
            "decision",
            fmt(self.hours_to_decision * 3600) if self.decision_date else self.env._("none"),
            fmt(decision_target * 3600),
            not self.decision_date or self.hours_to_decision > decision_target,
        )
        if consignees:
            self._capa_drill_notice_results(add)
        return results

    def _capa_drill_notice_results(self, add):
        company = self.company_id
        fmt = self._recall_format_duration
        consignees = self.consignee_count
        first_target = company.capa_drill_first_notice_hours
        add(
            "first_notice",
            fmt(self.hours_to_first_notice * 3600)
            if self.first_notified_at
            else self.env._("no consignee notified"),
            fmt(first_target * 3600),
            not self.first_notified_at or self.hours_to_first_notice > first_target,
        )
        late = self.deadline_ids.filtered(
            lambda d: d.milestone == "notification" and (not d.done_at or d.done_at > d.due_at)
        )
        all_notified = self.notified_count == consignees
        notify_target = company.capa_drill_notify_hours
        add(
            "notification",
            fmt(self.hours_to_notify * 3600) if all_notified else self.env._("not every consignee"),
            self.env._("%(duration)s and the class deadline", duration=fmt(notify_target * 3600)),
            not all_notified or self.hours_to_notify > notify_target or late,
        )
        for kpi, count, target in (
            ("coverage_notified", self.notified_count, company.capa_drill_notified_percent),
            ("coverage_acknowledged", self.acknowledged_count, company.capa_drill_ack_percent),
        ):
            share = 100.0 * count / consignees
            add(
                kpi,
                self.env._(
                    "%(count)s of %(total)s (%(share)s %%)",
                    count=count,
                    total=consignees,
                    share=round(share),
                ),
                f"{target:g} %",
                share < target,
            )

    def _capa_drill_findings(self):
        """A finding (nonconformity) and a corrective action per missed target of each closed
        drill; the drill's chatter lists what was measured."""
        for campaign in self:
            results = campaign._capa_drill_results()
            missed = [r for r in results if r["missed"]]
            done = set(campaign.capa_nonconformity_ids.mapped("drill_kpi"))
            findings = self.env["mgmtsystem.nonconformity"]
            for result in missed:
                if result["kpi"] not in done:
                    findings |= campaign._capa_drill_finding(result)
            campaign._capa_drill_post(results, findings)
        return True

    def _capa_drill_owner(self):
        return self.company_id.capa_drill_owner_id or self.env.user

    def _capa_drill_finding(self, result):
        """The nonconformity of one missed target and its corrective action."""
        self.ensure_one()
        owner = self._capa_drill_owner()
        origin = self.env.ref("quality_capa.nc_origin_drill")
        description = self.env._(
            'Recall drill %(campaign)s missed its target "%(kpi)s": measured %(measured)s, '
            "target %(target)s.",
            campaign=self.name,
            kpi=result["label"],
            measured=result["measured"],
            target=result["target"],
        )
        due = fields.Date.context_today(self) + timedelta(
            days=self.company_id.capa_drill_action_days
        )
        action = (
            self.env["mgmtsystem.action"]
            .sudo()
            .create(
                {
                    "name": self.env._(
                        "Correct the cause of the missed drill target: %(kpi)s (%(campaign)s)",
                        kpi=result["label"],
                        campaign=self.name,
                    ),
                    "type_action": "correction",
                    "user_id": owner.id,
                    "date_deadline": due,
                    "company_id": self.company_id.id,
                    "description": description,
                }
            )
        )
        return (
            self.env["mgmtsystem.nonconformity"]
            .sudo()
            .create(
                {
                    "name": self.env._(
                        "Drill %(campaign)s: %(kpi)s missed",
                        campaign=self.name,
                        kpi=result["label"],
                    ),
                    "partner_id": self.company_id.partner_id.id,
                    "responsible_user_id": owner.id,
                    "manager_user_id": owner.id,
                    "user_id": self.env.user.id,
                    "origin_ids": [(6, 0, origin.ids)],
                    "description": description,
                    "company_id": self.company_id.id,
                    "capa_source": "drill",
                    "recall_campaign_id": self.id,
                    "drill_kpi": result["kpi"],
                    "reference": self.name,
                    "res_model": self._name,
                    "res_id": self.id,
                    "action_ids": [(6, 0, action.ids)],
                    **self._capa_scope_links(),
                }
            )
        )

    def _capa_drill_post(self, results, findings):
        items = Markup("").join(
            Markup("<li>%s</li>")
            % self.env._(
                "%(mark)s %(kpi)s: %(measured)s (target %(target)s)",
                mark="✗" if r["missed"] else "✓",
                kpi=r["label"],
                measured=r["measured"],
                target=r["target"],
            )
            for r in results
        )
        if findings:
            summary = self.env._(
                "Drill targets missed: %(count)s finding(s) opened with a corrective action "
                "each: %(refs)s.",
                count=len(findings),
                refs=", ".join(findings.mapped("ref")),
            )
        else:
            summary = self.env._("Every drill target was met: no finding.")
        self.message_post(body=Markup("<p>%s</p><ul>%s</ul>") % (summary, items))
