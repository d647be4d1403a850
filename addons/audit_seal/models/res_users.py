from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_audit_seal_entries(self):
        """A user who sealed ledger entries is kept (the database refuses it as well)."""
        ids = [uid for uid in self.ids if uid]
        if not ids:
            return
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT user_id FROM audit_seal_entry WHERE user_id = ANY(%s)",
                ids,
            )
        )
        sealed = self.browse(row[0] for row in self.env.cr.fetchall())
        if sealed:
            raise UserError(
                self.env._(
                    "%(users)s sealed entries in the audit ledger and cannot be deleted. "
                    "Archive the user instead.",
                    users=", ".join(sealed.sudo().mapped("name")[:5]),
                )
            )
