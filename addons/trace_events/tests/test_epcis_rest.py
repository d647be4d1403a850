"""GS1's EPCIS 2.0 REST bindings over real HTTP, with real API keys, as integrators call them."""

import json
import logging
import threading
import time
from unittest.mock import patch
from urllib.parse import quote

import psycopg2
import psycopg2.errorcodes
import psycopg2.errors

from odoo import sql_db
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tests import HttpCase, get_db_name, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.trace_events.lib import epcis, epcis_canonical
from odoo.addons.udi_master.tests.json2 import api_key

from .test_capture import (
    PACEMAKER_DL,
    CaptureCommon,
    gs1_example_paths,
    load_gs1_example,
    shipping_event,
)
from .test_epcis_roundtrip import QUERY_DOCUMENT, create_document_master_data
from .webhook_receiver import Receiver, perform_jobs

_logger = logging.getLogger(__name__)

BASE = "/epcis"


def document(*events):
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2025-03-01T10:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


class EpcisRestCommon(HttpCase, CaptureCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        trace_user = "base.group_user,udi_master.group_trace_user"
        cls.analyst = new_test_user(cls.env, "epcis_analyst", groups=trace_user)
        cls.manager = new_test_user(
            cls.env, "epcis_manager", groups="base.group_user,udi_master.group_trace_manager"
        )
        cls.clerk = new_test_user(cls.env, "epcis_clerk", groups="base.group_user")
        cls.distributor_contact = cls.env["res.partner"].create(
            {"name": "Wang Li (WMS)", "parent_id": cls.distributor.id, "email": "wms@hd.example"}
        )
        cls.distributor_portal = new_test_user(
            cls.env,
            "epcis_distributor",
            groups="base.group_portal",
            partner_id=cls.distributor_contact.id,
        )
        cls.hospital_portal = new_test_user(
            cls.env,
            "epcis_hospital",
            groups="base.group_portal",
            partner_id=cls.env["res.partner"]
            .create({"name": "Ruijin supply desk", "parent_id": cls.hospital.id})
            .id,
        )
        cls.hospital.write(
            {"udi_licence_number": "沪卫医许2020001号", "udi_licence_expiry": cls._date(365)}
        )
        cls.keys = {
            user.login: api_key(cls.env, user)
            for user in (
                cls.analyst,
                cls.manager,
                cls.clerk,
                cls.distributor_portal,
                cls.hospital_portal,
            )
        }
        # a lot shipped to the distributor, a serial shipped to the hospital (stock events)
        cls._receive([(cls.catheter_variant, "REST-L1", 10), (cls.pacemaker, "PM0100", 1)])
        cls.lot = cls._lot_named(cls.catheter_variant, "REST-L1")
        cls.serial = cls._lot_named(cls.pacemaker, "PM0100")
        cls.to_distributor = cls._deliver(cls.distributor, [(cls.catheter_variant, cls.lot, 4)])
        cls.to_hospital = cls._deliver(cls.hospital, [(cls.pacemaker, cls.serial, 1)])
        cls.distributor_event = cls.Event.search([("picking_id", "=", cls.to_distributor.id)])
        cls.hospital_event = cls.Event.search([("picking_id", "=", cls.to_hospital.id)])

    def _headers(self, login, **extra):
        headers = {"X-Odoo-Database": get_db_name(), **extra}
        if login:
            headers["Authorization"] = f"Bearer {self.keys.get(login, login)}"
        return headers

    def _get(self, path, login="epcis_analyst", params=None, **headers):
        return self.url_open(
            BASE + path,
            headers=self._headers(login, **headers),
            params=params,
            allow_redirects=False,
        )

    def _send(self, method, path, body, login="epcis_analyst", **headers):
        headers.setdefault("Content-Type", "application/json")
        return self.url_open(
            BASE + path,
            data=body if isinstance(body, (str, bytes)) else json.dumps(body),
            headers=self._headers(login, **headers),
            method=method,
            allow_redirects=False,
        )

    def _event_ids(self, response):
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["type"], "EPCISQueryDocument")
        return [e["eventID"] for e in body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]

    def _problem(self, response, status, kind):
        self.assertEqual(response.status_code, status, response.text)
        self.assertTrue(response.headers["Content-Type"].startswith("application/problem+json"))
        body = response.json()
        self.assertEqual((body["type"], body["status"]), (f"epcisException:{kind}", status))
        self.assertEqual(response.headers["GS1-EPCIS-Version"], "2.0.0")
        return body

    def _run_jobs(self):
        self.env.invalidate_all()
        for record in self.env["queue.job"].search([("state", "=", "pending")], order="id"):
            Job.load(self.env, record.uuid).perform()
            record.state = "done"
        self.env.invalidate_all()

    def _capture(self, login, *events, **headers):
        response = self._send("POST", "/capture", document(*events), login, **headers)
        self.assertEqual(response.status_code, 202, response.text)
        return response.headers["Location"]


