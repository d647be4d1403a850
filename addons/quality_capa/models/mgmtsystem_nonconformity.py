from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.audit_seal.tools.workflow import in_workflow, workflow, workflow_writes

CAPA_SOURCES = [
    ("complaint", "Complaint"),
    ("inspection", "Incoming inspection reject"),
    ("recall", "Recall root cause"),
    ("drill", "Recall drill finding"),
    ("other", "Other"),
]
#: the drill targets a closed drill is measured against
DRILL_KPIS = [
    ("analysis", "Impact analysis time"),
    ("decision", "Time to decision"),
    ("first_notice", "Time to first notice"),
    ("notification", "Time to notify every consignee"),
    ("coverage_notified", "Consignees notified"),
    ("coverage_acknowledged", "Consignees acknowledged"),
]
EFFECTIVENESS_RESULTS = [
    ("effective", "Effective: the cause is eliminated"),
    ("not_effective", "Not effective: further action needed"),
]
#: what a verified effectiveness check records; changing one of them voids the verification
EFFECTIVENESS_FIELDS = (
    "effectiveness_method",
    "effectiveness_result",
    "effectiveness_evidence_ids",
)
#: what a closed CAPA keeps as signed (changes are refused once the closure is signed)
CLOSED_FIELDS = (
    "name",
    "description",
    "analysis",
    "evaluation_comments",
    "product_ids",
    "udi_di_ids",
    "lot_ids",
    "action_ids",
    "immediate_action_id",
    "stage_id",
    *EFFECTIVENESS_FIELDS,
)


