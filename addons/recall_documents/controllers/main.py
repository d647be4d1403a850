from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import content_disposition, request

from odoo.addons.recall_mgmt.controllers.main import XLSX_MIMETYPE, regulator_workbook


class RecallDocumentController(http.Controller):
    @http.route(
        "/recall_documents/document/<int:document_id>.xlsx",
        type="http",
        auth="user",
        methods=["GET"],
        readonly=True,  # a pure read: served from a read replica when one is configured
    )
    def recall_document_xlsx(self, document_id, **kwargs):
        """The spreadsheet of a recall document (the frozen content once signed)."""
        env = request.env
        document = env["recall.document"].browse(document_id).exists()
        if not document:
            raise NotFound(env._("Document %(id)s does not exist.", id=document_id))
        try:
            document.check_access("read")
            data = document._recall_doc_data()
        except (AccessError, MissingError) as error:
            raise Forbidden(env._("You may not read document %(id)s.", id=document_id)) from error
        content = regulator_workbook(data)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Disposition", content_disposition(f"{data['filename']}.xlsx")),
                ("Content-Length", str(len(content))),
                ("Cache-Control", "no-store"),
            ],
        )
