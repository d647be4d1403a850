import datetime
import logging

from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools.misc import format_datetime

from .recall_signature import MEANINGS

_logger = logging.getLogger(__name__)

#: Odoo's login cooldown settings, applied to signing passwords too (see res.users)
COOLDOWN_AFTER_PARAM = "base.login_cooldown_after"
COOLDOWN_DURATION_PARAM = "base.login_cooldown_duration"


class RecallSignatureFailure(models.Model):
    """A wrong password typed to sign (21 CFR 11.300(d)): sealed, counted like login failures.

    After ``base.login_cooldown_after`` wrong signing passwords in a row (since the user's last
    signature), the user cannot sign for ``base.login_cooldown_duration`` seconds after the last
    one, even with the right password; each run of failures is reported to the users of
    Administration / Access Rights (``base.group_erp_manager``).
    """

    _name = "recall.signature.failure"
    _description = "Failed Signing Attempt"
    _inherit = ["audit.seal.mixin"]
    _order = "failed_at desc, id desc"
    _seal_fields = (
        "user_id",
        "meaning",
        "failed_at",
        "res_model",
        "res_id",
        "document_name",
        "remote_addr",
    )

    user_id = fields.Many2one(
        "res.users", required=True, readonly=True, index=True, ondelete="restrict"
    )
    meaning = fields.Selection(MEANINGS, string="Signature Type", readonly=True)
    failed_at = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now
    )
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(string="Document", model_field="res_model", readonly=True)
    document_name = fields.Char(readonly=True)
    remote_addr = fields.Char(string="IP Address", readonly=True)

    # ------------------------------------------------------------------ counting

    @api.model
    def _recall_failures_since_success(self, user):
        """``(count, last failure time)`` of ``user``'s wrong passwords since its last
        signature."""
        last_signature = (
            self.env["recall.signature"]
            .sudo()
            .search([("user_id", "=", user.id)], order="signed_at desc", limit=1)
        )
        domain = [("user_id", "=", user.id)]
        if last_signature:
            # same second as the signature: counted (times are kept to the second)
            domain.append(("failed_at", ">=", last_signature.signed_at))
        failures = self.sudo().search(domain, order="failed_at desc, id desc")
        return len(failures), failures[:1].failed_at

    @api.model
    def _recall_check_cooldown(self, user):
        """Refuse signing while ``user`` is on cooldown after wrong passwords, as Odoo refuses
        logins (``res.users._on_login_cooldown``)."""
        count, previous = self._recall_failures_since_success(user)
        if not count or not self.env["res.users"]._on_login_cooldown(count, previous):
            return
        duration = int(
            self.env["ir.config_parameter"].sudo().get_param(COOLDOWN_DURATION_PARAM, 60)
        )
        retry_at = previous + datetime.timedelta(seconds=duration)
        raise UserError(
            self.env._(
                "%(count)s wrong passwords in a row for %(user)s: signing is locked until "
                "%(time)s (%(tz)s). Try again after that time; if you did not type these "
                "passwords, tell your administrator.",
                count=count,
                user=user.name,
                time=format_datetime(self.env, retry_at, dt_format="medium"),
                tz=self.env.user.tz or "UTC",
            )
        )

    # ------------------------------------------------------------------ recording

    @api.model
    def _recall_record_failure(self, user, record, meaning):
        """Record the wrong password once the current transaction ends (it is rolled back by
        the error that refuses the signature), in a transaction of its own."""
        vals = {
            "user_id": user.id,
            "meaning": meaning,
            "failed_at": fields.Datetime.now(),
            "res_model": record._name,
            "res_id": record.id,
            "document_name": record.display_name,
            "remote_addr": request.httprequest.remote_addr if request else False,
        }
        registry = self.env.registry
        done = []

        def record_failure():
            if done:
                return
            done.append(True)
            try:
                with registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env["recall.signature.failure"]._recall_log_failure(vals)
            except Exception:
                # the refused signature's own error must reach the signer: log this one
                _logger.exception("Could not record a wrong signing password: %s", vals)

        self.env.cr.postrollback.add(record_failure)
        self.env.cr.postcommit.add(record_failure)

    @api.model
    def _recall_log_failure(self, vals):
        failure = self.sudo().create(vals)
        _logger.warning(
            "Wrong signing password for user %s (#%s) on %s,%s from %s",
            failure.user_id.login,
            failure.user_id.id,
            failure.res_model,
            failure.res_id,
            failure.remote_addr or "?",
        )
        count, __ = self._recall_failures_since_success(failure.user_id)
        cfg = self.env["ir.config_parameter"].sudo()
        threshold = int(cfg.get_param(COOLDOWN_AFTER_PARAM, 5))
        if threshold and count and count % threshold == 0:
            failure._recall_report_to_managers(count)
        return failure

    def _recall_security_managers(self):
        group = self.env.ref("base.group_erp_manager")
        return group.sudo().all_user_ids.filtered(lambda u: u.active and not u.share)

    def _recall_report_to_managers(self, count):
        """Tell the security managers (Administration / Access Rights) of repeated wrong
        signing passwords, on the document that was to be signed."""
        self.ensure_one()
        managers = self._recall_security_managers()
        if not managers:
            return
        user = self.user_id
        subject = self.env._("Repeated wrong signing passwords: %(user)s", user=user.name)
        body = Markup("<p>%s</p>") % self.env._(
            "%(count)s wrong passwords in a row were typed to sign %(document)s as %(user)s "
            "(%(login)s), the last one from %(address)s at %(time)s. Signing is locked for a "
            "while after each further failure. If the user did not type them, lock the account "
            "and change its password.",
            count=count,
            document=self.document_name or "",
            user=user.name,
            login=user.login,
            address=self.remote_addr or "?",
            time=fields.Datetime.to_string(self.failed_at),
        )
        # linked to the document, yet not on its thread (a portal document would mail its
        # customer's sign-up link along)
        self.env["mail.thread"].sudo().message_notify(
            model=self.res_model,
            res_id=self.res_id,
            partner_ids=managers.partner_id.ids,
            subject=subject,
            body=body,
            subtype_xmlid="mail.mt_note",
        )
