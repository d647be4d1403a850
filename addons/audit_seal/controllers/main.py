import tempfile

from werkzeug.wsgi import wrap_file

from odoo import http
from odoo.http import request


class AuditSealController(http.Controller):
    @http.route("/audit_seal/export", type="http", auth="user", methods=["GET"], readonly=True)
    def export_chain(self, **kwargs):
        """Download the NDJSON export of the ledger (Audit Seal managers only).

        The export is spooled to a temporary file while the request's cursor is open, so memory
        does not grow with the ledger, then streamed from that file.
        """
        entries = request.env["audit.seal.entry"]
        entries._seal_check_manager()
        spool = tempfile.TemporaryFile()
        for line in entries._seal_export_lines():
            spool.write(line)
        size = spool.tell()
        spool.seek(0)
        filename = "audit_seal_%s.ndjson" % request.env.cr.dbname
        return request.make_response(
            wrap_file(request.httprequest.environ, spool),
            headers=[
                ("Content-Type", "application/x-ndjson"),
                ("Content-Length", str(size)),
                ("Content-Disposition", 'attachment; filename="%s"' % filename),
            ],
        )
