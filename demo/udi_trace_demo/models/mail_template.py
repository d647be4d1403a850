from odoo import models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    def _generate_template_attachments(self, res_ids, render_fields, render_results=None):
        """While the demo installs, leave out the reports (the notice PDF): no HTTP server
        serves their style sheets yet. ``udi.demo``'s ``finish_demo`` attaches them once the
        server runs."""
        if self.env.context.get("udi_demo_defer_reports"):
            render_fields = set(render_fields) - {"report_template_ids"}
        return super()._generate_template_attachments(
            res_ids, render_fields, render_results=render_results
        )
