import datetime
import re

from odoo.tests import HttpCase, new_test_user

from odoo.addons.recall_mgmt.tests.common import RecallCommon

PACEMAKER_DI = "06901234500011"


def pacemaker_udi(serial):
    """The GS1 human-readable UDI a hospital scans from a pacemaker's label."""
    return f"(01){PACEMAKER_DI}(21){serial}"


class ImplantPortalCommon(RecallCommon, HttpCase):
    """Two hospitals in the portal and a distributor, with pacemakers implanted.

    Ruijin (RecallCommon's hospital, facility A) implanted PM-001 (patient RJ-2026-0001) and
    PM-004 (RJ-2026-0002, a unit we shipped to Ruijin directly); Zhongshan (facility B)
    implanted PM-002 (ZS-PT-7781), bought like PM-001 from the distributor. PM-003 is at the
    distributor, PM-005 and PM-006 in our stock. Each hospital recorded its implantations in
    the portal. ``_recall()`` runs a recall of PM-001, PM-002 and PM-004 to its notices.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.implant.implant_tracked = True
        cls.pacemaker = cls.implant.product_variant_id
        cls._receive([(cls.pacemaker, f"PM-00{n}", 1) for n in range(1, 7)])
        cls.units = {f"PM-00{n}": cls._lot_named(cls.pacemaker, f"PM-00{n}") for n in range(1, 7)}
        cls._deliver(
            cls.distributor,
            [(cls.pacemaker, cls.units[s], 1) for s in ("PM-001", "PM-002", "PM-003")],
        )
        cls._deliver(cls.hospital, [(cls.pacemaker, cls.units["PM-004"], 1)])
        healthcare = cls.env.ref("udi_master.partner_role_healthcare")
        cls.hospital_a = cls.hospital
        cls.hospital_b = Partner.create(
            {
                "name": "Zhongshan Hospital",
                "is_company": True,
                "email": "devices@zhongshan.example.com",
                "udi_role_ids": [(6, 0, healthcare.ids)],
                "udi_gln": "6901234000030",
            }
        )
        cls.user_a = cls._portal_user(
            cls.hospital_a, "hosp_a", "Chen Jing", "chen.jing@ruijin.example.com"
        )
        cls.user_b = cls._portal_user(
            cls.hospital_b, "hosp_b", "Wang Fang", "wang.fang@zhongshan.example.com"
        )
        cls.user_dist = cls._portal_user(
            cls.distributor, "dist_imp", "Zhang Min", "zhang.min@huadong.example.com"
        )
        cls.implant_date = datetime.date.today() - datetime.timedelta(days=30)
        Record = cls.env["implant.record"]
        cls.record_a1 = Record.with_user(cls.user_a)._portal_record_event(
            cls._event("PM-001", "RJ-2026-0001", "Dr. Liu Yang")
        )
        cls.record_a4 = Record.with_user(cls.user_a)._portal_record_event(
            cls._event("PM-004", "RJ-2026-0002", "Dr. Liu Yang")
        )
        cls.record_b2 = Record.with_user(cls.user_b)._portal_record_event(
            cls._event("PM-002", "ZS-PT-7781", "Dr. Sun Li")
        )
        cls.env["audit.seal.entry"]._seal_run_pending()

    @classmethod
    def _portal_user(cls, entity, login, name, email):
        contact = cls.env["res.partner"].create(
            {
                "name": name,
                "parent_id": entity.id,
                "type": "contact",
                "email": email,
            }
        )
        return new_test_user(
            cls.env,
            login,
            groups="base.group_portal",
            password=f"{login}-password",
            partner_id=contact.id,
            email=email,
            name=name,
        )

    @classmethod
    def _event(cls, serial, patient, physician, event_type="implant", date=None):
        return {
            "event_type": event_type,
            "udi": pacemaker_udi(serial),
            "event_date": (date or cls.implant_date).isoformat(),
            "physician": physician,
            "patient_ref": patient,
        }

    @classmethod
    def _recall(cls):
        """A class II recall of PM-001, PM-002 and PM-004, analysed, approved, notified."""
        campaign = (
            cls.env["recall.campaign"]
            .with_user(cls.manager)
            .create(
                {
                    "title": "Pacemaker battery may deplete early",
                    "reason": "Premature battery depletion in 3 units (complaints C-201, C-204).",
                    "recall_class": "2",
                    "jurisdiction_ids": [(6, 0, cls.env.ref("recall_mgmt.jurisdiction_nmpa").ids)],
                    "lot_ids": [(6, 0, [cls.units[s].id for s in ("PM-001", "PM-002", "PM-004")])],
                }
            )
        )
        campaign.action_analyze_impact()
        wizard_action = campaign.action_approve()
        wizard = (
            cls.env["recall.sign.wizard"].with_user(cls.manager).browse(wizard_action["res_id"])
        )
        wizard.password = "qm-password"
        wizard.action_sign()
        campaign.action_notify()
        return campaign

    # ------------------------------------------------------------------ HTTP helpers

    def _csrf(self):
        """A CSRF token of the current session, from a page every user can open."""
        response = self.url_open("/web/login")
        return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)

    def _post(self, url, data, csrf=True):
        data = dict(data)
        if csrf:
            data["csrf_token"] = self._csrf()
        return self.url_open(url, data=data, allow_redirects=False)

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
            ._generate(None, "Hospital link", datetime.datetime.now() + datetime.timedelta(days=1))
        )

    def _counts(self):
        """Counts of what a portal answer could create, to show that nothing changed."""
        self.env.invalidate_all()
        return {
            "records": self.env["implant.record"].sudo().search_count([]),
            "reports": self.env["recall.implant.report"].sudo().search_count([]),
            "states": tuple(
                self.env["implant.record"].sudo().search([], order="id").mapped("state")
            ),
        }
