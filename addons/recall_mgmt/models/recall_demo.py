"""The demo scenario: three recalls and two complaints on top of trace_events' demo.

Run once by ``demo/recall_mgmt_demo.xml``. Every step goes through the flows a quality
manager runs in the user interface (impact analysis, the signature dialog with her password,
notices, the response dialog, returns, effectiveness check, closure), so the demo shows what
the code records, with its real timings.
"""

from odoo import api, models
from odoo.exceptions import AccessDenied

#: demo records the scenario builds on (udi_master's and trace_events' demo)
DEMO_REQUIRED = (
    "udi_master.lot_cells_a",
    "udi_master.lot_catheter_a",
    "udi_master.lot_catheter_b",
    "udi_master.partner_distributor_huadong",
    "udi_master.partner_distributor_pacific",
    "udi_master.partner_hospital_ruijin",
    "udi_master.partner_hospital_suzhou",
    "trace_events.demo_production_pacemaker_1",
)
#: who signs in the demo, with the password the udi_master / base demo gives them
DEMO_SIGNERS = (
    ("udi_master.user_quality_manager", "qm"),
    ("base.user_admin", "admin"),
)


class RecallCampaign(models.Model):
    _inherit = "recall.campaign"

    # ------------------------------------------------------------------ the scenario

    @api.model
    def _recall_demo_scenario(self):
        """Build the demo's recalls (once: a second run does nothing).

        * a closed class III recall of catheter lot CVC2506A (wrong storage temperature on
          the cartons): both distributors answered, Huadong returned its units, Pacific
          destroyed them, the quarantine was released after relabelling;
        * a completed mock recall drill of catheter lot CVC2509B, with its timings;
        * a class I recall of lithium-cell lot LI2504-117 (early battery depletion), opened
          from Ruijin's complaint, approved with the quality manager's signature and notified:
          Ruijin answered, the distributors and Suzhou have still to acknowledge (portal);
        * a new complaint from Suzhou about pacemaker PM200-251004, ready for "Open Recall".

        Returns ``{xmlid name: record}``, or False when it ran before or a demo it builds on
        is missing.
        """
        env = self.env
        if env.ref("recall_mgmt.demo_recall_cells", raise_if_not_found=False):
            return False
        if not all(env.ref(xmlid, raise_if_not_found=False) for xmlid in DEMO_REQUIRED):
            return False
        ref = env.ref
        signer, password = self._recall_demo_signer()
        huadong = ref("udi_master.partner_distributor_huadong")
        pacific = ref("udi_master.partner_distributor_pacific")
        ruijin = ref("udi_master.partner_hospital_ruijin")
        suzhou = ref("udi_master.partner_hospital_suzhou")
        nmpa = ref("recall_mgmt.jurisdiction_nmpa")
        catheter_a, catheter_b = ref("udi_master.lot_catheter_a"), ref("udi_master.lot_catheter_b")
        cells = ref("udi_master.lot_cells_a")
        serial = self._recall_demo_serial
        records = {}

        # -- a closed class III recall (the KPI views have a finished recall to show)
        closed = self._recall_demo_open(
            {
                "title": "Carton labels show the wrong storage temperature",
                "reason": "Cartons of lot CVC2506A were printed with a storage range of "
                "2-8 °C instead of 10-30 °C (nonconformity NCR-2025-031). Users may store the "
                "kits wrongly; the devices themselves are not affected.",
                "risk_assessment": "<p>Hazard unlikely: the sterile barrier and the device "
                "are not affected by cold storage. Class III.</p>",
                "recall_class": "3",
                "kind": "recall",
                "source": "nonconformity",
                "jurisdiction_ids": [(6, 0, nmpa.ids)],
                "lot_ids": [(6, 0, catheter_a.ids)],
                "action_stop_use": False,
                "action_return": True,
                "instructions": "Return unused kits for relabelling, or destroy them and "
                "send us the destruction record.",
            },
            signer,
            password,
        )
        self._recall_demo_notify(closed, signer)
        self._recall_demo_respond(
            self._recall_demo_notice(closed, huadong), signer, password,
            {catheter_a: {"qty_used": 20, "qty_returned": 100}},
            "Ms. Zhou (QA, Huadong) by phone: 20 kits sold on and used, 100 returned.",
        )
        records["demo_recall_labels_return"] = self._recall_demo_return(
            self._recall_demo_notice(closed, huadong), signer, {catheter_a: 100}
        )
        self._recall_demo_respond(
            self._recall_demo_notice(closed, pacific), signer, password,
            {catheter_a: {"qty_used": 10, "qty_destroyed": 30}},
            "Mr. Tan (Pacific MedSupply) by e-mail, destruction record DR-0925 attached "
            "to the mail.",
        )
        self._recall_demo_close(closed, signer, password)
        closed.deadline_ids.filtered(lambda d: not d.done_at).with_user(signer).action_mark_done()
        closed.quarantine_ids.filtered(lambda q: q.state == "blocked").with_user(
            signer
        )._recall_release("Cartons relabelled under NCR-2025-031 and re-inspected by QA.")
        records["demo_recall_labels"] = closed

        # -- a completed mock recall drill
        drill = self._recall_demo_open(
            {
                "title": "Mock recall drill: catheter lot CVC2509B",
                "reason": "Annual mock recall (SOP-QA-014): trace lot CVC2509B to every "
                "consignee and account for every unit within one working day.",
                "is_drill": True,
                "recall_class": "2",
                "kind": "recall",
                "source": "manual",
                "jurisdiction_ids": [(6, 0, nmpa.ids)],
                "lot_ids": [(6, 0, catheter_b.ids)],
            },
            signer,
            password,
        )
        self._recall_demo_notify(drill, signer)
        self._recall_demo_respond(
            self._recall_demo_notice(drill, pacific), signer, password,
            {catheter_b: {"qty_on_hand": 20}},
            "Drill: Pacific MedSupply answered the test call within 2 hours.",
        )
        self._recall_demo_respond(
            self._recall_demo_notice(drill, ruijin), signer, password,
            {catheter_b: {"qty_on_hand": 6, "qty_used": 4}},
            "Drill: Ruijin equipment department counted its stock.",
        )
        self._recall_demo_close(drill, signer, password)
        records["demo_drill_catheter"] = drill

        # -- a live class I recall of a component lot, opened from a complaint
        origin = self._recall_demo_complaint(
            ruijin,
            serial("PM200-251002"),
            "Pacemaker PM200-251002: early battery depletion (电池提前耗尽)",
            "<p>Elective replacement indicator reached 5 months after implant; expected "
            "longevity 10 years. Device interrogation report attached.</p>"
            "<p>植入5个月后出现择期更换指示，预期寿命10年。</p>",
            stage=ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress",
                      raise_if_not_found=False),
        )
        records["demo_ticket_battery_ruijin"] = origin
        live = self._recall_demo_open(
            {
                "title": "Early battery depletion of lithium-iodine cell lot LI2504-117",
                "reason": "Two DR-200 pacemakers built with cells of lot LI2504-117 reached "
                "the elective replacement indicator months early (complaint of Ruijin "
                "hospital; cell replaced in repair of PM200-251003). The supplier confirmed "
                "a separator defect in the lot.",
                "risk_assessment": "<p>Sudden loss of pacing in pacemaker-dependent patients "
                "may cause serious injury or death. Class I.</p>",
                "recall_class": "1",
                "kind": "recall",
                "source": "complaint",
                "ticket_id": origin.id,
                "jurisdiction_ids": [(6, 0, nmpa.ids)],
                "component_lot_ids": [(6, 0, cells.ids)],
                "action_return": True,
                "instructions": "Do not implant affected pacemakers; return them. For "
                "implanted devices, contact the patients for a follow-up interrogation "
                "within 30 days.",
            },
            signer,
            password,
        )
        self._recall_demo_notify(live, signer)
        self._recall_demo_respond(
            self._recall_demo_notice(live, ruijin), signer, password,
            {serial("PM200-251001"): {"qty_used": 1}, serial("PM200-251002"): {"qty_used": 1}},
            "Dr. Chen (cardiology, Ruijin) by phone: both pacemakers are implanted; "
            "patients called in for interrogation.",
        )
        records["demo_recall_cells"] = live

        # -- a new complaint, ready for "Open Recall"
        records["demo_ticket_battery_suzhou"] = self._recall_demo_complaint(
            suzhou,
            serial("PM200-251004"),
            "Pacemaker PM200-251004 explanted: battery drained early (电池提前耗尽)",
            "<p>Battery voltage 2.1 V at the 4-month follow-up, device explanted and kept "
            "for analysis.</p><p>4个月随访时电池电压2.1 V，已取出器械留存分析。</p>",
        )
        env["ir.model.data"]._update_xmlids(
            [
                {"xml_id": f"recall_mgmt.{name}", "record": record, "noupdate": True}
                for name, record in records.items()
                if record
            ]
        )
        return records

    @api.model
    def _recall_demo_signer(self):
        """The demo's quality manager and her demo password (else the administrator)."""
        for xmlid, password in DEMO_SIGNERS:
            user = self.env.ref(xmlid, raise_if_not_found=False)
            if user:
                return user, password
        return self.env.user, None

    @api.model
    def _recall_demo_serial(self, name):
        return self.env["stock.lot"].search([("name", "=", name)], limit=1)

    # ------------------------------------------------------------------ the steps

    @api.model
    def _recall_demo_complaint(self, partner, lot, title, description, stage=None):
        """A complaint ticket from ``partner`` naming the device ``lot``."""
        Ticket = self.env["helpdesk.ticket"].sudo()
        vals = {
            "name": title,
            "description": description,
            "partner_id": partner.id,
            "priority": "3",
        }
        if "trace_lot_id" in Ticket._fields:
            vals.update(trace_lot_id=lot.id, trace_product_id=lot.product_id.id)
        if "trace_service_type" in Ticket._fields:
            vals["trace_service_type"] = "complaint"
        channel = self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_phone",
                               raise_if_not_found=False)
        if channel:
            vals["channel_id"] = channel.id
        ticket = Ticket.create(vals)
        if stage:
            ticket.stage_id = stage
        return ticket

    @api.model
    def _recall_demo_open(self, vals, signer, password):
        """Open a recall as ``signer``, analyse its impact and approve it with a signature."""
        campaign = self.with_user(signer).create({"user_id": signer.id, **vals})
        campaign.action_analyze_impact()
        self._recall_demo_sign(campaign, "approve", signer, password)
        return campaign

    @api.model
    def _recall_demo_password_ok(self, user, password):
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
    def _recall_demo_signature(self, record, meaning, signer):
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
            }
        )

    @api.model
    def _recall_demo_sign(self, campaign, action, signer, password):
        """Approve or close ``campaign`` through the signature dialog, as the signer does.

        When the signer's demo password was changed, a signature marked as demo data is
        recorded instead, so that the demo still installs.
        """
        campaign = campaign.with_user(signer)
        opener = campaign.action_approve if action == "approve" else campaign.action_close
        wizard = self.env["recall.sign.wizard"].with_user(signer).browse(opener()["res_id"])
        if self._recall_demo_password_ok(signer, password):
            wizard.password = password
            wizard.action_sign()
        else:
            signature = self._recall_demo_signature(campaign, action, signer)
            if action == "approve":
                campaign._recall_approve(signature)
            else:
                campaign._recall_close(signature)
        return campaign

    @api.model
    def _recall_demo_notify(self, campaign, signer):
        campaign.with_user(signer).action_notify()

    @api.model
    def _recall_demo_notice(self, campaign, partner):
        return campaign.notice_ids.filtered(
            lambda notice: notice.partner_id == partner.commercial_partner_id
            and notice.state != "cancel"
        )

    @api.model
    def _recall_demo_respond(self, notice, signer, password, quantities, note):
        """Record a consignee's answer received by phone or mail, through the response
        dialog: the acknowledgement (signed by the staff member) and ``quantities``
        ``{lot: {qty_on_hand, qty_used, qty_returned, qty_destroyed}}``."""
        notice = notice.with_user(signer)
        if not self._recall_demo_password_ok(signer, password):
            notice._recall_acknowledge(
                self._recall_demo_signature(notice, "acknowledge", signer), channel="backend"
            )
            return notice._recall_report(
                [{"lot_id": lot.id, **qty} for lot, qty in quantities.items()],
                channel="backend",
                note=note,
            )
        wizard = self.env["recall.response.wizard"].with_user(signer).browse(
            notice.action_record_response()["res_id"]
        )
        wizard.write({"acknowledge": True, "password": password, "note": note})
        for line in wizard.line_ids:
            line.write(quantities.get(line.lot_id, {}))
        return wizard.action_record()

    @api.model
    def _recall_demo_return(self, notice, signer, quantities):
        """The consignee's units ``{lot: quantity}`` received back on a return transfer."""
        action = notice.with_user(signer).action_create_return()
        picking = self.env["stock.picking"].browse(action["res_id"])
        for move in picking.move_ids:
            lots = {
                lot: qty for lot, qty in quantities.items() if lot.product_id == move.product_id
            }
            move.product_uom_qty = sum(lots.values())
            self.env["trace.event"]._trace_demo_set_lines(move, list(lots.items()))
        picking.button_validate()
        return picking

    @api.model
    def _recall_demo_close(self, campaign, signer, password):
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
        return self._recall_demo_sign(campaign, "close", signer, password)
