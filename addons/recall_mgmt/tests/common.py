from odoo.tests import new_test_user

from odoo.addons.trace_events.tests.common import TraceCommon


class RecallCommon(TraceCommon):
    """A catheter lot shipped to the distributor and the hospital, some kept in stock; a
    quality manager (password ``qm-password``) to sign."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, "recall_qm", password="qm-password", name="Li Wei",
            groups="base.group_user,udi_master.group_trace_manager,stock.group_stock_manager",
        )
        cls.clerk = new_test_user(
            cls.env, "recall_clerk", groups="base.group_user,stock.group_stock_user",
        )
        cls.distributor.email = "quality@huadong.example.com"
        cls.hospital.write({
            "email": "equipment@ruijin.example.com",
            "udi_licence_number": "PDY00001-131010114A1001",
            "udi_licence_expiry": cls._date(700),
        })
        cls._receive([(cls.catheter_variant, "RC-L1", 100), (cls.catheter_variant, "RC-L2", 40)])
        cls.lot = cls._lot_named(cls.catheter_variant, "RC-L1")
        cls.other_lot = cls._lot_named(cls.catheter_variant, "RC-L2")
        cls.to_distributor = cls._deliver(cls.distributor, [(cls.catheter_variant, cls.lot, 30)])
        cls.to_hospital = cls._deliver(cls.hospital, [(cls.catheter_variant, cls.lot, 20)])
        cls.Campaign = cls.env["recall.campaign"].with_user(cls.manager)

    def _campaign(self, **vals):
        return self.Campaign.create({
            "title": "Catheter hub may crack",
            "reason": "Hub cracks under pressure above 300 psi (complaints C-101, C-107).",
            "recall_class": "2",
            "jurisdiction_ids": [(6, 0, self.env.ref("recall_mgmt.jurisdiction_nmpa").ids)],
            "lot_ids": [(6, 0, self.lot.ids)],
            **vals,
        })

    def _sign(self, campaign, action, password="qm-password"):
        wizard_action = (
            campaign.action_approve() if action == "approve" else campaign.action_close()
        )
        wizard = self.env["recall.sign.wizard"].with_user(self.manager).browse(
            wizard_action["res_id"]
        )
        wizard.password = password
        return wizard.action_sign()

    def _approved(self, **vals):
        campaign = self._campaign(**vals)
        campaign.action_analyze_impact()
        self._sign(campaign, "approve")
        return campaign

    def _deliver_mails(self):
        """The mail server accepts every queued mail: Odoo's own post-processing of an
        accepted mail (test mode sends nothing; test_delivery uses a real SMTP server)."""
        for mail in self.env["mail.mail"].sudo().search([("state", "=", "outgoing")]):
            mail.state = "sent"
            mail._postprocess_sent_message(success_pids=mail.recipient_ids, success_emails=[])

    def _receive_return(self, notice, lot, quantity):
        """The manager creates the notice's return and validates the receipt of ``quantity``
        units of ``lot`` (the rest is not back yet)."""
        action = notice.with_user(self.manager).action_create_return()
        picking = self.env["stock.picking"].browse(action["res_id"])
        picking.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": picking.move_ids.id,
                "picking_id": picking.id,
                "product_id": lot.product_id.id,
                "lot_id": lot.id,
                "quantity": quantity,
                "location_id": picking.location_id.id,
                "location_dest_id": picking.location_dest_id.id,
            }
        )
        picking.move_ids.picked = True
        picking.with_context(
            skip_backorder=True, picking_ids_not_to_backorder=picking.ids, skip_expired=True
        ).button_validate()
        return picking

    def _notice(self, campaign, partner):
        return campaign.notice_ids.filtered(lambda n: n.partner_id == partner)
