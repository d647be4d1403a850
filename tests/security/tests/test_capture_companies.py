"""EPCIS capture by a user of a second company: company A's eventIDs are invisible to it.

A user of company B captures over JSON-2 with an API key. An eventID stored in company A must
behave for B exactly as an unknown one (no "duplicate" answer that would reveal it exists), and
an error declaration naming it must not correct company A's event.
"""

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.udi_master.tests.json2 import api_key, post_json2

PACEMAKER_DL = "https://id.gs1.org/01/06901234500011/21/{serial}"


def shipping_event(event_id, serial, **overrides):
    event = {
        "type": "ObjectEvent",
        "eventID": event_id,
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "eventTime": "2025-03-01T09:30:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [PACEMAKER_DL.format(serial=serial)],
        "sourceList": [{"type": "owning_party", "source": "https://id.gs1.org/417/6901234000009"}],
        "destinationList": [
            {"type": "owning_party", "destination": "https://id.gs1.org/417/6901234000023"}
        ],
    }
    event.update(overrides)
    return event


@tagged("post_install", "-at_install")
class TestCaptureAcrossCompanies(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Second Maker Ltd."})
        cls.env["product.template"].create(
            {
                "name": "Dual-chamber pacemaker",
                "is_storable": True,
                "tracking": "serial",
                "udi_regulated": True,
                "udi_pi_serial": True,
                "company_id": False,
                "udi_di_ids": [(0, 0, {"di": "06901234500011", "packaging_level": "base"})],
            }
        )
        cls.env["res.partner"].create(
            [
                {"name": "Distributor", "is_company": True, "udi_gln": "6901234000009"},
                {"name": "Hospital", "is_company": True, "udi_gln": "6901234000023"},
            ]
        )
        cls.user_b = new_test_user(
            cls.env,
            "capture_company_b",
            password="capture_company_b-pw1",
            groups="base.group_user,udi_master.group_trace_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )
        cls.key_b = api_key(cls.env, cls.user_b, "WMS of B")
        Event = cls.env["trace.event"].with_company(cls.company_a)
        Event.capture([shipping_event("urn:uuid:company-a-1", "PMA001")])
        cls.event_a = Event.search([("event_uid", "=", "urn:uuid:company-a-1")])

    def _post_as_b(self, events):
        return post_json2(self, "/json/2/trace.event/capture", {"events": events}, self.key_b)

    def _capture_as_b(self, events):
        response = self._post_as_b(events)
        self.assertEqual(response.status_code, 200, response.text[:2000])
        return response.json()

    def _shape(self, result):
        """What B learns from an answer, ids aside."""
        return {
            key: (len(value) if key in ("event_ids", "corrections") else value)
            for key, value in result.items()
        }

    def test_event_id_of_company_a_answers_b_as_an_unknown_one(self):
        self.assertEqual(self.event_a.company_id, self.company_a)
        known_to_a = self._capture_as_b([shipping_event("urn:uuid:company-a-1", "PMB001")])
        unknown = self._capture_as_b([shipping_event("urn:uuid:nowhere-1", "PMB002")])
        self.assertEqual(self._shape(known_to_a), self._shape(unknown))
        self.assertEqual(known_to_a["duplicates"], [])
        stored = self.env["trace.event"].browse(known_to_a["event_ids"])
        self.assertEqual(stored.company_id, self.company_b)
        self.assertEqual(stored.event_uid, "urn:uuid:company-a-1")
        self.assertEqual(stored.line_ids.lot_id.name, "PMB001")
        self.assertNotEqual(stored, self.event_a)

    def test_event_id_of_company_a_sent_twice_by_b_is_b_own_duplicate(self):
        self._capture_as_b([shipping_event("urn:uuid:company-a-1", "PMB001")])
        again = self._capture_as_b([shipping_event("urn:uuid:company-a-1", "PMB001")])
        self.assertEqual((again["created"], again["duplicates"]), (0, ["urn:uuid:company-a-1"]))

    def test_b_cannot_declare_company_a_event_erroneous(self):
        declaration = shipping_event(
            "urn:uuid:company-a-1",
            "PMA001",
            errorDeclaration={"declarationTime": "2025-03-02T10:00:00Z", "reason": "did_not_occur"},
        )
        unknown = shipping_event(
            "urn:uuid:nowhere-2",
            "PMA001",
            errorDeclaration={"declarationTime": "2025-03-02T10:00:00Z", "reason": "did_not_occur"},
        )
        result = self._capture_as_b([declaration])
        self.assertEqual(self._shape(result), self._shape(self._capture_as_b([unknown])))
        self.env.invalidate_all()
        self.assertFalse(self.event_a.correction_ids, "company A's event was not corrected")
        self.assertFalse(self.event_a.is_superseded)
        corrections = self.env["trace.event"].browse(result["corrections"])
        self.assertEqual(corrections.company_id, self.company_b)
        self.assertEqual(corrections.corrected_event_id.company_id, self.company_b)

    @mute_logger("odoo.http")
    def test_gln_of_a_partner_of_company_a_answers_b_as_an_unknown_gln(self):
        """B's capture never resolves a GLN to a partner restricted to company A: the answer
        is the one an unknown GLN gets (the event waits in B's inbox with the GLN missing, or
        the document is refused with the same message), and nothing is stored."""
        clinic_a = self.env["res.partner"].create(
            {
                "name": "Clinic of Company A Only",
                "is_company": True,
                "udi_gln": "6901234000047",
                "company_id": self.company_a.id,
            }
        )

        def to(gln, event_id, serial):
            destination = {"type": "owning_party", "destination": f"https://id.gs1.org/417/{gln}"}
            return shipping_event(event_id, serial, destinationList=[destination])

        events_before = self.env["trace.event"].search_count([])
        # company B waits for unknown master data (the default): both wait, alike
        unknown = self._capture_as_b([to("6901234000054", "urn:uuid:gln-unknown", "PMB010")])
        of_a = self._capture_as_b([to("6901234000047", "urn:uuid:gln-of-a", "PMB010")])
        self.assertEqual((unknown["created"], unknown["waiting"]), (0, 1))
        self.assertEqual((of_a["created"], of_a["waiting"]), (0, 1))
        inbox = self.env["trace.event.inbox"].browse(of_a["inbox_ids"])
        self.assertEqual(inbox.company_id, self.company_b)
        self.assertEqual(inbox.missing_ids.mapped("value"), ["6901234000047"])
        # company B refuses unknown master data: the same refusal for both
        self.company_b.trace_epcis_unknown_master_data = "refuse"
        unknown = self._post_as_b([to("6901234000054", "urn:uuid:gln-refused", "PMB010")])
        of_a = self._post_as_b([to("6901234000047", "urn:uuid:gln-refused", "PMB010")])
        self.assertEqual(unknown.status_code, 422, unknown.text[:2000])
        self.assertEqual(of_a.status_code, unknown.status_code, of_a.text[:2000])
        self.assertEqual(
            of_a.json()["message"].replace("6901234000047", "<gln>"),
            unknown.json()["message"].replace("6901234000054", "<gln>"),
        )
        self.assertNotIn(clinic_a.name, of_a.text)
        self.assertEqual(self.env["trace.event"].search_count([]), events_before)
        # company A's own capture resolves it
        Event = self.env["trace.event"].with_company(self.company_a)
        Event.capture([to("6901234000047", "urn:uuid:gln-of-a", "PMA010")])
        stored = Event.search([("event_uid", "=", "urn:uuid:gln-of-a")])
        self.assertEqual(stored.dest_partner_id, clinic_a)
