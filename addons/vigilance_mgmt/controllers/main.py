from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import content_disposition, request

from ..models.vigilance_report_document_xlsx import XLSX_MIMETYPE, vigilance_workbook


class VigilanceDocumentController(http.Controller):
    @http.route(
        "/vigilance_mgmt/report/<int:report_id>/<string:kind>.<string:extension>",
        type="http",
        auth="user",
        methods=["GET"],
        readonly=True,  # a pure read: served from a read replica when one is configured
    )
    def vigilance_document(self, report_id, kind, extension, **kwargs):
        """The spreadsheet of form ``kind`` (mir, fda3500a, nmpa), or the MIR as XML."""
        env = request.env
        Report = env["vigilance.report"]
        if kind not in Report._vigilance_document_kinds() or extension not in ("xlsx", "xml"):
            raise NotFound(
                env._(
                    "Unknown vigilance form %(kind)s.%(extension)s: use one of %(kinds)s as "
                    "xlsx, or mir as xml.",
                    kind=kind,
                    extension=extension,
                    kinds=", ".join(Report._vigilance_document_kinds()),
                )
            )
        if extension == "xml" and kind != "mir":
            raise NotFound(env._("Only the EU MIR has an XML form."))
        report = Report.browse(report_id).exists()
        if not report:
            raise NotFound(env._("Vigilance report %(id)s does not exist.", id=report_id))
        try:
            report.check_access("read")
            data = report._vigilance_document_data(kind)
        except (AccessError, MissingError) as error:
            raise Forbidden(
                env._("You may not read vigilance report %(id)s.", id=report_id)
            ) from error
        except UserError as error:
            raise NotFound(str(error)) from error
        if extension == "xml":
            content, mimetype = report._vigilance_mir_xml(data), "application/xml"
        else:
            content, mimetype = vigilance_workbook(data), XLSX_MIMETYPE
        return request.make_response(
            content,
            headers=[
                ("Content-Type", mimetype),
                ("Content-Disposition", content_disposition(f"{data['filename']}.{extension}")),
                ("Content-Length", str(len(content))),
                ("Cache-Control", "no-store"),
            ],
        )
