import datetime
import re

from odoo.tests import HttpCase, new_test_user

from odoo.addons.recall_mgmt.tests.common import RecallCommon


class PortalCommon(RecallCommon, HttpCase):
    """Two distributors, each with a portal contact and a sent recall notice.

    Distributor A (RecallCommon's Huadong) received 30 units of lot RC-L1; distributor B
    (Pacific) received 12 units of its own lot PCF7731X, a name that must never reach A.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.distributor_b = Partner.create({
            "name": "Pacific MedSupply Pte. Ltd.",
            "is_company": True,
            "email": "quality@pacific.example.com",
            "udi_role_ids": [(6, 0, cls.env.ref("udi_master.partner_role_distributor").ids)],
            "udi_gln": "8881234000019",
            "udi_licence_number": "HSA-DL-2021-0457",
            "udi_licence_expiry": cls._date(300),
        })
        cls._receive([(cls.catheter_variant, "PCF7731X", 15)])
        cls.lot_b = cls._lot_named(cls.catheter_variant, "PCF7731X")
        cls._deliver(cls.distributor_b, [(cls.catheter_variant, cls.lot_b, 12)])
        cls.contact_a = Partner.create({
            "name": "Zhang Min", "parent_id": cls.distributor.id, "type": "contact",
            "email": "zhang.min@huadong.example.com",
        })
        cls.contact_b = Partner.create({
            "name": "Priya Raman", "parent_id": cls.distributor_b.id, "type": "contact",
            "email": "priya.raman@pacific.example.com",
        })
        cls.user_a = new_test_user(
            cls.env, "dist_a", groups="base.group_portal", password="dist-a-password",
            partner_id=cls.contact_a.id, email=cls.contact_a.email, name="Zhang Min",
        )
        cls.user_b = new_test_user(
            cls.env, "dist_b", groups="base.group_portal", password="dist-b-password",
            partner_id=cls.contact_b.id, email=cls.contact_b.email, name="Priya Raman",
        )
        cls.campaign = cls._portal_campaign()
        cls.notice_a = cls.campaign.notice_ids.filtered(lambda n: n.partner_id == cls.distributor)
        cls.notice_b = cls.campaign.notice_ids.filtered(
            lambda n: n.partner_id == cls.distributor_b
        )

    @classmethod
    def _portal_campaign(cls, **vals):
        campaign = cls.Campaign.create({
            "title": "Catheter hub may crack",
            "reason": "Hub cracks under pressure above 300 psi (complaints C-101, C-107).",
            "recall_class": "2",
            "jurisdiction_ids": [(6, 0, cls.env.ref("recall_mgmt.jurisdiction_nmpa").ids)],
            "lot_ids": [(6, 0, (cls.lot | cls.lot_b).ids)],
            "action_return": True,
            **vals,
        })
        campaign.action_analyze_impact()
        wizard_action = campaign.action_approve()
        wizard = cls.env["recall.sign.wizard"].with_user(cls.manager).browse(
            wizard_action["res_id"]
        )
        wizard.password = "qm-password"
        wizard.action_sign()
        campaign.action_notify()
        return campaign

    # ------------------------------------------------------------------ HTTP helpers

    def _csrf(self, url):
        """The CSRF token of a page (the forms' hidden input)."""
        response = self.url_open(url)
        match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
        return match.group(1) if match else None

    def _session_csrf(self):
        """A CSRF token of the current session, from a page every user can open."""
        response = self.url_open("/web/login")
        return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)

    def _post(self, url, data, files=None, csrf=True):
        data = dict(data)
        if csrf:
            data["csrf_token"] = self._session_csrf()
        return self.url_open(url, data=data, files=files, allow_redirects=False)

    def _json2(self, key, model, method, **params):
        return self.url_open(
            f"/json/2/{model}/{method}",
            json=params,
            method="POST",
            headers={"Authorization": f"bearer {key}", "X-Odoo-Database": self.env.cr.dbname},
        )

    @classmethod
    def _api_key(cls, user):
        return (
            cls.env["res.users.apikeys"]
            .with_user(user)
            .sudo()
            ._generate(None, "ERP link", datetime.datetime.now() + datetime.timedelta(days=1))
        )

    def _snapshot(self):
        """Counts of everything an answer could create, to show that nothing changed."""
        env = self.env
        env.invalidate_all()
        return {
            "responses": env["recall.response"].search_count([]),
            "signatures": env["recall.signature"].search_count([]),
            "events": env["trace.event"].search_count([]),
            "pickings": env["stock.picking"].search_count([]),
            "partners": env["res.partner"].with_context(active_test=False).search_count([]),
            "attachments": env["ir.attachment"].search_count(
                [("res_model", "in", ("recall.response", "recall.notice"))]
            ),
            "notice_states": tuple(self.campaign.notice_ids.sorted("id").mapped("state")),
        }
