"""The demo's recalls: three recalls and two complaints on top of the device histories.

Run once by ``demo/recall_demo.xml``. Every step goes through the flows a quality manager runs
in the user interface (impact analysis, the signature dialog with her password, notices, the
response dialog, returns, effectiveness check, closure), so the demo shows what the code
records, with its real timings.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessDenied

#: demo records the scenario builds on (udi_master's demo and the device histories)
DEMO_REQUIRED = (
    "udi_master.lot_cells_a",
    "udi_master.lot_catheter_a",
    "udi_master.lot_catheter_b",
    "udi_master.partner_distributor_huadong",
    "udi_master.partner_distributor_pacific",
    "udi_master.partner_hospital_ruijin",
    "udi_master.partner_hospital_suzhou",
    "udi_trace_demo.demo_production_pacemaker_1",
)
#: who signs in the demo, with the password the udi_master / base demo gives them
DEMO_SIGNERS = (
    ("udi_master.user_quality_manager", "qm"),
    ("base.user_admin", "admin"),
)
#: a closed class III recall of catheter lot CVC2506A (the KPI views have a finished recall)
CLOSED_RECALL = {
    "title": "Carton labels show the wrong storage temperature",
    "reason": "Cartons of lot CVC2506A were printed with a storage range of 2-8 °C instead of "
    "10-30 °C (nonconformity NCR-2025-031). Users may store the kits wrongly; the devices "
    "themselves are not affected.",
    "risk_assessment": "<p>Hazard unlikely: the sterile barrier and the device are not "
    "affected by cold storage. Class III.</p>",
    "recall_class": "3",
    "kind": "recall",
    "source": "nonconformity",
    "action_stop_use": False,
    "action_return": True,
    "instructions": "Return unused kits for relabelling, or destroy them and send us the "
    "destruction record.",
}
#: a completed mock recall drill of catheter lot CVC2509B
DRILL = {
    "title": "Mock recall drill: catheter lot CVC2509B",
    "reason": "Annual mock recall (SOP-QA-014): trace lot CVC2509B to every consignee and "
    "account for every unit within one working day.",
    "is_drill": True,
    "recall_class": "2",
    "kind": "recall",
    "source": "manual",
}
#: a live class I recall of lithium-cell lot LI2504-117, opened from Ruijin's complaint
LIVE_RECALL = {
    "title": "Early battery depletion of lithium-iodine cell lot LI2504-117",
    "reason": "Two DR-200 pacemakers built with cells of lot LI2504-117 reached the elective "
    "replacement indicator months early (complaint of Ruijin hospital; PM200-251003, returned "
    "by Suzhou, is in repair for a new cell). The supplier confirmed a separator defect in the "
    "lot.",
    "risk_assessment": "<p>Sudden loss of pacing in pacemaker-dependent patients may cause "
    "serious injury or death. Class I.</p>",
    "recall_class": "1",
    "kind": "recall",
    "source": "complaint",
    "action_return": True,
    "instructions": "Do not implant affected pacemakers; return them. For implanted devices, "
    "contact the patients for a follow-up interrogation within 30 days.",
}
#: the complaints: (hospital xmlid, serial, title, description)
COMPLAINT_RUIJIN = (
    "udi_master.partner_hospital_ruijin",
    "PM200-251002",
    "Pacemaker PM200-251002: early battery depletion (电池提前耗尽)",
    "<p>Elective replacement indicator reached 5 months after implant; expected longevity "
    "10 years. Device interrogation report attached.</p>"
    "<p>植入5个月后出现择期更换指示，预期寿命10年。</p>",
)
COMPLAINT_SUZHOU = (
    "udi_master.partner_hospital_suzhou",
    "PM200-251004",
    "Pacemaker PM200-251004 explanted: battery drained early (电池提前耗尽)",
    "<p>Battery voltage 2.1 V at the 4-month follow-up, device explanted and kept for "
    "analysis.</p><p>4个月随访时电池电压2.1 V，已取出器械留存分析。</p>",
)


class UdiDemoRecall(models.AbstractModel):
    _name = "udi.demo.recall"
    _description = "Demo: recalls"

    # ------------------------------------------------------------------ the scenario

    @api.model
    def _demo_scenario(self):
        """Build the demo's recalls (once: a second run does nothing).

        * a closed class III recall of catheter lot CVC2506A (wrong storage temperature on
          the cartons): both distributors answered, Huadong returned its units, Pacific
          destroyed them, the quarantine was released after relabelling;
        * a completed mock recall drill of catheter lot CVC2509B, with its timings;
        * a class I recall of lithium-cell lot LI2504-117 (early battery depletion), opened
          from Ruijin's complaint, approved with the quality manager's signature and notified:
          Ruijin answered, the distributors and Suzhou have still to acknowledge (portal);
        * a new complaint from Suzhou about pacemaker PM200-251004, ready for "Open Recall".

        The notice PDFs are not rendered here: no HTTP server serves their style sheets while
        the demo installs; ``udi.demo``'s ``finish_demo`` renders them once it runs.

        Returns ``{xmlid name: record}``, or False when it ran before or a demo it builds on
        is missing.
        """
        env = self.env
        if env.ref("udi_trace_demo.demo_recall_cells", raise_if_not_found=False):
            return False
        if not all(env.ref(xmlid, raise_if_not_found=False) for xmlid in DEMO_REQUIRED):
            return False
        self = self.with_context(udi_demo_defer_reports=True)
        signer, password = self._demo_signer()
        records = {}
        records.update(self._demo_closed_recall(signer, password))
        records.update(self._demo_drill(signer, password))
        # Huadong's ERP receives its recall notices by webhook from now on
        records["demo_webhook_huadong"] = self.env["udi.demo.epcis"]._demo_recall_endpoint(signer)
        # Pacific's IT adds its own endpoint in the portal
        records["demo_webhook_pacific"] = self.env["udi.demo.epcis"]._demo_pacific_endpoint()
        records.update(self._demo_live_recall(signer, password))
        records["demo_ticket_battery_suzhou"] = self._demo_complaint(*COMPLAINT_SUZHOU)
        self.env["ir.model.data"]._update_xmlids(
            [
                {"xml_id": f"udi_trace_demo.{name}", "record": record, "noupdate": True}
                for name, record in records.items()
                if record
            ]
        )
        return records

    @api.model
    def _demo_closed_recall(self, signer, password):
        """CVC2506A: both distributors answered, Huadong returned its units, Pacific destroyed
        them; closed with a signature, the quarantine released after relabelling."""
        ref = self.env.ref
        huadong = ref("udi_master.partner_distributor_huadong")
        pacific = ref("udi_master.partner_distributor_pacific")
        lot = ref("udi_master.lot_catheter_a")
        closed = self._demo_open(
            dict(CLOSED_RECALL, **self._demo_scope(lots=lot)), signer, password
        )
        self._demo_notify(closed, signer)
        self._demo_respond(
            self._demo_notice(closed, huadong),
            signer,
            password,
            {lot: {"qty_used": 20, "qty_returned": 100}},
            "Ms. Zhou (QA, Huadong) by phone: 20 kits sold on and used, 100 returned.",
        )
        returned = self._demo_return(self._demo_notice(closed, huadong), signer, {lot: 100})
        self._demo_respond(
            self._demo_notice(closed, pacific),
            signer,
            password,
            {lot: {"qty_used": 10, "qty_destroyed": 30}},
            "Mr. Tan (Pacific MedSupply) by e-mail, destruction record DR-0925 attached "
            "to the mail.",
        )
        self._demo_close(closed, signer, password)
        closed.deadline_ids.filtered(lambda d: not d.done_at).with_user(signer).action_mark_done()
        closed.quarantine_ids.filtered(lambda q: q.state == "blocked").with_user(
            signer
        )._recall_release("Cartons relabelled under NCR-2025-031 and re-inspected by QA.")
        return {"demo_recall_labels_return": returned, "demo_recall_labels": closed}

    @api.model
    def _demo_drill(self, signer, password):
        """CVC2509B: a mock recall both consignees answered, closed with its timings."""
        ref = self.env.ref
        lot = ref("udi_master.lot_catheter_b")
        drill = self._demo_open(dict(DRILL, **self._demo_scope(lots=lot)), signer, password)
        self._demo_notify(drill, signer)
        self._demo_respond(
            self._demo_notice(drill, ref("udi_master.partner_distributor_pacific")),
            signer,
            password,
            {lot: {"qty_on_hand": 20}},
            "Drill: Pacific MedSupply answered the test call within 2 hours.",
        )
        self._demo_respond(
            self._demo_notice(drill, ref("udi_master.partner_hospital_ruijin")),
            signer,
            password,
            {lot: {"qty_on_hand": 6, "qty_used": 4}},
            "Drill: Ruijin equipment department counted its stock.",
        )
        self._demo_close(drill, signer, password)
        return {"demo_drill_catheter": drill}

    @api.model
    def _demo_live_recall(self, signer, password):
        """LI2504-117, opened from Ruijin's complaint and notified; Ruijin answered."""
        ref = self.env.ref
        origin = self._demo_complaint(
            *COMPLAINT_RUIJIN,
            stage=ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress"),
        )
        scope = self._demo_scope(components=ref("udi_master.lot_cells_a"))
        live = self._demo_open(dict(LIVE_RECALL, ticket_id=origin.id, **scope), signer, password)
        self._demo_notify(live, signer)
        # what the NMPA forms ask and the data cannot say (recall_documents): answered by the
        # quality manager, then the documents due on the recall's clocks are prepared
        live.with_user(signer).write(
            {
                "recall_overseas": "yes",
                "recall_overseas_detail": "Singapore (Pacific MedSupply)",
                "recall_estimated_completion": fields.Date.context_today(self) + timedelta(days=60),
            }
        )
        live.with_user(signer).action_prepare_documents()
        serial = self._demo_serial
        self._demo_respond(
            self._demo_notice(live, ref("udi_master.partner_hospital_ruijin")),
            signer,
            password,
            {serial("PM200-251001"): {"qty_used": 1}, serial("PM200-251002"): {"qty_used": 1}},
            "Dr. Chen (cardiology, Ruijin) by phone: both pacemakers are implanted; "
            "patients called in for interrogation.",
        )
        return {"demo_ticket_battery_ruijin": origin, "demo_recall_cells": live}

    # ------------------------------------------------------------------ the steps

    @api.model
    def _demo_scope(self, lots=None, components=None):
        """The jurisdiction (NMPA) and lots of a demo recall, as campaign values."""
        values = {"jurisdiction_ids": [(6, 0, self.env.ref("recall_mgmt.jurisdiction_nmpa").ids)]}
        if lots:
            values["lot_ids"] = [(6, 0, lots.ids)]
        if components:
            values["component_lot_ids"] = [(6, 0, components.ids)]
        return values

    @api.model
    def _demo_signer(self):
        """The demo's quality manager and her demo password (else the administrator)."""
        for xmlid, password in DEMO_SIGNERS:
            user = self.env.ref(xmlid, raise_if_not_found=False)
            if user:
                return user, password
        return self.env.user, None

    @api.model
    def _demo_serial(self, name):
        return self.env["stock.lot"].search([("name", "=", name)], limit=1)

    @api.model
    def _demo_complaint(self, partner, lot, title, description, stage=None):
        """A complaint ticket from ``partner`` naming the device ``lot`` (records or, as in
        the demo's constants, an xmlid and a serial number)."""
        if isinstance(partner, str):
            partner = self.env.ref(partner)
        if isinstance(lot, str):
            lot = self._demo_serial(lot)
        channel = self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_phone")
        ticket = (
            self.env["helpdesk.ticket"]
            .sudo()
            .create(
                {
                    "name": title,
                    "description": description,
                    "partner_id": partner.id,
                    "priority": "3",
                    "trace_lot_id": lot.id,
                    "trace_product_id": lot.product_id.id,
                    "trace_service_type": "complaint",
                    "channel_id": channel.id,
                }
            )
        )
        if stage:
            ticket.stage_id = stage
        return ticket

    @api.model
    def _demo_open(self, vals, signer, password):
        """Open a recall as ``signer``, analyse its impact and approve it with a signature."""
        campaign = (
            self.env["recall.campaign"].with_user(signer).create({"user_id": signer.id, **vals})
        )
        campaign.action_analyze_impact()
        self._demo_sign(campaign, "approve", signer, password)
        return campaign

    @api.model
    def _demo_password_ok(self, user, password):
        if not password:
            return False
        try:
            user.with_user(user)._check_credentials(
                {"login": user.login, "password": password, "type": "password"},
                {"interactive": True},
            )
        except AccessDenied:
            return False
        return True

    @api.model
    def _demo_signature(self, record, meaning, signer):
        """A signature recorded without a password check, said to be demo data."""
        Signature = self.env["recall.signature"]
        meanings = dict(Signature._fields["meaning"]._description_selection(self.env))
        return Signature.sudo().create(
            {
                "user_id": signer.id,
                "signer_name": signer.name,
                "signer_function": signer.partner_id.function or False,
                "meaning": meaning,
                "meaning_text": self.env._(
                    "%(meaning)s (demo data: signed without password check)",
                    meaning=meanings[meaning],
                ),
                "res_model": record._name,
                "res_id": record.id,
                "document_name": record.display_name,
                "content_digest": Signature._recall_digest(record),
            }
        )

    @api.model
    def _demo_sign(self, campaign, action, signer, password):
        """Approve or close ``campaign`` through the signature dialog, as the signer does.

        When the signer's demo password was changed, a signature marked as demo data is
        recorded instead, so that the demo still installs.
        """
        campaign = campaign.with_user(signer)
        opener = campaign.action_approve if action == "approve" else campaign.action_close
        wizard = self.env["recall.sign.wizard"].with_user(signer).browse(opener()["res_id"])
        if self._demo_password_ok(signer, password):
            wizard.password = password
            wizard.action_sign()
        else:
            signature = self._demo_signature(campaign, action, signer)
            if action == "approve":
                campaign._recall_approve(signature)
            else:
                campaign._recall_close(signature)
        return campaign

    @api.model
    def _demo_notify(self, campaign, signer):
        campaign.with_user(signer).action_notify()

    @api.model
    def _demo_notice(self, campaign, partner):
        return campaign.notice_ids.filtered(
            lambda notice: (
                notice.partner_id == partner.commercial_partner_id and notice.state != "cancel"
            )
        )

    @api.model
    def _demo_respond(self, notice, signer, password, quantities, note):
        """Record a consignee's answer received by phone or mail, through the response
        dialog: the acknowledgement (signed by the staff member) and ``quantities``
        ``{lot: {qty_on_hand, qty_used, qty_returned, qty_destroyed}}``."""
        notice = notice.with_user(signer)
        if not self._demo_password_ok(signer, password):
            notice._recall_acknowledge(
                self._demo_signature(notice, "acknowledge", signer), channel="backend"
            )
            return notice._recall_report(
                [{"lot_id": lot.id, **qty} for lot, qty in quantities.items()],
                channel="backend",
                note=note,
            )
        wizard = (
            self.env["recall.response.wizard"]
            .with_user(signer)
            .browse(notice.action_record_response()["res_id"])
        )
        wizard.write({"acknowledge": True, "password": password, "note": note})
        for line in wizard.line_ids:
            line.write(quantities.get(line.lot_id, {}))
        return wizard.action_record()

    @api.model
    def _demo_return(self, notice, signer, quantities):
        """The consignee's units ``{lot: quantity}`` received back on a return transfer."""
        action = notice.with_user(signer).action_create_return()
        picking = self.env["stock.picking"].browse(action["res_id"])
        for move in picking.move_ids:
            lots = {
                lot: qty for lot, qty in quantities.items() if lot.product_id == move.product_id
            }
            move.product_uom_qty = sum(lots.values())
            self.env["udi.demo.trace"]._demo_set_lines(move, list(lots.items()))
        picking.button_validate()
        return picking

    @api.model
    def _demo_close(self, campaign, signer, password):
        """Follow-up, effectiveness check of every selected consignee, signed closure."""
        campaign = campaign.with_user(signer)
        campaign.action_start_follow_up()
        campaign.action_start_effectiveness()
        for notice in campaign.notice_ids.filtered("effectiveness_selected"):
            notice.effectiveness_note = self.env._(
                "Answer confirmed by a call back to %(partner)s.",
                partner=notice.partner_id.display_name,
            )
            notice.action_mark_verified()
        return self._demo_sign(campaign, "close", signer, password)
