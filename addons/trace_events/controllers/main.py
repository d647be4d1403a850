import json

from odoo import fields, http
from odoo.exceptions import UserError
from odoo.http import content_disposition, request


class TraceEventsController(http.Controller):
    @http.route("/trace_events/epcis", type="http", auth="user", methods=["GET"], readonly=True)
    def epcis_export(self, ids="", **kwargs):
        """The events ``ids`` (comma-separated) as an EPCIS 2.0 JSON-LD file download."""
        try:
            event_ids = [int(part) for part in ids.split(",") if part.strip()]
        except ValueError:
            raise UserError(
                request.env._("Give the events to export as ids, e.g. ?ids=1,2,3.")
            ) from None
        document = request.env["trace.event"].export_epcis(event_ids)
        body = json.dumps(document, ensure_ascii=False, indent=2)
        filename = f"epcis-{fields.Date.context_today(request.env.user)}.jsonld"
        return request.make_response(
            body,
            headers=[
                ("Content-Type", "application/ld+json; charset=utf-8"),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
