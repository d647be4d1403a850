from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from odoo.addons.audit_seal.tools.workflow import workflow
from odoo.addons.recall_mgmt.tools import zoned_time

from .udi_di_publication import DATABASES

#: an open task is "due soon" in its last two days (the cap of the recall warning span)
DUE_SOON = timedelta(days=2)
DEADLINE_STATES = [
    ("on_time", "On time"),
    ("due_soon", "Due soon"),
    ("late", "Late"),
    ("done", "Submitted"),
    ("done_late", "Submitted late"),
]


class UdiDiSubmission(models.Model):
    """The obligation to send a changed DI record to one database by its regulatory deadline
    (GUDID: 10 business days, 21 CFR 830.330(b)); closed when the updated record is exported.

    One open task per DI and database: further changes while it is open join it (the clock
    started at the first change). The facts of the opening are sealed; its closing is logged
    and sealed through the change log.
    """

    _name = "udi.di.submission"
    _description = "UDI Database Submission Task"
    _inherit = ["audit.seal.mixin", "audit.seal.workflow.mixin"]
    _order = "state desc, due_at, id"
    _workflow_fields = "__all__"
    _seal_fields = ("di_id", "database", "rule_id", "opened_at", "due_at", "opened_by_id")

    di_id = fields.Many2one(
        "udi.di", string="UDI-DI", required=True, ondelete="restrict", index=True, readonly=True
    )
    product_tmpl_id = fields.Many2one(related="di_id.product_tmpl_id", store=True, string="Device")
    company_id = fields.Many2one(related="di_id.company_id", store=True)
    database = fields.Selection(DATABASES, required=True, readonly=True)
    rule_id = fields.Many2one(
        "recall.deadline.rule", string="Deadline rule", readonly=True, ondelete="restrict"
    )
    jurisdiction_id = fields.Many2one(related="rule_id.jurisdiction_id", store=True)
    reference = fields.Char(related="rule_id.reference", string="Legal reference")
    opened_at = fields.Datetime(string="Changed", required=True, readonly=True)
    opened_by_id = fields.Many2one("res.users", string="Changed by", readonly=True)
    due_at = fields.Datetime(string="Due", required=True, readonly=True)
    due_local = fields.Char(string="Due (jurisdiction time)", compute="_compute_due_local")
    changed_fields = fields.Text(string="Changes", readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("done", "Submitted")], default="open", required=True, readonly=True
    )
    deadline_state = fields.Selection(
        DEADLINE_STATES,
        string="Deadline",
        compute="_compute_deadline_state",
        search="_search_deadline_state",
    )
    done_at = fields.Datetime(string="Submitted", readonly=True)
    export_model = fields.Char(string="Export model", readonly=True)
    export_id = fields.Many2oneReference(
        string="Export record", model_field="export_model", readonly=True
    )
    export_name = fields.Char(string="Export", readonly=True)
    alerted_at = fields.Datetime(readonly=True)
    escalated_at = fields.Datetime(readonly=True)

    @api.depends("di_id", "database")
    def _compute_display_name(self):
        databases = dict(self._fields["database"]._description_selection(self.env))
        for task in self:
            task.display_name = f"{task.di_id.di or ''} → {databases.get(task.database, '')}"

    @api.depends("due_at", "jurisdiction_id.tz")
    def _compute_due_local(self):
        for task in self:
            task.due_local = zoned_time.format_zoned(task.due_at, task.jurisdiction_id.tz or "UTC")

    @api.depends("state", "due_at", "done_at")
    def _compute_deadline_state(self):
        now = fields.Datetime.now()
        for task in self:
            if task.state == "done":
                late = task.done_at and task.due_at and task.done_at > task.due_at
                task.deadline_state = "done_late" if late else "done"
            elif not task.due_at:
                task.deadline_state = False
            elif task.due_at < now:
                task.deadline_state = "late"
            elif task.due_at - now <= DUE_SOON:
                task.deadline_state = "due_soon"
            else:
                task.deadline_state = "on_time"

    def _search_deadline_state(self, operator, value):
        if operator not in ("=", "in"):
            raise UserError(
                self.env._("Deadline states can only be searched for by value (= or in).")
            )
        values = [value] if operator == "=" else list(value)
        now = fields.Datetime.now()
        soon = now + DUE_SOON
        domains = []
        for state in values:
            if state == "late":
                domains.append(Domain([("state", "=", "open"), ("due_at", "<", now)]))
            elif state == "due_soon":
                domains.append(
                    Domain([("state", "=", "open"), ("due_at", ">=", now), ("due_at", "<=", soon)])
                )
            elif state == "on_time":
                domains.append(Domain([("state", "=", "open"), ("due_at", ">", soon)]))
            elif state in ("done", "done_late"):
                done = self.search([("state", "=", "done")])
                ids = done.filtered(lambda t, s=state: t.deadline_state == s).ids
                domains.append(Domain([("id", "in", ids)]))
        return Domain.OR(domains) if domains else Domain.FALSE

    # ------------------------------------------------------------------ workflow

    @workflow
    def _udi_open(self, di, database, labels):
        """The open task of ``di`` for ``database``, created on the database's clock (the
        deadline rule of its jurisdiction), with the changed ``labels`` noted."""
        tasks = self.sudo()
        task = tasks.search(
            [("di_id", "=", di.id), ("database", "=", database), ("state", "=", "open")], limit=1
        )
        if task:
            known = (task.changed_fields or "").splitlines()
            task.changed_fields = "\n".join(known + [lab for lab in labels if lab not in known])
            return task
        rule = (
            self.env["recall.deadline.rule"]
            .sudo()
            .search(
                [
                    ("milestone", "=", "udi_record_update"),
                    ("jurisdiction_id.udi_database", "=", database),
                ],
                limit=1,
            )
        )
        now = fields.Datetime.now()
        company = di.company_id or self.env.company
        return tasks.create(
            {
                "di_id": di.id,
                "database": database,
                "rule_id": rule.id,
                "opened_at": now,
                "opened_by_id": self.env.user.id,
                "due_at": rule._due_from(now, company) if rule else now,
                "changed_fields": "\n".join(dict.fromkeys(labels)),
            }
        )

    @workflow
    def _udi_close(self, export):
        """The updated records were exported in ``export``: the tasks are done."""
        now = fields.Datetime.now()
        for task in self.filtered(lambda t: t.state == "open"):
            task.write(
                {
                    "state": "done",
                    "done_at": now,
                    "export_model": export._name if export else False,
                    "export_id": export.id if export else False,
                    "export_name": export.display_name if export else False,
                }
            )

    @api.model
    def _cron_udi_submission_deadlines(self):
        """Alert before the deadline, escalate after it, as the recall deadlines."""
        tasks = self.sudo().search(
            [("state", "=", "open"), "|", ("alerted_at", "=", False), ("escalated_at", "=", False)]
        )
        tasks._udi_alert()

    @workflow
    def _udi_alert(self):
        now = fields.Datetime.now()
        self.invalidate_recordset(["deadline_state"])  # time-dependent
        for task in self:
            device = task.product_tmpl_id.sudo()
            if task.deadline_state == "due_soon" and not task.alerted_at:
                task.alerted_at = now
                device.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=zoned_time.to_local(
                        task.due_at, task.jurisdiction_id.tz or "UTC"
                    ).date(),
                    user_id=task.opened_by_id.id or self.env.uid,
                    summary=self.env._("Due soon: %(task)s", task=task.display_name),
                    note=self.env._(
                        "Send the updated UDI-DI record to the database by %(due)s (%(ref)s). "
                        "Changes: %(changes)s",
                        due=task.due_local,
                        ref=task.reference or "",
                        changes=(task.changed_fields or "").replace("\n", "; "),
                    ),
                )
            elif task.deadline_state == "late" and not task.escalated_at:
                task.write({"escalated_at": now, "alerted_at": task.alerted_at or now})
                device.message_post(
                    body=self.env._(
                        "Submission deadline missed: %(task)s was due %(due)s (%(ref)s).",
                        task=task.display_name,
                        due=task.due_local,
                        ref=task.reference or "",
                    ),
                    partner_ids=(device.message_partner_ids | task.opened_by_id.partner_id).ids,
                    subtype_xmlid="mail.mt_comment",
                )
