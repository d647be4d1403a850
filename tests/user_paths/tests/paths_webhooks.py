"""The buttons of the signed webhooks (trace_events, partner_portal), as each role that sees
them clicks them (entries of ``BUTTONS`` and their preparations)."""

ACTION, DONE = "action", "done"

#: (model, method) -> (preparation, expected outcome, required group), as ``BUTTONS``
WEBHOOK_BUTTONS = {
    # a dead letter sent again from its form (traceability managers)
    ("trace.webhook.delivery", "action_retry"): ("_prep_dead_delivery", DONE, None),
    # a dead letter given up on from its form (traceability managers)
    ("trace.webhook.delivery", "action_discard"): ("_prep_dead_delivery_to_discard", DONE, None),
    # Signing Keys' list header, no selection (traceability managers; demo mode: a new key)
    ("trace.webhook.key", "action_rotate"): ("_prep_webhook_keys", DONE, None),
    # the endpoint's delivery log (smart button)
    ("trace.webhook.endpoint", "action_view_webhook_deliveries"): (
        "_prep_webhook_endpoint",
        ACTION,
        None,
    ),
}


class WebhookPaths:
    """Mixin of the user path test case: the records the webhook buttons act on."""

    def _webhook_endpoint(self):
        return self.env["trace.webhook.endpoint"].create(
            {
                "name": "Distributor WMS",
                "partner_id": self.distributor.id,
                "webhook_url": "https://93.184.216.34/udi-webhook",
            }
        )

    def _prep_webhook_endpoint(self, user):
        endpoint = self._webhook_endpoint()
        self.env["trace.webhook.delivery"]._enqueue(endpoint, "test.ping", {"ping": 1})

        def check(result):
            deliveries = self.env[result["res_model"]].search(result["domain"])
            self.assertEqual(len(deliveries), 1)

        return endpoint, {}, check

    def _prep_dead_delivery(self, user):
        delivery = self.env["trace.webhook.delivery"]._enqueue(
            self._webhook_endpoint(), "test.ping", {"ping": 1}
        )
        delivery.write({"state": "dead", "attempt_count": 6})

        def check(_result):
            self.assertEqual(delivery.state, "retrying")
            self.assertEqual(delivery.round_start, 6)

        return delivery, {}, check

    def _prep_dead_delivery_to_discard(self, user):
        delivery = self.env["trace.webhook.delivery"]._enqueue(
            self._webhook_endpoint(), "test.ping", {"ping": 1}
        )
        delivery.write({"state": "dead", "attempt_count": 6})

        def check(_result):
            self.assertEqual(delivery.state, "discarded")
            self.assertEqual(delivery.discarded_by_id, user)

        return delivery, {}, check

    def _prep_webhook_keys(self, user):
        keys = self.env["trace.webhook.key"]
        before = keys._key_signer().key_id

        def check(_result):
            current = keys.search([("valid_to", "=", False)])
            self.assertNotEqual(current.key_id, before)
            self.assertTrue(keys.search([("key_id", "=", before)]).valid_to)

        return keys, {}, check
