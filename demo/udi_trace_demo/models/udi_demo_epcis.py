"""The demo's EPCIS repository and webhooks, built through the paths integrators take.

* Huadong's WMS sends its onward shipments as one document to ``POST /epcis/capture``: the
  capture job the controller makes (``trace.epcis.capture.job._epcis_start``), run at once
  here as queue_job's runner runs it; one of its events names the GLN of a hospital not
  recorded yet, and waits in the EPCIS inbox;
* Pacific MedSupply's WMS, with its portal user's key, names a query of the units shipped to
  it (``POST /epcis/queries``) and subscribes to it (``POST .../subscriptions``) with its
  https address; the scheduled run queues the first delivery (not sent while the demo
  installs: queue_job's runner sends it, the host does not resolve, it is retried);
* a traceability manager records Huadong's endpoint for recall notices (Ed25519): the live
  recall's notice to Huadong is queued to it;
* Pacific's IT person adds Pacific's own endpoint for recall notices in the portal
  (``/my/webhooks``, Ed25519): the live recall's notice to Pacific is queued to it.
"""

from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.queue_job.job import Job
from odoo.addons.trace_events.lib import epcis

#: Huadong's integration user: capture needs a Traceability User (portal users cannot)
WMS_USER_LOGIN = "huadong_wms"
#: a hospital Huadong ships to that is not recorded yet (its GLN is unknown here)
NEW_HOSPITAL_GLN = "6901234000061"
#: the catheter kits of lot CVC2506A Huadong kept (20 of 120; the recall was closed, the
#: quarantine released) and ships on to the new hospital
NEW_HOSPITAL_SHIPMENT = ("udi_master.lot_catheter_a", 10, "HD-DN-20251121")
#: Pacific's named query and where its WMS receives the subscription's deliveries
PACIFIC_QUERY = "pacific-shipped-units"
PACIFIC_DEST = "https://wms.pacific-med.example/epcis/events"
#: Huadong's endpoint for recall notices
HUADONG_ENDPOINT_URL = "https://erp.huadong-med.example/hooks/recall-notices"
#: Pacific's own endpoint, added in the portal
PACIFIC_ENDPOINT_URL = "https://wms.pacific-med.example/hooks/recall-notices"


