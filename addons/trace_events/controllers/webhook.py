import json

from odoo import http
from odoo.http import request


class TraceWebhookKeysController(http.Controller):
    @http.route(
        "/trace/webhook/keys",
        type="http",
        auth="none",
        methods=["GET"],
        readonly=True,
        save_session=False,
    )
    def webhook_keys(self):
        """The public key(s) that sign webhook deliveries, as a JSON Web Key Set (RFC 8037).

        A receiver picks the key named by the delivery's X-Trace-Key-Id header. Public on purpose:
        it holds no secret. Needs a single database (db-filter) or a ?db= to pick one.
        """
        keys = request.env["trace.webhook.delivery"].sudo()._public_keys()
        return request.make_response(
            json.dumps(keys),
            headers=[
                ("Content-Type", "application/jwk-set+json"),
                ("Cache-Control", "max-age=300"),
            ],
        )
