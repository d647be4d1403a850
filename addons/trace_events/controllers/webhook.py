import json

from odoo import http
from odoo.http import request


class TraceWebhookKeysController(http.Controller):
    @http.route(
        "/trace/webhook/keys",
        type="http",
        auth="none",
        methods=["GET"],
        readonly=False,
        save_session=False,
    )
    def webhook_keys(self):
        """The public keys that sign webhook deliveries, as a JSON Web Key Set (RFC 8037): the
        current key and the previous ones still in their overlap period (``status``,
        ``not_before``, ``not_after``).

        A receiver picks the key named by the delivery's X-Trace-Key-Id header. Public on purpose:
        it holds no secret. Needs a single database (db-filter) or a ?db= to pick one. Not a
        read-only route: the first request after the key file changed registers the new key.
        """
        keys = request.env["trace.webhook.delivery"].sudo()._public_keys()
        return request.make_response(
            json.dumps(keys),
            headers=[
                ("Content-Type", "application/jwk-set+json"),
                ("Cache-Control", "max-age=300"),
            ],
        )