class UdiDemoEpcis(models.AbstractModel):
    _name = "udi.demo.epcis"
    _description = "Demo: EPCIS repository and webhooks"

    # ------------------------------------------------------------------ capture

    @api.model
    def _demo_wms_user(self):
        """Huadong's WMS integration user (an internal Traceability User, as the EPCIS
        interface asks of capturing clients)."""
        users = self.env["res.users"].sudo().with_context(active_test=False)
        user = users.search([("login", "=", WMS_USER_LOGIN)], limit=1)
        if not user:
            user = users.create(
                {
                    "name": "Huadong WMS (EPCIS integration, 华东仓储系统接口)",
                    "login": WMS_USER_LOGIN,
                    "email": "wms@huadong-med.example.com",
                    "group_ids": [
                        (4, self.env.ref("base.group_user").id),
                        (4, self.env.ref("udi_master.group_trace_user").id),
                    ],
                }
            )
        return user

    @api.model
    def _demo_document(self, events):
        """An EPCIS 2.0 document of ``events``, as a WMS sends it."""
        return {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": epcis.format_time(fields.Datetime.now().replace(microsecond=0)),
            "epcisBody": {"eventList": events},
        }

    @api.model
    def _demo_capture(self, sender, events):
        """``POST /epcis/capture`` of ``events`` by ``sender``: the capture job the
        controller makes, then run as queue_job's runner runs it. Returns the job."""
        job = (
            self.env["trace.epcis.capture.job"]
            .with_user(sender)
            .with_context(tracking_disable=True)
            ._epcis_start(self._demo_document(events))
        )
        job = job.sudo()
        if job.state == "running" and job.job_uuid:
            queued = Job.load(self.env, job.job_uuid)
            queued.set_started()
            queued.perform()
            queued.set_done()
            queued.store()
            job.invalidate_recordset()
        return job

    @api.model
    def _demo_new_hospital_event(self, distributor):
        """Huadong ships catheter kits to a hospital whose GLN is not recorded here yet: the
        capture keeps the event in the inbox until the hospital is created with its GLN."""
        xmlid, quantity, document = NEW_HOSPITAL_SHIPMENT
        lot = self.env.ref(xmlid)
        product = lot.product_id
        di = self.env["trace.event"]._trace_product_dis(product)[product.id]
        now = fields.Datetime.now().replace(microsecond=0)
        trace = self.env["udi.demo.trace"]
        return {
            "type": "ObjectEvent",
            "eventID": f"urn:uuid:{trace._demo_event_uuid(distributor, document)}",
            "eventTime": epcis.format_time(now, "+08:00"),
            "eventTimeZoneOffset": "+08:00",
            "epcList": [],
            "quantityList": [
                {
                    "epcClass": epcis.object_uri("gs1", di, lot=lot.name),
                    "quantity": quantity,
                }
            ],
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "readPoint": {"id": epcis.location_uri(distributor.udi_gln)},
            "bizTransactionList": [
                {
                    "type": "desadv",
                    "bizTransaction": epcis.biz_transaction_uri(document, distributor.udi_gln),
                }
            ],
            "sourceList": [
                {"type": "owning_party", "source": epcis.party_uri(distributor.udi_gln)}
            ],
            "destinationList": [
                {"type": "owning_party", "destination": epcis.party_uri(NEW_HOSPITAL_GLN)}
            ],
        }

    # ------------------------------------------------------------------ queries

    @api.model
    def _demo_pacific_subscription(self):
        """Pacific's WMS (its portal user's key) names the query of the units shipped to it
        and subscribes to it every hour, from the start of the demo's deliveries; the
        scheduled action's run queues the first delivery. Returns the subscription."""
        pacific = self.env.ref("partner_portal.user_pacific")
        Query = self.env["trace.epcis.query"].with_user(pacific)
        query = Query._epcis_create(PACIFIC_QUERY, {"EQ_bizStep": "shipping"})
        start = fields.Datetime.now() - timedelta(days=1)
        subscription = (
            self.env["trace.epcis.subscription"]
            .with_user(pacific)
            ._epcis_create(
                query,
                {
                    "dest": PACIFIC_DEST,
                    "schedule": {"minute": "0"},
                    "reportIfEmpty": False,
                    "initialRecordTime": epcis.format_time(start),
                },
            )
        )
        # what the scheduled action "EPCIS: run due query subscriptions" does when it is due
        subscription.sudo()._epcis_run(fields.Datetime.now())
        return subscription

    # ------------------------------------------------------------------ webhooks

    @api.model
    def _demo_recall_endpoint(self, manager):
        """The traceability manager records Huadong's endpoint for recall notices (signed
        with the suite's Ed25519 key). Returns it."""
        return (
            self.env["trace.webhook.endpoint"]
            .with_user(manager)
            .create(
                {
                    "name": "Huadong ERP: recall notices (华东ERP召回通知)",
                    "partner_id": self.env.ref("udi_master.partner_distributor_huadong").id,
                    "webhook_url": HUADONG_ENDPOINT_URL,
                    "webhook_signing": "ed25519",
                    "push_recall_notices": True,
                    "note": "Set up with Huadong's IT (Mr. Wang) on the phone; they verify "
                    "with the key published at /trace/webhook/keys.",
                }
            )
        )

    @api.model
    def _demo_pacific_endpoint(self):
        """Pacific's portal user adds its company's endpoint for recall notices in the portal
        (what the form of /my/webhooks calls). Returns it."""
        pacific = self.env.ref("partner_portal.user_pacific")
        endpoint, _secret = (
            self.env["trace.webhook.endpoint"]
            .with_user(pacific)
            ._portal_create(
                {
                    "name": "Pacific WMS: recall notices",
                    "url": PACIFIC_ENDPOINT_URL,
                    "kinds": ["recall_notices"],
                    "signing": "ed25519",
                    "note": "Added by Pacific's IT in the portal.",
                }
            )
        )
        return endpoint.with_env(self.env)
