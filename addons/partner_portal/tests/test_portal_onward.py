"""Onward shipments are checked against what the distributor holds, and dated after it got them.

The distributor's portal user reports in the portal form (with its CSRF token) and over JSON-2
with its API key; a unit it no longer holds (shipped onward already, whoever recorded it, or
reported used, destroyed or returned) cannot be shipped again.
"""

import datetime

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PortalCommon

PACEMAKER = "https://id.gs1.org/01/06901234500011/21/{serial}"
CATHETER = "https://id.gs1.org/01/06901234567892/10/{lot}"


@tagged("post_install", "-at_install")
class TestPortalOnward(PortalCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pacemaker = cls.implant.product_variant_id
        cls._receive([(cls.pacemaker, "PM-S1", 1)])
        cls.serial = cls._lot_named(cls.pacemaker, "PM-S1")
        cls._deliver(cls.distributor, [(cls.pacemaker, cls.serial, 1)])
        cls.serial_campaign = cls._portal_campaign(lot_ids=[(6, 0, cls.serial.ids)])
        cls.notice_s = cls.serial_campaign.notice_ids.filtered(
            lambda n: n.partner_id == cls.distributor
        )
        for notice in cls.notice_a | cls.notice_s:
            notice.with_user(cls.user_a)._portal_acknowledge("dist-a-password")
        cls.key = cls._api_key(cls.user_a)

    def _row(self, **row):
        return {
            "name": "Ruijin Hospital",
            "gln": self.hospital.udi_gln,
            "lot": "RC-L1",
            "quantity": 5,
            "date": datetime.date.today().isoformat(),
            **row,
        }

    def _form(self, notice, **row):
        self.authenticate("dist_a", "dist-a-password")
        values = {key: str(value) for key, value in self._row(**row).items()}
        return self._post(
            f"/my/recalls/{notice.id}/onward",
            {f"onward_{key}_0": value for key, value in values.items()},
        )

    def _api(self, notice, **row):
        with mute_logger("odoo.http"):
            return self._json2(
                self.key,
                "recall.notice",
                "portal_report_onward",
                ids=notice.ids,
                onward=[self._row(**row)],
            )

    def _holders(self, lot):
        return {
            row["partner_id"]: (row["quantity"], row["received_quantity"])
            for row in self.env["trace.event"].trace_forward(lot.ids)["holders"]
            if row["holder_type"] == "partner"
        }

    def _capture_our_record_of_their_shipment(self, quantity):
        """Staff import the distributor's own shipment record (its WMS's EPCIS file)."""
        now = fields.Datetime.now() - datetime.timedelta(minutes=1)
        self.env["trace.event"].capture(
            [
                {
                    "type": "ObjectEvent",
                    "eventID": "urn:uuid:wms-shipment-1",
                    "action": "OBSERVE",
                    "bizStep": "shipping",
                    "eventTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "eventTimeZoneOffset": "+00:00",
                    "quantityList": [
                        {"epcClass": CATHETER.format(lot="RC-L1"), "quantity": quantity}
                    ],
                    "sourceList": [
                        {
                            "type": "owning_party",
                            "source": f"https://id.gs1.org/417/{self.distributor.udi_gln}",
                        }
                    ],
                    "destinationList": [
                        {
                            "type": "owning_party",
                            "destination": f"https://id.gs1.org/417/{self.hospital.udi_gln}",
                        }
                    ],
                }
            ]
        )

    # ------------------------------------------------------------------ what is held

    def test_serial_reported_in_the_form_cannot_be_reported_again_over_json2(self):
        response = self._form(self.notice_s, lot="PM-S1", quantity=1)
        self.assertEqual(response.status_code, 303, response.text[:500])
        before = self._snapshot()
        response = self._api(self.notice_s, lot="PM-S1", quantity=1)
        self.assertEqual(response.status_code, 422, response.text[:500])
        message = response.json()["message"]
        self.assertIn("PM-S1", message)
        self.assertIn("you hold 0 of it now", message)
        self.assertEqual(self._snapshot(), before)
        self.assertEqual(
            self._holders(self.serial),
            {
                self.distributor.id: (0, 1),
                self.hospital.id: (1, 1),
            },
            "the hospital received the serial once, the distributor holds none (not -1)",
        )

    def test_shipment_recorded_in_the_trace_already_cannot_be_reported(self):
        self._capture_our_record_of_their_shipment(30)
        before = self._snapshot()
        response = self._form(self.notice_a, quantity=5)
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            "RC-L1: 5 unit(s) reported shipped onward, but you hold 0 of it now", response.text
        )
        self.assertEqual(self._snapshot(), before)
        self.assertEqual(
            self._holders(self.lot)[self.hospital.id],
            (50, 50),
            "20 from us and 30 from the distributor, not 35",
        )

    def test_part_shipped_already_leaves_the_rest_to_report(self):
        self._capture_our_record_of_their_shipment(26)
        self.assertEqual(self._api(self.notice_a, quantity=5).status_code, 422)
        response = self._api(self.notice_a, quantity=4)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self._holders(self.lot)[self.distributor.id], (0, 30))

    def test_units_reported_used_or_destroyed_cannot_be_shipped_onward(self):
        self.notice_a.with_user(self.user_a)._portal_report(
            [{"lot": "RC-L1", "qty_used": 20, "qty_destroyed": 5}]
        )
        before = self._snapshot()
        response = self._api(self.notice_a, quantity=6)
        self.assertEqual(response.status_code, 422, response.text[:500])
        self.assertIn("you hold 5 of it now (30 reached you", response.json()["message"])
        self.assertEqual(self._snapshot(), before)
        self.assertEqual(self._api(self.notice_a, quantity=5).status_code, 200)

    def test_rows_of_one_report_draw_on_the_same_units(self):
        self.authenticate("dist_a", "dist-a-password")
        today = datetime.date.today().isoformat()
        before = self._snapshot()
        data = {}
        for index, name in enumerate(("Hospital One", "Hospital Two")):
            data.update(
                {
                    f"onward_name_{index}": name,
                    f"onward_lot_{index}": "RC-L1",
                    f"onward_quantity_{index}": "20",
                    f"onward_date_{index}": today,
                }
            )
        response = self._post(f"/my/recalls/{self.notice_a.id}/onward", data)
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            "row 2: RC-L1: 20 unit(s) reported shipped onward, but you hold 10", response.text
        )
        self.assertEqual(self._snapshot(), before)

    # ------------------------------------------------------------------ dates

    def test_date_before_the_units_reached_the_distributor_is_refused(self):
        before = self._snapshot()
        yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
        response = self._form(self.notice_a, date=yesterday)
        self.assertEqual(response.status_code, 400)
        self.assertIn("RC-L1 reached you on", response.text)
        self.assertEqual(self._snapshot(), before)

    def test_shipment_on_the_day_of_arrival_is_dated_after_our_shipment(self):
        # the distributor sits in a zone where it is evening now: noon of today is before our
        # shipment
        now = datetime.datetime.now(datetime.UTC)
        offset = 18 - now.hour
        if offset > 14:
            offset -= 24
        self.distributor.tz = f"Etc/GMT{-offset:+d}" if offset else "UTC"
        local_today = (now + datetime.timedelta(hours=offset)).date().isoformat()
        response = self._api(self.notice_a, date=local_today)
        self.assertEqual(response.status_code, 200, response.text)
        onward = self.env["trace.event"].browse(response.json()["event_ids"])
        ours = self.env["trace.event"].search([("picking_id", "=", self.to_distributor.id)])
        self.assertGreaterEqual(onward.event_time, ours.event_time)
