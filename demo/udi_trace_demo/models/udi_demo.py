from odoo import api, models
from odoo.exceptions import AccessError

#: the demo's recalls, whose notice mails get their PDF when the demo is finished
DEMO_CAMPAIGNS = (
    "udi_trace_demo.demo_recall_labels",
    "udi_trace_demo.demo_drill_catheter",
    "udi_trace_demo.demo_recall_cells",
)


class UdiDemo(models.AbstractModel):
    _name = "udi.demo"
    _description = "Demo of the UDI traceability suite"

    @api.model
    def finish_demo(self):
        """Finish the demo once Odoo serves HTTP: attach to each mailed demo notice the PDF
        its mail template left out while the demo installed (wkhtmltopdf loads the report's
        style sheets from this server). ``bin/demo`` calls it (``lib/finish_demo.py``) after
        starting the server; running it again attaches nothing twice. Administrators only.

        Returns ``{"notice_pdfs": number of PDFs attached}``.
        """
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(
                self.env._(
                    "Only an administrator may finish the demo (%(user)s is not one): sign in "
                    "as admin.",
                    user=self.env.user.name,
                )
            )
        return {"notice_pdfs": len(self.sudo()._demo_attach_notice_pdfs())}

    @api.model
    def _demo_notices_without_pdf(self):
        """The demo's mailed notices whose mail carries no PDF yet."""
        campaigns = self.env["recall.campaign"]
        for xmlid in DEMO_CAMPAIGNS:
            campaigns |= self.env.ref(xmlid, raise_if_not_found=False) or campaigns
        return campaigns.notice_ids.filtered(
            lambda notice: (
                notice.notice_message_id
                and not notice.notice_message_id.attachment_ids.filtered(
                    lambda attachment: attachment.mimetype == "application/pdf"
                )
            )
        )

    @api.model
    def _demo_attach_notice_pdfs(self):
        """Render the notice template's reports of each notice, in the notice's language, and
        attach them to its mail as the template would have; returns the attachments."""
        template = self.env.ref("recall_mgmt.mail_template_recall_notice")
        # a demo finished from a test run gets real PDFs too
        template = template.with_context(force_report_rendering=True)
        attachments = self.env["ir.attachment"]
        for notice in self._demo_notices_without_pdf():
            # as the quality manager who sent it renders it
            sender = notice.campaign_id.user_id or self.env.user
            rendered = template.with_user(sender)._generate_template(
                notice.ids, ["report_template_ids"]
            )
            for name, content in rendered[notice.id].get("attachments", []):
                attachment = attachments.create(
                    {
                        "name": name,
                        "datas": content,
                        "res_model": notice._name,
                        "res_id": notice.id,
                    }
                )
                notice.notice_message_id.attachment_ids = [(4, attachment.id)]
                attachments |= attachment
        return attachments
