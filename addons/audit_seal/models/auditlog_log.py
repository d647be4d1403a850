import logging

from odoo import models

_logger = logging.getLogger(__name__)

LINE_FIELDS = (
    "field_name",
    "field_description",
    "old_value",
    "new_value",
    "old_value_text",
    "new_value_text",
)


class AuditlogLog(models.Model):
    """OCA auditlog entries are sealed: who changed what, when, old and new values."""

    _name = "auditlog.log"
    _inherit = ["auditlog.log", "audit.seal.mixin"]

    _seal_fields = (
        "name",
        "model_model",
        "res_id",
        "res_ids",
        "user_id",
        "method",
        "log_type",
        "line_ids",
    )
    _seal_child_guards = {"auditlog.log.line": ("log_id", *LINE_FIELDS)}

    def _seal_payload_data(self):
        data = super()._seal_payload_data()
        lines_by_log = {}
        for line in self.line_ids.sorted(
            lambda line: (line.log_id.id, line.field_name or "", line.id)
        ):
            lines_by_log.setdefault(line.log_id.id, []).append(
                {name: line[name] or None for name in LINE_FIELDS}
            )
        for log_id, values in data.items():
            values["line_ids"] = lines_by_log.get(log_id, [])
        return data

    def unlink(self):
        if self.env.context.get("audit_seal_vacuum"):
            # auditlog's auto-vacuum: purge what is past retention, keep the rest
            expired = self._seal_filter_expired()
            kept = len(self) - len(expired)
            if kept:
                _logger.info(
                    "audit_seal: auto-vacuum keeps %d sealed audit log(s) still under retention",
                    kept,
                )
            return expired._seal_purge() if expired else True
        return super().unlink()