@tagged("post_install", "-at_install")
class TestEpcisRest(EpcisRestCommon):
    # ------------------------------------------------------------------ discovery, headers

    def test_openapi_is_served_at_the_root_with_the_gs1_headers(self):
        response = self._get("/", login=None)
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["info"]["version"], "2.0.0")
        self.assertIn("/events", body["paths"])
        self.assertTrue(body["servers"][0]["url"].endswith("/epcis"))
        for header in (
            "GS1-EPCIS-Version",
            "GS1-CBV-Version",
            "GS1-EPCIS-Min",
            "GS1-EPCIS-Max",
            "GS1-Extensions",
        ):
            self.assertIn(header, response.headers)

    def test_options_lists_the_methods_of_a_resource(self):
        response = self.url_open(BASE + "/capture", method="OPTIONS", headers=self._headers(None))
        self.assertEqual(response.status_code, 204, response.text)
        self.assertIn("POST", response.headers["Allow"])
        self.assertEqual(response.headers["GS1-CBV-Version"], "2.0.0")

    @mute_logger("odoo.http")
    def test_missing_or_wrong_key_is_401_problem(self):
        self._problem(self._get("/events", login=None), 401, "SecurityException")
        body = self._problem(self._get("/events", login="not-a-key"), 401, "SecurityException")
        self.assertIn("Bearer", body["detail"])

    @mute_logger("odoo.http")
    def test_every_call_is_in_the_api_call_log_without_its_key(self):
        Log = self.env["trace.api.call.log"]
        before = Log.search([], limit=1, order="id desc").id or 0
        self.assertEqual(self._get("/events", params={"eventType": "ObjectEvent"}).status_code, 200)
        self._problem(self._get("/events", login="not-a-key"), 401, "SecurityException")
        self.env.invalidate_all()
        rows = Log.search([("id", ">", before)], order="id")
        self.assertEqual(rows.mapped("endpoint"), [BASE + "/events"] * 2)
        self.assertEqual(rows.mapped("http_status"), [200, 401])
        self.assertEqual(rows.mapped("kind"), ["success", "denied"])
        self.assertEqual(rows[0].user_id.login, "epcis_analyst")
        self.assertIn("eventType", rows[0].arguments)
        text = json.dumps(rows.read(), default=str)
        self.assertNotIn(self.keys["epcis_analyst"], text)

    def test_json_ld_is_answered_when_asked_and_xml_is_not_acceptable(self):
        response = self._get("/events", Accept="application/ld+json")
        self.assertTrue(response.headers["Content-Type"].startswith("application/ld+json"))
        response = self._get("/events", Accept="application/json")
        self.assertTrue(response.headers["Content-Type"].startswith("application/json"))
        self._problem(self._get("/events", Accept="application/xml"), 406, "NotAcceptableException")
        self._problem(
            self._get("/events", **{"GS1-EPCIS-Min": "3.0.0"}), 406, "NotAcceptableException"
        )

    def test_url_too_long_is_414(self):
        response = self._get("/events", params={"EQ_eventID": "urn:uuid:" + "x" * 9000})
        self._problem(response, 414, "URITooLongException")

    # ------------------------------------------------------------------ capture

    def test_capture_is_asynchronous_and_reports_its_job(self):
        location = self._capture("epcis_analyst", shipping_event("urn:uuid:rest-c1"))
        self.assertRegex(location, r"^/epcis/capture/capture-[0-9a-f]{32}$")
        job = self._get(location.removeprefix(BASE)).json()
        self.assertEqual((job["running"], job["success"]), (True, True))
        self.assertEqual(job["captureErrorBehaviour"], "rollback")
        self.assertFalse(self._stored("urn:uuid:rest-c1"), "stored by the job, not the request")
        self._run_jobs()
        job = self._get(location.removeprefix(BASE)).json()
        self.assertEqual((job["running"], job["success"], job["errors"]), (False, True, []))
        self.assertIn("finishedAt", job)
        self.assertEqual(self._stored("urn:uuid:rest-c1").origin, "capture")
        ids = self._event_ids(self._get("/events", params={"EQ_eventID": "urn:uuid:rest-c1"}))
        self.assertEqual(ids, ["urn:uuid:rest-c1"])
        listed = self._get("/capture").json()
        self.assertIn(location.rsplit("/", 1)[1], [entry["captureID"] for entry in listed])

    def test_capture_reads_the_document_in_any_json_encoding(self):
        """The job keeps the body's own text when it is UTF-8, else the parsed document."""
        sent = (("urn:uuid:rest-u8", "PM0001", "utf-8"), ("urn:uuid:rest-u16", "PM0002", "utf-16"))
        for eid, serial, encoding in sent:
            body = json.dumps(document(shipping_event(eid, serials=(serial,)))).encode(encoding)
            response = self._send("POST", "/capture", body)
            self.assertEqual(response.status_code, 202, response.text)
        self._run_jobs()
        self.assertEqual(len(self._stored("urn:uuid:rest-u8", "urn:uuid:rest-u16")), 2)
        jobs = self.env["trace.epcis.capture.job"].search([])
        self.assertEqual(set(jobs.mapped("state")), {"success"})
        self.assertFalse(any(jobs.mapped("document")), "the document is dropped once captured")

    @mute_logger("odoo.sql_db")  # the statement the timeout ends is logged as a bad query
    def test_capture_job_waits_for_a_lock_only_so_long(self):
        """A job blocked by another transaction's lock (here the ledger's chain lock, which the
        seal takes at commit) gives up after the timeout with lock_not_available, which
        queue_job retries later, instead of outlasting the worker's limit_time_real (Odoo then
        restarts a threaded server: every connection reset)."""
        self._capture("epcis_analyst", shipping_event("urn:uuid:rest-lock"))
        self.env["ir.config_parameter"].set_param("trace_events.capture_lock_timeout", "1")
        key = 0x61756469745F736561 & 0x7FFFFFFFFFFFFFFF  # audit_seal's CHAIN_LOCK_KEY
        import_epcis = type(self.env["trace.event"]).import_epcis

        def blocked_import(model, document):
            model.env.cr.execute("SELECT pg_advisory_xact_lock(%s)", [key])
            return import_epcis(model, document)

        other = sql_db.db_connect(get_db_name()).cursor()
        other.execute("SELECT pg_advisory_xact_lock(%s)", [key])
        # without the bound the job would wait for the other transaction: end it after 8 s
        release = threading.Timer(8, other.rollback)
        release.start()
        try:
            record = self.env["queue.job"].search([("state", "=", "pending")])
            started = time.monotonic()
            with (
                patch.object(type(self.env["trace.event"]), "import_epcis", blocked_import),
                self.assertRaises(psycopg2.errors.LockNotAvailable),
                self.env.cr.savepoint(),
            ):
                Job.load(self.env, record.uuid).perform()
            self.assertLess(time.monotonic() - started, 6)
        finally:
            release.cancel()
            other.rollback()
            other.close()
        self.assertIn(psycopg2.errorcodes.LOCK_NOT_AVAILABLE, PG_CONCURRENCY_ERRORS_TO_RETRY)
        self.assertFalse(self._stored("urn:uuid:rest-lock"))

    def test_capture_job_whose_queue_job_fails_for_good_is_failed(self):
        """A queue job that fails for good (an unexpected error, or its retries spent on a lock
        held each time) rolls its transaction back: the capture job then says it failed and why,
        instead of answering "running" for ever. queue_job's runner calls the job function's
        ``on_fail`` hook with the failure's values, on a cursor of its own; here the hook is
        called as the runner calls it, after the job itself failed."""
        location = self._capture("epcis_analyst", shipping_event("urn:uuid:rest-doomed"))
        record = self.env["queue.job"].search([("state", "=", "pending")])
        self.assertEqual(len(record), 1)
        job = Job.load(self.env, record.uuid)
        self.assertEqual(job.on_fail_method_name, "_epcis_job_failed")

        def broken_import(model, document):
            raise RuntimeError("the staging disk is full")

        with (
            patch.object(type(self.env["trace.event"]), "import_epcis", broken_import),
            self.assertRaises(RuntimeError),
            self.env.cr.savepoint(),
        ):
            job.perform()
        job.on_fail(RunJobController._get_failure_values(job, "", RuntimeError("disk full")))
        self.env.invalidate_all()
        answer = self._get(location.removeprefix(BASE)).json()
        self.assertEqual((answer["running"], answer["success"]), (False, False))
        self.assertIn("finishedAt", answer)
        [problem] = answer["errors"]
        self.assertEqual(problem["type"], "epcisException:ImplementationException")
        self.assertIn("disk full", problem["detail"])
        self.assertFalse(self._stored("urn:uuid:rest-doomed"))
        # a job that finished is left as it is (the hook is called once, but be safe)
        job.on_fail({"exc_message": "again"})
        self.env.invalidate_all()
        self.assertIn(
            "disk full", self._get(location.removeprefix(BASE)).json()["errors"][0]["detail"]
        )

    def test_refused_document_fails_its_job_with_the_problem_of_each_event(self):
        bad = shipping_event("urn:uuid:rest-bad", eventTime="2099-01-01T00:00:00+08:00")
        location = self._capture("epcis_analyst", shipping_event("urn:uuid:rest-good"), bad)
        self._run_jobs()
        job = self._get(location.removeprefix(BASE)).json()
        self.assertEqual((job["running"], job["success"]), (False, False))
        self.assertTrue(job["errors"])
        self.assertTrue(all(e["type"].startswith("epcisException:") for e in job["errors"]))
        self.assertIn("urn:uuid:rest-bad", json.dumps(job["errors"]))
        self.assertFalse(self._stored("urn:uuid:rest-good", "urn:uuid:rest-bad"), "rollback")

    def test_proceed_stores_the_good_events_and_lists_the_bad(self):
        bad = shipping_event("urn:uuid:rest-p2", serials=("PM0002",), bizStep="juggling")
        location = self._capture(
            "epcis_analyst",
            shipping_event("urn:uuid:rest-p1", serials=("PM0001",)),
            bad,
            **{"GS1-Capture-Error-Behaviour": "proceed"},
        )
        self._run_jobs()
        job = self._get(location.removeprefix(BASE)).json()
        self.assertEqual((job["success"], job["captureErrorBehaviour"]), (False, "proceed"))
        self.assertEqual(len(job["errors"]), 1)
        self.assertIn("Event 2", job["errors"][0]["instance"])
        self.assertTrue(self._stored("urn:uuid:rest-p1"))
        self.assertFalse(self._stored("urn:uuid:rest-p2"))

    @mute_logger("odoo.http")
    def test_post_events_captures_one_event_at_once(self):
        event = shipping_event("urn:uuid:rest-one")
        response = self._send("POST", "/events", event)
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(response.headers["Location"], "/epcis/events/urn%3Auuid%3Arest-one")
        self.assertTrue(self._stored("urn:uuid:rest-one"))
        self._problem(self._send("POST", "/events", event), 409, "ResourceAlreadyExistsException")
        bad = shipping_event("urn:uuid:rest-two", eventTime="2099-01-01T00:00:00+08:00")
        self._problem(self._send("POST", "/events", bad), 400, "ValidationException")
        self._problem(
            self._send("POST", "/events", event, login="epcis_distributor"),
            403,
            "SecurityException",
        )

    @mute_logger("odoo.http")
    def test_capture_refusals_have_their_status(self):
        doc = document(shipping_event("urn:uuid:rest-x"))
        self._problem(
            self._send("POST", "/capture", doc, **{"Content-Type": "text/plain"}),
            415,
            "UnsupportedMediaTypeException",
        )
        self._problem(self._send("POST", "/capture", "{not json"), 400, "ValidationException")
        self._problem(
            self._send("POST", "/capture", {"type": "Nonsense"}), 400, "ValidationException"
        )
        self._problem(
            self._send("POST", "/capture", doc, **{"GS1-Capture-Error-Behaviour": "all"}),
            400,
            "ValidationException",
        )
        self.env["ir.config_parameter"].set_param("trace_events.capture_max_events", "1")
        two = document(shipping_event("urn:uuid:rest-y1"), shipping_event("urn:uuid:rest-y2"))
        response = self._send("POST", "/capture", two)
        self._problem(response, 413, "CaptureLimitExceededException")
        self.assertEqual(response.headers["GS1-EPCIS-Capture-Limit"], "1")
        self.env["ir.config_parameter"].set_param("trace_events.capture_max_bytes", "100")
        self._problem(self._send("POST", "/capture", doc), 413, "CaptureLimitExceededException")
        self.assertFalse(self.env["trace.epcis.capture.job"].search([]), "nothing was queued")

    @mute_logger("odoo.http")
    def test_only_traceability_users_capture(self):
        doc = document(shipping_event("urn:uuid:rest-z"))
        for login in ("epcis_distributor", "epcis_clerk"):
            self._problem(self._send("POST", "/capture", doc, login), 403, "SecurityException")
        self.assertFalse(self.env["trace.epcis.capture.job"].search([]))

    def test_a_user_sees_their_own_capture_jobs_a_manager_all(self):
        location = self._capture("epcis_analyst", shipping_event("urn:uuid:rest-own"))
        capture_id = location.rsplit("/", 1)[1]
        self.assertEqual(
            self._get(location.removeprefix(BASE), login="epcis_manager").status_code, 200
        )
        other = new_test_user(
            self.env, "epcis_other", groups="base.group_user,udi_master.group_trace_user"
        )
        self.keys["epcis_other"] = api_key(self.env, other)
        self._problem(
            self._get(location.removeprefix(BASE), login="epcis_other"),
            404,
            "NoSuchResourceException",
        )
        self.assertNotIn(
            capture_id,
            [job["captureID"] for job in self._get("/capture", login="epcis_other").json()],
        )

    # ------------------------------------------------------------------ events

    def test_match_epc_finds_the_events_of_a_serial(self):
        epc = PACEMAKER_DL.format(serial="PM0100")
        ids = self._event_ids(self._get("/events", params={"MATCH_epc": epc}))
        self.assertIn(self.hospital_event.event_uid, ids)
        self.assertNotIn(self.distributor_event.event_uid, ids)
        urn = "urn:epc:id:sgtin:6901234.050001.PM0100"
        self.assertEqual(self._event_ids(self._get("/events", params={"MATCH_anyEPC": urn})), ids)
        self.assertEqual(self._event_ids(self._get(f"/epcs/{quote(epc, safe='')}/events")), ids)

    def test_match_epc_class_finds_the_events_of_a_lot(self):
        lot_uri = "https://id.gs1.org/01/06901234567892/10/REST-L1"
        ids = self._event_ids(self._get("/events", params={"MATCH_epcClass": lot_uri}))
        self.assertIn(self.distributor_event.event_uid, ids)
        self.assertNotIn(self.hospital_event.event_uid, ids)
        self.assertFalse(self._event_ids(self._get("/events", params={"MATCH_epc": lot_uri})))

    def test_standard_parameters_filter_the_events(self):
        uid = self.distributor_event.event_uid
        every = self._event_ids(self._get("/events", params={"perPage": "100"}))
        self.assertIn(uid, every)
        for params, expected in (
            ({"eventType": "ObjectEvent"}, True),
            ({"eventType": "AggregationEvent"}, False),
            ({"EQ_bizStep": "shipping|receiving"}, True),
            ({"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-receiving"}, False),
            ({"EQ_action": "OBSERVE"}, True),
            ({"EQ_action": "ADD"}, False),
            ({"GE_eventTime": "2000-01-01T00:00:00Z"}, True),
            ({"LT_eventTime": "2000-01-01T00:00:00Z"}, False),
            ({"GE_recordTime": "2000-01-01T00:00:00+08:00"}, True),
            ({"EQ_eventID": "urn:uuid:none"}, False),
            ({"EXISTS_errorDeclaration": ""}, False),
        ):
            ids = self._event_ids(self._get("/events", params=params))
            self.assertEqual(uid in ids, expected, params)

    def test_event_by_id_and_the_dimension_resources(self):
        uid = self.distributor_event.event_uid
        self.assertEqual(self._event_ids(self._get(f"/events/{quote(uid, safe='')}")), [uid])
        self._problem(self._get("/events/urn:uuid:nothing"), 404, "NoSuchResourceException")
        types = self._get("/eventTypes").json()
        self.assertEqual(types["type"], "Collection")
        self.assertIn("ObjectEvent", types["member"])
        self.assertIn(uid, self._event_ids(self._get("/eventTypes/ObjectEvent/events")))
        self._problem(self._get("/eventTypes/Nonsense/events"), 404, "NoSuchResourceException")
        self.assertIn("shipping", self._get("/bizSteps").json()["member"])
        self.assertIn(uid, self._event_ids(self._get("/bizSteps/shipping/events")))
        self.assertNotIn(uid, self._event_ids(self._get("/bizSteps/receiving/events")))
        self._problem(self._get("/bizSteps/juggling/events"), 404, "NoSuchResourceException")
        self.assertIn("in_transit", self._get("/dispositions").json()["member"])
        self._problem(self._get("/dispositions/nope/events"), 404, "NoSuchResourceException")
        self._problem(
            self._get("/bizSteps/shipping/events", params={"EQ_bizStep": "shipping"}),
            400,
            "QueryParameterException",
        )
        self._problem(self._get("/epcs/not%20an%20epc/events"), 400, "QueryParameterException")

    def test_read_points_and_business_locations(self):
        location = self._capture("epcis_analyst", shipping_event("urn:uuid:rest-rp"))
        self._run_jobs()
        self.assertTrue(self._get(location.removeprefix(BASE)).json()["success"])
        read_point = "https://id.gs1.org/414/6901234000009"
        self.assertIn(read_point, self._get("/readPoints").json()["member"])
        ids = self._event_ids(self._get(f"/readPoints/{quote(read_point, safe='')}/events"))
        self.assertEqual(ids, ["urn:uuid:rest-rp"])
        ids = self._event_ids(self._get("/events", params={"EQ_readPoint": read_point}))
        self.assertEqual(ids, ["urn:uuid:rest-rp"])
        self.assertEqual(self._get("/bizLocations").status_code, 200)
        dimension = self.distributor_event.disposition
        self.assertIn(
            self.distributor_event.event_uid,
            self._event_ids(self._get(f"/dispositions/{dimension}/events")),
        )
        unused = quote("https://id.gs1.org/414/6901234000030", safe="")
        self.assertEqual(self._event_ids(self._get(f"/bizLocations/{unused}/events")), [])

    @mute_logger("odoo.http")
    def test_unsupported_unknown_and_wrong_parameters_are_refused(self):
        for params in (
            {"EQ_quantity": "3"},
            {"WD_readPoint": "https://id.gs1.org/414/6901234000009"},
            {"EQ_ILMD_lotNumber": "A"},
            {"shoeSize": "42"},
            {"GE_eventTime": "yesterday"},
            {"perPage": "-1"},
            {"orderDirection": "SIDEWAYS"},
            {"EQ_action": "JUMP"},
            {"nextPageToken": "garbage"},
        ):
            body = self._problem(
                self._get("/events", params=params), 400, "QueryParameterException"
            )
            self.assertIn(next(iter(params)), body["detail"])

    def test_max_event_count_refuses_a_too_large_answer(self):
        self._problem(
            self._get("/events", params={"maxEventCount": "1"}), 413, "QueryTooLargeException"
        )

    def test_paging_follows_the_next_page_token(self):
        every = self._event_ids(self._get("/events", params={"perPage": "100"}))
        self.assertGreaterEqual(len(every), 2)
        seen, params = [], {"perPage": "1"}
        for _page in range(len(every) + 1):
            response = self._get("/events", params=params)
            seen += self._event_ids(response)
            token = response.headers.get("GS1-Next-Page-Token")
            if not token:
                self.assertNotIn("Link", response.headers)
                break
            self.assertIn('rel="next"', response.headers["Link"])
            self.assertIn("nextPageToken=", response.headers["Link"])
            params = {"perPage": "1", "nextPageToken": token}
        self.assertEqual(seen, every)
        desc = self._event_ids(
            self._get(
                "/events",
                params={"perPage": "100", "orderBy": "eventTime", "orderDirection": "DESC"},
            )
        )
        self.assertEqual(desc, every[::-1])
        first = self._get("/events", params={"perPage": "1"}).headers["GS1-Next-Page-Token"]
        self._problem(
            self._get(
                "/events",
                params={"perPage": "1", "eventType": "ObjectEvent", "nextPageToken": first},
            ),
            400,
            "QueryParameterException",
        )

    # ------------------------------------------------------------------ who sees what

    @mute_logger("odoo.http")
    def test_internal_user_without_traceability_rights_is_forbidden(self):
        self._problem(self._get("/events", login="epcis_clerk"), 403, "SecurityException")

    def test_a_partner_key_sees_only_the_events_of_units_shipped_to_it(self):
        distributor = self._event_ids(self._get("/events", login="epcis_distributor"))
        hospital = self._event_ids(self._get("/events", login="epcis_hospital"))
        self.assertIn(self.distributor_event.event_uid, distributor)
        self.assertNotIn(self.hospital_event.event_uid, distributor)
        self.assertIn(self.hospital_event.event_uid, hospital)
        self.assertNotIn(self.distributor_event.event_uid, hospital)
        uid = quote(self.hospital_event.event_uid, safe="")
        self._problem(
            self._get(f"/events/{uid}", login="epcis_distributor"), 404, "NoSuchResourceException"
        )
        epc = PACEMAKER_DL.format(serial="PM0100")
        self.assertFalse(
            self._event_ids(self._get("/events", "epcis_distributor", {"MATCH_epc": epc}))
        )
        self.assertNotIn(
            "https://id.gs1.org/414/6901234000009",
            self._get("/readPoints", login="epcis_hospital").json()["member"],
        )

    def test_typed_lists_find_the_events_odoo_recorded(self):
        """A delivery validated in Odoo has no query terms (they index captured documents):
        EQ_source_<type>, EQ_destination_<type> and EQ_bizTransaction_<type> still find it by
        what its export says, and not by another value or another type."""
        uid = self.distributor_event.event_uid
        [exported] = self._get(f"/events/{quote(uid, safe='')}").json()["epcisBody"][
            "queryResults"
        ]["resultsBody"]["eventList"]
        asked = [
            (f"EQ_{member}_{entry['type'].rsplit('-', 1)[-1]}", entry[member])
            for member in ("source", "destination")
            for entry in exported[f"{member}List"]
        ]
        asked += [
            (f"EQ_bizTransaction_{entry['type'].rsplit('-', 1)[-1]}", entry["bizTransaction"])
            for entry in exported["bizTransactionList"]
        ]
        self.assertTrue(exported["sourceList"], "our warehouse's side")
        names = {name for name, _value in asked}
        self.assertTrue({"EQ_destination_owning_party", "EQ_bizTransaction_desadv"} <= names, asked)
        distributor = "https://id.gs1.org/417/6901234000009"
        self.assertIn(("EQ_destination_owning_party", distributor), asked)
        # the same party as an EPC URN
        asked.append(("EQ_destination_possessing_party", "urn:epc:id:pgln:6901234.00000"))
        for name, value in asked:
            with self.subTest(name=name):
                found = self._event_ids(self._get("/events", params={name: value}))
                self.assertIn(uid, found)
                if not name.startswith("EQ_source_"):  # both left the same warehouse
                    self.assertNotIn(self.hospital_event.event_uid, found)
        hospital = "https://id.gs1.org/417/6901234000023"
        for params in (
            {"EQ_destination_owning_party": hospital},
            {"EQ_destination_location": distributor},
            {"EQ_bizTransaction_recadv": dict(asked)["EQ_bizTransaction_desadv"]},
        ):
            with self.subTest(params=params):
                self.assertNotIn(uid, self._event_ids(self._get("/events", params=params)))
        self.assertIn(
            self.hospital_event.event_uid,
            self._event_ids(self._get("/events", params={"EQ_destination_owning_party": hospital})),
        )

    def test_local_urns_naming_no_record_match_nothing(self):
        """A local URN whose id is no integer PostgreSQL can hold, or no ASCII number, names
        nothing: the query answers with no events, never a server error."""
        scope = quote(self.env["trace.event"]._epcis_scope(), safe="")
        for tail in ("99999999999999999999", "%C2%B2", "0"):
            for params in (
                {"EQ_readPoint": f"urn:udi-trace:{scope}:location:{tail}"},
                {"EQ_destination_location": f"urn:udi-trace:{scope}:location:{tail}"},
                {"EQ_source_possessing_party": f"urn:udi-trace:{scope}:party:{tail}"},
                {"MATCH_epc": f"urn:udi-trace:{scope}:product:{tail}:sn:PM0100"},
            ):
                with self.subTest(params=params):
                    self.assertEqual(self._event_ids(self._get("/events", params=params)), [])

    def test_a_portal_user_makes_its_own_api_key_in_the_portal(self):
        """The distributor's integration gets its key as Odoo 19 offers it to portal users:
        "Customers can generate API Keys" on, then /my/security (debug) > New API Key, which
        asks the password again (identity check)."""
        self.env["ir.config_parameter"].set_param("portal.allow_api_keys", True)
        self.authenticate("epcis_distributor", "epcis_distributor")

        def call(model, method, args, **kwargs):
            return self.make_jsonrpc_request(
                f"/web/dataset/call_kw/{model}/{method}",
                {"model": model, "method": method, "args": args, "kwargs": kwargs},
            )

        call("res.users.apikeys.description", "check_access_make_key", [[]])
        wizard = call("res.users.apikeys.description", "create", [{"name": "WMS EPCIS feed"}])
        check = call("res.users.apikeys.description", "make_key", [[wizard]])
        self.assertEqual(check["res_model"], "res.users.identitycheck")
        shown = call(
            "res.users.identitycheck",
            "run_check",
            [[check["res_id"]]],
            context={"password": "epcis_distributor"},
        )
        key = shown["context"]["default_key"]
        self.authenticate(None, None)
        ids = self._event_ids(self._get("/events", login=key))
        self.assertIn(self.distributor_event.event_uid, ids)
        self.assertNotIn(self.hospital_event.event_uid, ids)

    def test_a_second_company_sees_nothing_of_the_first(self):
        other = self.env["res.company"].create({"name": "Second Devices Ltd."})
        user_b = new_test_user(
            self.env,
            "epcis_company_b",
            groups="base.group_user,udi_master.group_trace_user",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        self.keys["epcis_company_b"] = api_key(self.env, user_b)
        self.assertEqual(self._event_ids(self._get("/events", login="epcis_company_b")), [])
        location = self._capture("epcis_company_b", shipping_event("urn:uuid:rest-b1"))
        self._run_jobs()
        job = self._get(location.removeprefix(BASE), login="epcis_company_b").json()
        self.assertTrue(job["success"], job)
        self.assertEqual(self._stored("urn:uuid:rest-b1").company_id, other)
        self.assertEqual(
            self._event_ids(self._get("/events", login="epcis_company_b")), ["urn:uuid:rest-b1"]
        )
        self.assertNotIn("urn:uuid:rest-b1", self._event_ids(self._get("/events")))
        self._problem(self._get(location.removeprefix(BASE)), 404, "NoSuchResourceException")

    # ------------------------------------------------------------------ named queries

    def test_named_query_lifecycle(self):
        body = {
            "name": "Shipments",
            "query": {"EQ_bizStep": ["shipping"], "eventType": ["ObjectEvent"]},
        }
        response = self._send("POST", "/queries", body)
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(response.headers["Location"], "/epcis/queries/Shipments")
        self._problem(self._send("POST", "/queries", body), 409, "ResourceAlreadyExistsException")
        self.assertEqual([q["name"] for q in self._get("/queries").json()], ["Shipments"])
        self.assertEqual(self._get("/queries/Shipments").json()["query"]["EQ_bizStep"], "shipping")
        response = self._get("/queries/Shipments/events")
        ids = self._event_ids(response)
        self.assertIn(self.distributor_event.event_uid, ids)
        self.assertEqual(response.json()["epcisBody"]["queryResults"]["queryName"], "Shipments")
        self._problem(
            self._get("/queries/Shipments/events", params={"eventType": "x"}),
            400,
            "QueryParameterException",
        )
        # another user does not see it; a partner's query of the same name is its own
        self._problem(
            self._get("/queries/Shipments", login="epcis_manager"), 404, "NoSuchNameException"
        )
        response = self._send("POST", "/queries", body, login="epcis_hospital")
        self.assertEqual(response.status_code, 201, response.text)
        ids = self._event_ids(self._get("/queries/Shipments/events", login="epcis_hospital"))
        self.assertNotIn(self.distributor_event.event_uid, ids)
        self.assertEqual(self._send("DELETE", "/queries/Shipments", None).status_code, 204)
        self._problem(self._get("/queries/Shipments"), 404, "NoSuchNameException")

    @mute_logger("odoo.http")
    def test_named_query_refusals(self):
        self._problem(
            self._send("POST", "/queries", {"name": "Bad", "query": {"EQ_quantity": "1"}}),
            400,
            "QueryParameterException",
        )
        self._problem(
            self._send("POST", "/queries", {"name": "a/b", "query": {}}),
            400,
            "ValidationException",
        )
        self._problem(
            self._send("POST", "/queries", "x", **{"Content-Type": "text/plain"}),
            415,
            "UnsupportedMediaTypeException",
        )
        self._problem(
            self._send("POST", "/queries", {"name": "Q", "query": {}}, login="epcis_clerk"),
            403,
            "SecurityException",
        )
        self.assertFalse(self.env["trace.epcis.query"].search([]))

    # ------------------------------------------------------------------ subscriptions

    def _subscribe(self, body, login="epcis_analyst", name="Shipped"):
        if not self.env["trace.epcis.query"].search([("name", "=", name)]):
            query = {"name": name, "query": {"EQ_bizStep": ["shipping"]}}
            self.assertEqual(self._send("POST", "/queries", query, login).status_code, 201)
        return self._send("POST", f"/queries/{name}/subscriptions", body, login)

    def test_subscription_lifecycle(self):
        response = self._subscribe(
            {"dest": "https://wms.example/epcis", "signatureToken": "s3cr3t-token", "stream": True}
        )
        self.assertEqual(response.status_code, 201, response.text)
        sub = response.json()
        self.assertTrue(sub["stream"])
        self.assertTrue(response.headers["Location"].endswith(sub["subscriptionID"]))
        self.assertNotIn("signatureToken", sub)
        subscription = self.env["trace.epcis.subscription"].search([])
        self.assertEqual(
            (subscription.webhook_signing, subscription.sudo().webhook_secret),
            ("hmac", "s3cr3t-token"),
        )
        listed = self._get("/queries/Shipped/subscriptions").json()
        self.assertEqual([s["subscriptionID"] for s in listed], [sub["subscriptionID"]])
        path = f"/queries/Shipped/subscriptions/{sub['subscriptionID']}"
        self.assertEqual(self._get(path).json()["dest"], "https://wms.example/epcis")
        self.assertEqual(self._send("DELETE", path, None).status_code, 204)
        self._problem(self._get(path), 404, "NoSuchResourceException")
        response = self._subscribe(
            {
                "dest": "https://wms.example/epcis",
                "schedule": {"hour": "1", "minute": "5"},
                "reportIfEmpty": True,
            }
        )
        self.assertEqual(response.json()["schedule"], {"hour": "1", "minute": "5"})

    @mute_logger("odoo.http")
    def test_subscription_refusals(self):
        for body in (
            {"dest": "https://wms.example/epcis"},
            {"dest": "https://wms.example/epcis", "stream": True, "schedule": {"hour": "1"}},
            {"dest": "ftp://wms.example", "stream": True},
            {"dest": "https://wms.example/epcis", "schedule": {"hour": "25"}},
            {"dest": "https://wms.example/epcis", "schedule": {"fortnight": "1"}},
            {"dest": "https://wms.example/epcis", "stream": True, "initialRecordTime": "soon"},
            {"dest": "https://10.0.0.7/epcis", "stream": True},
        ):
            self._problem(self._subscribe(body), 400, "SubscriptionControlsException")
        self._problem(
            self._send("POST", "/queries/Nope/subscriptions", {"stream": True}),
            404,
            "NoSuchNameException",
        )
        self.assertFalse(self.env["trace.epcis.subscription"].search([]))

    def test_stream_subscription_sends_each_new_matching_event_once(self):
        response = self._subscribe(
            {
                "dest": "https://wms.example/epcis",
                "stream": True,
                "initialRecordTime": "2000-01-01T00:00:00Z",
            },
            login="epcis_hospital",
        )
        self.assertEqual(response.status_code, 201, response.text)
        sent = []
        deliver = lambda sub, payload: sent.append((sub.name, payload))  # noqa: E731
        Subscription = type(self.env["trace.epcis.subscription"])
        with patch.object(Subscription, "_epcis_deliver", deliver, create=True):
            self._capture("epcis_analyst", shipping_event("urn:uuid:rest-s1"))
            self._run_jobs()  # the capture, then the stream run it queued
            self._run_jobs()
            self.env["trace.epcis.subscription"].search([])._epcis_run_streams()
        self.assertEqual(len(sent), 1, "one delivery, with every new event the hospital sees")
        name, payload = sent[0]
        self.assertEqual(name, response.json()["subscriptionID"])
        results = payload["epcisBody"]["queryResults"]
        self.assertEqual(results["subscriptionID"], name)
        ids = [e["eventID"] for e in results["resultsBody"]["eventList"]]
        self.assertIn("urn:uuid:rest-s1", ids)
        self.assertNotIn(self.distributor_event.event_uid, ids, "not the distributor's")
        # the real delivery path: one signed delivery queued for the subscription
        subscription = self.env["trace.epcis.subscription"].search([("name", "=", name)])
        self._capture("epcis_analyst", shipping_event("urn:uuid:rest-s2", serials=("PM0002",)))
        self._run_jobs()
        subscription._epcis_run_streams()
        delivery = self.env["trace.webhook.delivery"].search(
            [("target_model", "=", subscription._name), ("target_id", "=", subscription.id)]
        )
        self.assertEqual(len(delivery), 1)
        self.assertFalse(subscription.last_notified_at, "queued, not yet accepted")
        self.assertEqual(subscription.webhook_signing, "ed25519")

    def test_scheduled_subscription_runs_when_due(self):
        self._subscribe(
            {
                "dest": "https://wms.example/epcis",
                "schedule": {"minute": "[0-59]"},
                "reportIfEmpty": True,
            }
        )
        subscription = self.env["trace.epcis.subscription"].search([])
        subscription.last_run_at = False
        sent = []
        Subscription = type(subscription)
        with patch.object(
            Subscription, "_epcis_deliver", lambda sub, payload: sent.append(payload), create=True
        ):
            subscription._cron_epcis_subscriptions()
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0]["epcisBody"]["queryResults"]["resultsBody"]["eventList"], [])


