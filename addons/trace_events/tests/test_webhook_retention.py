"""Retention of the webhook delivery log: the daily cron purges delivered deliveries (and
discarded dead letters) past the company's period, with their attempts, and never a pending
delivery nor a dead letter nobody dealt with; managers discard dead letters."""

from datetime import timedelta

from odoo import fields
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.queue_job.tests.common import trap_jobs

URL = "https://93.184.216.34/udi-webhook"


@tagged("post_install", "-at_install")
class TestWebhookRetention(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Delivery = cls.env["trace.webhook.delivery"]
        cls.company = cls.env.company
        cls.company.trace_webhook_retention_days = 90
        cls.endpoint = cls.env["trace.webhook.endpoint"].create(
            {"name": "Distributor WMS", "webhook_url": URL}
        )
        cls.manager = new_test_user(
            cls.env,
            "retention_manager",
            password="retention-manager-pw",
            groups="base.group_user,udi_master.group_trace_manager",
        )
        new_test_user(
            cls.env,
            "retention_user",
            password="retention-user-pw",
            groups="base.group_user,udi_master.group_trace_user",
        )
        cls.cron = cls.env.ref("trace_events.ir_cron_trace_webhook_delivery_purge")

    def _delivery(self, state, days=0, endpoint=None, attempts=1):
        """A delivery in ``state``, delivered or discarded ``days`` ago, with its attempts."""
        with trap_jobs():
            delivery = self.Delivery._enqueue(endpoint or self.endpoint, "test.ping", {"n": 1})
        when = fields.Datetime.now() - timedelta(days=days)
        vals = {"state": state, "attempt_count": attempts}
        if state == "delivered":
            vals["delivered_at"] = when
        elif state == "discarded":
            vals["discarded_at"] = when
        delivery.write(vals)
        for number in range(1, attempts + 1):
            self.env["trace.webhook.attempt"].create(
                {"delivery_id": delivery.id, "number": number, "status_code": 500}
            )
        # the rows are as old as their delivery (a queued one too)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE trace_webhook_delivery SET create_date = %s WHERE id = %s", [when, delivery.id]
        )
        return delivery

    def _run_cron(self):
        self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def test_cron_purges_old_delivered_with_attempts_and_keeps_pending_and_dead(self):
        old = self._delivery("delivered", days=91, attempts=2)
        old_attempts = old.attempt_ids
        recent = self._delivery("delivered", days=89)
        queued = self._delivery("queued", days=400, attempts=0)
        retrying = self._delivery("retrying", days=400, attempts=3)
        dead = self._delivery("dead", days=400, attempts=6)
        discarded_old = self._delivery("discarded", days=91, attempts=6)
        discarded_recent = self._delivery("discarded", days=10, attempts=6)
        self._run_cron()
        self.assertFalse(old.exists(), "delivered 91 days ago: purged")
        self.assertFalse(old_attempts.exists(), "with its attempts")
        self.assertFalse(discarded_old.exists(), "discarded 91 days ago: purged")
        kept = {
            "delivered 89 days ago": recent,
            "queued": queued,
            "retrying": retrying,
            "dead letter": dead,
            "discarded 10 days ago": discarded_recent,
        }
        for label, delivery in kept.items():
            self.assertTrue(delivery.exists(), f"{label}: kept")
        self.assertEqual(len(dead.attempt_ids), 6)
        self.assertEqual(len(retrying.attempt_ids), 3)

    def test_each_company_has_its_period_and_zero_keeps_for_ever(self):
        other = self.env["res.company"].create(
            {"name": "Shenzhen Branch", "trace_webhook_retention_days": 7}
        )
        theirs = self.env["trace.webhook.endpoint"].create(
            {"name": "Branch WMS", "webhook_url": URL, "company_id": other.id}
        )
        week_old_there = self._delivery("delivered", days=8, endpoint=theirs)
        week_old_here = self._delivery("delivered", days=8)
        self._run_cron()
        self.assertFalse(week_old_there.exists())
        self.assertTrue(week_old_here.exists())
        self.company.trace_webhook_retention_days = 0
        ancient = self._delivery("delivered", days=3000)
        self._run_cron()
        self.assertTrue(ancient.exists(), "0 days: kept for ever")

    def test_cron_purges_in_batches(self):
        olds = [self._delivery("delivered", days=100) for _i in range(3)]
        self.assertEqual(self.Delivery._cron_purge_expired(batch_size=2), 3)
        self.assertFalse(any(d.exists() for d in olds))

    def test_retention_is_a_company_setting(self):
        form = Form(self.env["res.config.settings"])
        self.assertEqual(form.trace_webhook_retention_days, 90)
        form.trace_webhook_retention_days = 365
        form.save().execute()
        self.assertEqual(self.company.trace_webhook_retention_days, 365)

    def _discard(self, delivery):
        return self.make_jsonrpc_request(
            "/web/dataset/call_button/trace.webhook.delivery/action_discard",
            {
                "model": "trace.webhook.delivery",
                "method": "action_discard",
                "args": [delivery.ids],
                "kwargs": {"context": {}},
            },
        )

    def test_manager_discards_a_dead_letter_which_then_ages_out(self):
        dead = self._delivery("dead", days=400, attempts=6)
        pending = self._delivery("retrying", days=1)
        self.authenticate("retention_user", "retention-user-pw")
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._discard(dead)
        self.authenticate("retention_manager", "retention-manager-pw")
        with (
            self.assertLogs("odoo.http", "WARNING") as logs,
            self.assertRaisesRegex(JsonRpcException, "UserError"),
        ):
            self._discard(pending)
        self.assertIn("Only dead letters can be discarded", logs.output[0])
        self._discard(dead)
        self.env.invalidate_all()
        self.assertEqual(dead.state, "discarded")
        self.assertEqual(dead.discarded_by_id, self.manager)
        self.assertTrue(dead.discarded_at)
        self._run_cron()
        self.assertTrue(dead.exists(), "kept for the retention period after its discard")
        self.assertEqual(pending.state, "retrying")
        # a discarded dead letter is not sent by a job still queued for it
        self.assertIn("nothing to do", dead._deliver_attempt())