class MgmtsystemNonconformity(models.Model):
    """A nonconformity of a medical device maker: the devices, DIs and lots it concerns, where
    it comes from (complaint, inspection reject, recall root cause, drill finding), and a CAPA
    closed only through a verified effectiveness check and an electronic signature."""

    _name = "mgmtsystem.nonconformity"
    _inherit = ["mgmtsystem.nonconformity", "audit.seal.workflow.mixin"]
    _workflow_fields = (
        "capa_closure_id",
        "effectiveness_verified_by_id",
        "effectiveness_date",
    )

    capa_source = fields.Selection(
        CAPA_SOURCES,
        string="Raised From",
        default="other",
        required=True,
        tracking=True,
        index=True,
    )
    product_ids = fields.Many2many(
        "product.product",
        "quality_capa_nonconformity_product_rel",
        "nonconformity_id",
        "product_id",
        string="Devices",
    )
    udi_di_ids = fields.Many2many(
        "udi.di",
        "quality_capa_nonconformity_udi_di_rel",
        "nonconformity_id",
        "udi_di_id",
        string="UDI-DIs",
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        "quality_capa_nonconformity_lot_rel",
        "nonconformity_id",
        "lot_id",
        string="Lots/Serials",
    )
    ticket_id = fields.Many2one(
        "helpdesk.ticket", string="Complaint", index="btree_not_null", copy=False
    )
    recall_campaign_id = fields.Many2one(
        "recall.campaign",
        string="Recall / Drill",
        index="btree_not_null",
        copy=False,
        help="The recall whose root cause this is, or the drill that found it.",
    )
    drill_kpi = fields.Selection(
        DRILL_KPIS,
        string="Drill Target Missed",
        readonly=True,
        copy=False,
    )
    # -- effectiveness check (ISO 13485 8.5.2 f)
    effectiveness_method = fields.Text(
        string="Verification Method",
        help="How the effectiveness of the actions is verified: the data reviewed, the period, "
        "the acceptance criterion (e.g. no recurrence in 3 months of complaints; a repeated "
        "drill meeting its targets).",
    )
    effectiveness_result = fields.Selection(EFFECTIVENESS_RESULTS, string="Result")
    effectiveness_evidence_ids = fields.Many2many(
        "ir.attachment",
        "quality_capa_nonconformity_evidence_rel",
        "nonconformity_id",
        "attachment_id",
        string="Evidence",
        help="The records that show the result (trend report, drill report, audit record).",
    )
    effectiveness_verified_by_id = fields.Many2one(
        "res.users", string="Verified By", readonly=True, copy=False
    )
    effectiveness_date = fields.Date(string="Verified On", readonly=True, copy=False)
    capa_closure_id = fields.Many2one(
        "quality.capa.closure", string="Signed Closure", readonly=True, copy=False
    )
    capa_signature_id = fields.Many2one(
        related="capa_closure_id.signature_id", string="Closure Signature"
    )
    overdue_action_count = fields.Integer(
        string="Overdue Actions", compute="_compute_overdue_action_count"
    )

    def _compute_overdue_action_count(self):
        for nc in self:
            nc.overdue_action_count = len(nc._get_all_actions().filtered("is_overdue"))

    # ------------------------------------------------------------------ guards

    @api.model_create_multi
    def create(self, vals_list):
        if not in_workflow():
            stages = self.env["mgmtsystem.nonconformity.stage"].browse(
                [vals["stage_id"] for vals in vals_list if vals.get("stage_id")]
            )
            if "done" in stages.mapped("state"):
                raise AccessError(self._capa_closure_only_message())
        return super().create(vals_list)

    def write(self, vals):
        if not in_workflow():
            self._capa_check_write(vals)
            voided = self.filtered(
                lambda nc: (
                    nc.effectiveness_verified_by_id
                    and any(name in vals for name in EFFECTIVENESS_FIELDS)
                )
            )
            if voided:
                with workflow_writes():
                    voided.write(
                        {"effectiveness_verified_by_id": False, "effectiveness_date": False}
                    )
        return super().write(vals)

    def _capa_closure_only_message(self):
        return self.env._(
            "A nonconformity is closed only by its signed CAPA closure (button Close CAPA, "
            "after the effectiveness check), never by moving it to a closed stage."
        )

    def _capa_check_write(self, vals):
        closed = self.filtered("capa_closure_id")
        if closed and set(vals).intersection(CLOSED_FIELDS):
            raise AccessError(
                self.env._(
                    "%(ncs)s: the CAPA is closed with an electronic signature; its content and "
                    "stage can no longer change. Open a new nonconformity for a new problem.",
                    ncs=", ".join(closed.mapped("display_name")),
                )
            )
        if vals.get("stage_id"):
            stage = self.env["mgmtsystem.nonconformity.stage"].browse(vals["stage_id"])
            if stage.state == "done":
                raise AccessError(self._capa_closure_only_message())

    @api.constrains("stage_id")
    def _check_capa_actions_planned(self):
        for nc in self:
            if nc.state not in ("open", "done"):
                continue
            unplanned = nc._get_all_actions().filtered(
                lambda a: not a.date_deadline or not a.user_id
            )
            if unplanned:
                raise ValidationError(
                    self.env._(
                        "%(nc)s: give every action an owner and a due date before the action "
                        "plan starts (%(actions)s).",
                        nc=nc.display_name,
                        actions=", ".join(unplanned.mapped("name")),
                    )
                )

    # ------------------------------------------------------------------ effectiveness

    def _capa_check_role(self, group, role):
        if not self.env.user.has_group(group):
            raise AccessError(
                self.env._(
                    "%(ncs)s: only a Management System %(role)s can do this.",
                    ncs=", ".join(self.mapped("display_name")),
                    role=role,
                )
            )

    def action_capa_verify_effectiveness(self):
        """The auditor records that the effectiveness check was done (who and when)."""
        self._capa_check_role("mgmtsystem.group_mgmtsystem_auditor", self.env._("Auditor"))
        for nc in self:
            nc._capa_check_open()
            missing = [
                label
                for label, value in (
                    (self.env._("verification method"), (nc.effectiveness_method or "").strip()),
                    (self.env._("result"), nc.effectiveness_result),
                    (self.env._("evidence attachment"), nc.effectiveness_evidence_ids),
                )
                if not value
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "%(nc)s: the effectiveness check needs its %(missing)s before it is "
                        "verified.",
                        nc=nc.display_name,
                        missing=", ".join(missing),
                    )
                )
        self._capa_mark_verified()
        return True

    @workflow
    def _capa_mark_verified(self):
        self.sudo().write(
            {
                "effectiveness_verified_by_id": self.env.uid,
                "effectiveness_date": fields.Date.context_today(self),
            }
        )
        for nc in self:
            nc.message_post(
                body=self.env._(
                    "Effectiveness check verified by %(user)s: %(result)s.",
                    user=self.env.user.name,
                    result=dict(
                        self._fields["effectiveness_result"]._description_selection(self.env)
                    )[nc.effectiveness_result],
                )
            )

    def _capa_check_open(self):
        for nc in self:
            if nc.capa_closure_id or nc.state in ("done", "cancel"):
                raise UserError(self.env._("%(nc)s is closed or cancelled.", nc=nc.display_name))

    # ------------------------------------------------------------------ signed closure

    def action_capa_close(self):
        """Open the signature dialog of the CAPA closure (refused before the checks pass)."""
        self.ensure_one()
        self._capa_check_closable()
        return self.env["quality.capa.sign.wizard"]._capa_open(self)

    def _capa_check_closable(self):
        """Why this CAPA cannot be closed yet, as an error; nothing when it can."""
        self.ensure_one()
        self._capa_check_role(
            "mgmtsystem.group_mgmtsystem_user_manager", self.env._("Approving User")
        )
        self._capa_check_open()
        problems = []
        if not self.effectiveness_verified_by_id:
            problems.append(self.env._("the effectiveness check is not recorded and verified"))
        elif self.effectiveness_result != "effective":
            problems.append(self.env._("the effectiveness check found the actions not effective"))
        if not (self.evaluation_comments or "").strip():
            problems.append(self.env._("the evaluation comments are empty"))
        actions = self._get_all_actions()
        if not actions:
            problems.append(self.env._("it has no corrective or preventive action"))
        pending = actions.filtered(lambda a: not a.stage_id.is_ending)
        if pending:
            problems.append(
                self.env._(
                    "actions not closed yet: %(actions)s",
                    actions=", ".join(pending.mapped("name")),
                )
            )
        if problems:
            raise UserError(
                self.env._(
                    "%(nc)s cannot be closed: %(problems)s.",
                    nc=self.display_name,
                    problems="; ".join(problems),
                )
            )

    def _recall_signed_content(self):
        """What the closure signature binds: the problem, its devices, the actions taken and
        the effectiveness check with the digests of its evidence (read as the system: the
        signer binds it whether or not they may read every device record)."""
        self.ensure_one()
        self = self.sudo()  # noqa: PLW0642
        return {
            "model": self._name,
            "id": self.id,
            "ref": self.ref,
            "company": self.company_id.id,
            "name": self.name or None,
            "description": self.description or None,
            "analysis": self.analysis or None,
            "source": self.capa_source,
            "products": sorted(self.product_ids.ids),
            "udi_dis": sorted(self.udi_di_ids.ids),
            "lots": sorted(self.lot_ids.ids),
            "actions": [
                {
                    "reference": action.reference or None,
                    "name": action.name,
                    "type": action.type_action,
                    "owner": action.user_id.id,
                    "due": fields.Date.to_string(action.date_deadline) or None,
                    "closed": fields.Datetime.to_string(action.date_closed) or None,
                }
                for action in self._get_all_actions().sorted("id")
            ],
            "evaluation": self.evaluation_comments or None,
            "effectiveness": {
                "method": self.effectiveness_method or None,
                "result": self.effectiveness_result or None,
                "verified_by": self.effectiveness_verified_by_id.id or None,
                "date": fields.Date.to_string(self.effectiveness_date) or None,
                "evidence": self._capa_evidence_digests(),
            },
        }

    def _capa_evidence_digests(self):
        return [
            {"name": attachment.name, "checksum": attachment.checksum or None}
            for attachment in self.effectiveness_evidence_ids.sudo().sorted("id")
        ]

    @workflow
    def _capa_close(self, signature):
        """Close the CAPA: the closed stage, and the sealed closure record with the signature."""
        self.ensure_one()
        self._capa_check_closable()
        stage = self.env.ref("mgmtsystem_nonconformity.stage_done")
        closure = self.env["quality.capa.closure"].sudo()._capa_record(self, signature)
        self.sudo().write({"stage_id": stage.id, "capa_closure_id": closure.id})
        self.message_post(
            body=self.env._(
                "CAPA closed by %(user)s (electronic signature): effectiveness verified by "
                "%(verifier)s on %(date)s.",
                user=signature.signer_name,
                verifier=self.effectiveness_verified_by_id.name,
                date=self.effectiveness_date,
            )
        )
        return True

    # ------------------------------------------------------------------ helpers

    @api.model
    def _capa_device_links(self, products, lots):
        """Values linking a nonconformity to ``products`` and ``lots`` and their DIs."""
        products = products | lots.product_id
        dis = products.product_tmpl_id.udi_di_ids.filtered(
            lambda d: not d.product_id or d.product_id in products
        )
        return {
            "product_ids": [(6, 0, products.ids)],
            "lot_ids": [(6, 0, lots.ids)],
            "udi_di_ids": [(6, 0, dis.ids)],
        }

    def action_open_nonconformity_form(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_open_capa_closure(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "quality.capa.closure",
            "res_id": self.capa_closure_id.id,
            "view_mode": "form",
            "target": "current",
        }