@tagged("post_install", "-at_install")
class TestEpcisRestDiscovery(EpcisRestCommon):
    """The top-level and single-element resources of GS1's openapi that list no events: /epcs,
    /epcs/{epc}, /eventTypes/{eventType}, ..., and DELETE /nextPageToken/{token}."""

    SERIAL = PACEMAKER_DL.format(serial="PM0100")
    LOT = "https://id.gs1.org/01/06901234567892/10/REST-L1"

    def _members(self, response):
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.headers["GS1-EPCIS-Version"], "2.0.0")
        body = response.json()
        self.assertEqual(body["type"], "Collection")
        return body["member"]

    def test_epcs_lists_the_epcs_and_lots_of_the_events_seen(self):
        every = self._members(self._get("/epcs", params={"perPage": "1000"}))
        self.assertIn(self.SERIAL, every)
        self.assertIn(self.LOT, every)
        self.assertEqual(every, sorted(every))
        # captured events' EPCs are listed as they were sent (canonical Digital Links)
        self._capture("epcis_analyst", shipping_event("urn:uuid:rest-epcs", serials=("PM0777",)))
        self._run_jobs()
        every = self._members(self._get("/epcs", params={"perPage": "1000"}))
        self.assertIn(PACEMAKER_DL.format(serial="PM0777"), every)
        self._problem(self._get("/epcs", login="epcis_clerk"), 403, "SecurityException")
        self._problem(self._get("/epcs", login=None), 401, "SecurityException")
        self._problem(
            self._get("/epcs", params={"MATCH_epc": self.SERIAL}), 400, "QueryParameterException"
        )

    def test_epcs_pages_with_the_next_page_token(self):
        every = self._members(self._get("/epcs", params={"perPage": "1000"}))
        self.assertGreaterEqual(len(every), 2)
        seen, params = [], {"perPage": "1"}
        for _page in range(len(every) + 1):
            response = self._get("/epcs", params=params)
            page = self._members(response)
            self.assertLessEqual(len(page), 1)
            seen += page
            token = response.headers.get("GS1-Next-Page-Token")
            if not token:
                self.assertNotIn("Link", response.headers)
                break
            self.assertIn('rel="next"', response.headers["Link"])
            params = {"perPage": "1", "nextPageToken": token}
        self.assertEqual(seen, every)
        self._problem(
            self._get("/epcs", params={"nextPageToken": "garbage"}), 400, "QueryParameterException"
        )

    def test_a_partner_key_sees_only_the_epcs_of_units_shipped_to_it(self):
        distributor = self._members(self._get("/epcs", login="epcis_distributor"))
        hospital = self._members(self._get("/epcs", login="epcis_hospital"))
        self.assertIn(self.LOT, distributor)
        self.assertNotIn(self.SERIAL, distributor)
        self.assertIn(self.SERIAL, hospital)
        self.assertNotIn(self.LOT, hospital)
        serial, lot = quote(self.SERIAL, safe=""), quote(self.LOT, safe="")
        self.assertEqual(self._members(self._get(f"/epcs/{serial}", "epcis_hospital")), ["events"])
        self._problem(
            self._get(f"/epcs/{serial}", login="epcis_distributor"), 404, "NoSuchResourceException"
        )
        self.assertEqual(self._members(self._get(f"/epcs/{lot}", "epcis_distributor")), ["events"])
        self._problem(
            self._get(f"/epcs/{lot}", login="epcis_hospital"), 404, "NoSuchResourceException"
        )

    def test_an_epc_lists_its_sub_resources(self):
        serial = quote(self.SERIAL, safe="")
        self.assertEqual(self._members(self._get(f"/epcs/{serial}")), ["events"])
        urn = quote("urn:epc:id:sgtin:6901234.050001.PM0100", safe="")
        self.assertEqual(self._members(self._get(f"/epcs/{urn}")), ["events"])
        unknown = quote(PACEMAKER_DL.format(serial="NEVER-SEEN"), safe="")
        self._problem(self._get(f"/epcs/{unknown}"), 404, "NoSuchResourceException")
        self._problem(self._get("/epcs/not%20an%20epc"), 400, "QueryParameterException")
        self._problem(self._get(f"/epcs/{serial}", login="epcis_clerk"), 403, "SecurityException")
        self.assertIn(
            self.hospital_event.event_uid, self._event_ids(self._get(f"/epcs/{serial}/events"))
        )

    def test_vocabulary_elements_list_their_sub_resources(self):
        for path in ("/eventTypes/ObjectEvent", "/bizSteps/shipping", "/dispositions/in_transit"):
            self.assertEqual(self._members(self._get(path)), ["events"], path)
            self.assertEqual(
                self._members(self._get(path, login="epcis_distributor")), ["events"], path
            )
            self._problem(self._get(path, login=None), 401, "SecurityException")
        for path in ("/eventTypes/Nonsense", "/bizSteps/juggling", "/dispositions/nope"):
            self._problem(self._get(path), 404, "NoSuchResourceException")

    def test_places_list_their_sub_resources_for_whoever_sees_them(self):
        gln_uri = "https://id.gs1.org/414/6901234000009"
        place = quote(gln_uri, safe="")
        internal = shipping_event("urn:uuid:rest-place", bizLocation={"id": gln_uri})
        del internal["sourceList"], internal["destinationList"]  # no partner on its lines
        self._capture("epcis_analyst", internal)
        self._run_jobs()
        for path in (f"/readPoints/{place}", f"/bizLocations/{place}"):
            self.assertEqual(self._members(self._get(path)), ["events"], path)
            for login in ("epcis_hospital", "epcis_distributor"):
                self._problem(self._get(path, login=login), 404, "NoSuchResourceException")
            self._problem(self._get(path, login="epcis_clerk"), 403, "SecurityException")
        unused = quote("https://id.gs1.org/414/6901234000030", safe="")
        self._problem(self._get(f"/readPoints/{unused}"), 404, "NoSuchResourceException")
        self._problem(self._get(f"/bizLocations/{unused}"), 404, "NoSuchResourceException")
        # a shipment to the hospital at the same read point: the hospital now sees the place
        self._capture("epcis_analyst", shipping_event("urn:uuid:rest-place-2"))
        self._run_jobs()
        self.assertEqual(
            self._members(self._get(f"/readPoints/{place}", "epcis_hospital")), ["events"]
        )
        self._problem(
            self._get(f"/bizLocations/{place}", login="epcis_hospital"),
            404,
            "NoSuchResourceException",
        )

    @mute_logger("odoo.http")
    def test_deleting_a_page_token_is_not_implemented(self):
        response = self._get("/events", params={"perPage": "1"})
        token = response.headers["GS1-Next-Page-Token"]
        body = self._problem(
            self._send("DELETE", f"/nextPageToken/{token}", None), 501, "ImplementationException"
        )
        self.assertEqual(body["title"], "Functionality not supported by server")
        self._problem(
            self._send("DELETE", f"/nextPageToken/{token}", None, login=None),
            401,
            "SecurityException",
        )
        # the token is still the position of the next page (nothing was released)
        again = self._get("/events", params={"perPage": "1", "nextPageToken": token})
        self.assertEqual(again.status_code, 200, again.text)

    def test_last_notified_at_is_the_receivers_2xx_not_the_queueing(self):
        self.env["ir.config_parameter"].sudo().set_param("trace_events.webhook_allow_loopback", "1")
        with Receiver(answers=[500, 200], secret="s3cr3t-token") as receiver:
            response = self._send(
                "POST",
                "/queries",
                {"name": "Shipped", "query": {"EQ_bizStep": ["shipping"]}},
            )
            self.assertEqual(response.status_code, 201, response.text)
            body = {
                "dest": receiver.url,
                "signatureToken": "s3cr3t-token",
                "schedule": {"minute": "[0-59]"},
                "initialRecordTime": "2000-01-01T00:00:00Z",
            }
            response = self._send("POST", "/queries/Shipped/subscriptions", body)
            self.assertEqual(response.status_code, 201, response.text)
            path = f"/queries/Shipped/subscriptions/{response.json()['subscriptionID']}"
            subscription = self.env["trace.epcis.subscription"].search([])
            with trap_jobs() as trap:
                subscription._epcis_run(subscription.create_date)
                self.assertNotIn("lastNotifiedAt", self._get(path).json(), "only queued")
                perform_jobs(trap, self.env)  # the receiver answers 500
                self.assertNotIn("lastNotifiedAt", self._get(path).json(), "refused")
                perform_jobs(trap, self.env)  # the retry: 200
        delivery = self.env["trace.webhook.delivery"].search(
            [("target_model", "=", subscription._name), ("target_id", "=", subscription.id)]
        )
        self.assertEqual(delivery.state, "delivered")
        self.assertEqual(len(receiver.calls), 2)
        self.assertTrue(all(call["verified"] for call in receiver.calls))
        self.assertEqual(
            self._get(path).json()["lastNotifiedAt"],
            epcis.format_time(delivery.delivered_at),
        )
        self.assertEqual(subscription.last_notified_at, delivery.delivered_at)


