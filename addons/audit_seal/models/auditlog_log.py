import logging
from collections import defaultdict

from odoo import api, models

from ..lib.fragments import plain_json
from .auditlog_rule import LOG_BATCH_KEY

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

    @api.model_create_multi
    def create(self, vals_list):
        batch = self.env.context.get(LOG_BATCH_KEY)
        if batch is not None:
            # auditlog.rule.create_logs collects its logs and creates them together
            batch.extend(vals_list)
            return self.browse()
        return super().create(vals_list)

    def _seal_payload_data(self):
        data = super()._seal_payload_data()
        lines_by_log = self._seal_line_values()
        for log_id, values in data.items():
            values["line_ids"] = lines_by_log.get(log_id, [])
        return data

    def _seal_payload_extra_json(self):
        """The lines of :meth:`_seal_payload_data`, as canonical JSON (the append's fast path):
        their values are plain already (text or None)."""
        lines_by_log = self._seal_line_values()
        return {
            "line_ids": {log_id: plain_json(lines_by_log.get(log_id, [])) for log_id in self._ids}
        }

    def _seal_company_ids(self):
        """The company of the logged record: a log of a company's record (its old and new
        values) is sealed with that company. Logs of records without company, or of records
        already deleted, have none."""
        result = dict.fromkeys(self._ids)
        by_model = defaultdict(list)
        for log in self:
            if log.model_model in self.env and log.res_id:
                by_model[log.model_model].append(log)
        for model, logs in by_model.items():
            field = self.env[model]._fields.get("company_id")
            if not (field and field.store and field.comodel_name == "res.company"):
                continue
            records = (
                self.env[model]
                .sudo()
                .with_context(active_test=False)
                .browse({log.res_id for log in logs})
                .exists()
            )
            companies = {record.id: record.company_id.id for record in records}
            for log in logs:
                result[log.id] = companies.get(log.res_id) or None
        return result

    def _seal_line_values(self):
        """{log id: [{field: value or None}]} of the logs' lines, ordered by field name and id.

        Read from the ORM cache after one ``fetch`` (the same values as ``line[name] or None``:
        the fields are plain, untranslated char and text fields).
        """
        lines = self.line_ids
        names = ("log_id", *LINE_FIELDS)
        lines.fetch(names)
        fields_ = self.env["auditlog.log.line"]._fields
        caches = [fields_[name]._get_cache(self.env) for name in names]
        try:
            rows = [(line_id, [cache[line_id] for cache in caches]) for line_id in lines._ids]
        except KeyError:  # not all in cache (e.g. access-filtered): read through the ORM
            rows = [
                (line.id, [line.log_id.id] + [line[name] for name in LINE_FIELDS]) for line in lines
            ]
        # (log, field name, id): field_name is LINE_FIELDS[0]
        rows.sort(key=lambda row: (row[1][0] or 0, row[1][1] or "", row[0]))
        lines_by_log = {}
        for _line_id, (log_id, *values) in rows:
            lines_by_log.setdefault(log_id, []).append(
                {name: value or None for name, value in zip(LINE_FIELDS, values, strict=True)}
            )
        return lines_by_log

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