@tagged("post_install", "-at_install")
class TestEpcisRestConformance(EpcisRestCommon):
    def _exported(self, event_ids):
        """The events ``event_ids`` as GET /events answers them, in one document."""
        events, context = [], None
        for start in range(0, len(event_ids), 10):
            chunk = event_ids[start : start + 10]
            response = self._get(
                "/events", params={"EQ_eventID": "|".join(chunk), "perPage": "100"}
            )
            self.assertEqual(response.status_code, 200, response.text)
            body = response.json()
            context = body["@context"]
            events += body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        return {"@context": context, "type": "EPCISDocument", "epcisBody": {"eventList": events}}

    def _round_trip(self, name):
        """'' when the document captured through POST /capture comes back from GET /events
        equal in canonical form, else what differs."""
        document = load_gs1_example(name)
        create_document_master_data(self.env, document)
        response = self._send(
            "POST", "/capture", document, **{"Content-Type": "application/ld+json"}
        )
        if response.status_code != 202:
            return f"POST /capture answered {response.status_code}: {response.text}"
        self._run_jobs()
        job = self._get(response.headers["Location"].removeprefix(BASE)).json()
        if not job["success"]:
            return f"capture job failed: {json.dumps(job['errors'])}"
        event_ids = [event["eventID"] for event in epcis_canonical.canonical_document(document)]
        return epcis_canonical.diff_documents(document, self._exported(event_ids))

    def test_gs1_examples_come_back_from_events_in_canonical_form(self):
        names = sorted(name for name in gs1_example_paths() if name != QUERY_DOCUMENT)
        self.assertEqual(len(names), 46)
        problems = []
        for name in names:
            savepoint = self.env.cr.savepoint()
            try:
                diff = self._round_trip(name)
            finally:
                savepoint.close(rollback=True)
                self.env.invalidate_all()
            if diff:
                problems.append(f"=== {name}\n{diff}")
        summary = f"{len(names) - len(problems)} of {len(names)} GS1 examples equal over HTTP"
        _logger.info("EPCIS REST conformance: %s", summary)  # the figure the README quotes
        self.assertFalse(problems, summary + "\n" + "\n".join(problems))
