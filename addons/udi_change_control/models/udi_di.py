from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.audit_seal.tools.workflow import in_workflow, workflow

from .udi_di_publication import STATES

#: fields of a DI that are part of its record in the databases (changes open submission tasks)
DI_RECORD_FIELDS = (
    "di",
    "issuing_agency",
    "other_agency_name",
    "product_tmpl_id",
    "product_id",
    "packaging_level",
    "contained_di_id",
    "contained_qty",
    "active",
)
#: what an approval signature binds: the DI itself...
SIGNED_DI_FIELDS = ("di", "issuing_agency", "packaging_level", "product_tmpl_id", "product_id")
#: ...and the identifying attributes of its device record (never changed after approval)
SIGNED_TEMPLATE_FIELDS = (
    "name",
    "default_code",
    "udi_basic_di",
    "udi_brand",
    "udi_model",
    "udi_device_count",
    "udi_labeler_duns",
    "udi_sterile",
    "udi_sterilize_before_use",
    "udi_sterilization_method",
    "udi_single_use",
    "udi_contains_latex",
    "udi_labeled_no_latex",
    "udi_mri_safety",
    "udi_kit",
    "udi_combination_product",
    "udi_direct_marking",
)
#: states in which the approval binds the DI (and its record is, or was, in a database)
SIGNED_STATES = ("approved", "published", "superseded", "discontinued")


def value_differs(record, name, value):
    """Whether writing ``value`` into field ``name`` of ``record`` would change it."""
    field = record._fields[name]
    old = record[name]
    if field.type in ("one2many", "many2many"):
        return True
    if field.translate or field.type in ("char", "text", "html", "selection"):
        return (value or False) != (old or False)
    if field.type == "many2one":
        new_id = value.id if isinstance(value, models.BaseModel) else value
        return (new_id or False) != old.id
    if field.type == "boolean":
        return bool(value) != bool(old)
    if field.type in ("integer", "float", "monetary"):
        return (value or 0) != (old or 0)
    return field.convert_to_cache(value, record) != field.convert_to_cache(old, record)


def plain_value(record, name):
    """The value of field ``name`` of ``record`` as a plain JSON value."""
    value = record[name]
    field = record._fields[name]
    if field.type == "many2one":
        return value.id or None
    if field.type == "boolean":
        return bool(value)
    if field.type in ("integer", "float", "monetary"):
        return value or 0
    if value is False or value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else value


class UdiDi(models.Model):
    """Life cycle of a UDI-DI and its device record.

    The state lives on the base-unit DI (the primary DI the databases key the record on).
    Packaging levels (unit of use, higher packages) follow their base DI: they take its state at
    every step, and a change to them is a change to the base DI's record.
    """

    _name = "udi.di"
    _inherit = ["udi.di", "audit.seal.workflow.mixin"]
    _workflow_fields = ("state", "approval_signature_id", "previous_di_id")

    state = fields.Selection(
        STATES,
        string="Life cycle",
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        help="Draft, in review, approved (electronic signature), published in one or more UDI "
        "databases, then superseded by a newer DI or discontinued. Set by the buttons only.",
    )
    publication_ids = fields.One2many(
        "udi.di.publication", "di_id", string="Publications", readonly=True
    )
    published_in = fields.Char(compute="_compute_published_in", string="Published in")
    approval_signature_id = fields.Many2one(
        "recall.signature", string="Approval signature", readonly=True, copy=False
    )
    previous_di_id = fields.Many2one(
        "udi.di",
        string="Previous version",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        help="The DI this one replaces; it is superseded when this one is published.",
    )
    next_di_ids = fields.One2many("udi.di", "previous_di_id", string="Newer versions")
    next_di_id = fields.Many2one("udi.di", compute="_compute_next_di_id", string="Next version")
    transition_ids = fields.One2many("udi.di.transition", "di_id", string="Life cycle steps")
    submission_ids = fields.One2many("udi.di.submission", "di_id", string="Submission tasks")
    open_submission_count = fields.Integer(compute="_compute_open_submission_count")

    @api.depends("publication_ids.database")
    def _compute_published_in(self):
        labels = dict(
            self.env["udi.di.publication"]._fields["database"]._description_selection(self.env)
        )
        for di in self:
            publications = di._udi_lifecycle_base().publication_ids
            di.published_in = ", ".join(labels[p.database] for p in publications)

    @api.depends("next_di_ids")
    def _compute_next_di_id(self):
        for di in self:
            di.next_di_id = di.next_di_ids[:1]

    @api.depends("submission_ids.state")
    def _compute_open_submission_count(self):
        for di in self:
            di.open_submission_count = len(
                di.submission_ids.filtered(lambda task: task.state == "open")
            )

    # ------------------------------------------------------------------ structure

    def _udi_lifecycle_base(self):
        """The base-unit DI whose life cycle this DI follows (itself for a base unit)."""
        self.ensure_one()
        level, seen = self, self.browse()
        while level.packaging_level == "package" and level.contained_di_id and level not in seen:
            seen |= level
            level = level.contained_di_id
        if level.packaging_level == "base":
            return level
        return (
            self.sudo()
            .search(
                [
                    ("product_tmpl_id", "=", self.product_tmpl_id.id),
                    ("product_id", "=", self.product_id.id),
                    ("packaging_level", "=", "base"),
                ],
                limit=1,
            )
            .sudo(False)
            or self
        )

    def _udi_packaging_levels(self):
        """The other levels (unit of use, packages) that follow this base DI."""
        self.ensure_one()
        others = self.with_context(active_test=False).search(
            [
                ("product_tmpl_id", "=", self.product_tmpl_id.id),
                ("packaging_level", "!=", "base"),
            ]
        )
        return others.filtered(lambda level: level._udi_lifecycle_base() == self)

    # ------------------------------------------------------------------ ORM

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._udi_follow_base()
        return records

    def write(self, vals):
        self._udi_check_locked_di(vals)
        changes = self._udi_di_record_changes(vals)
        result = super().write(vals)
        self.env["udi.di"]._udi_open_submissions(changes)
        return result

    def unlink(self):
        kept = self.filtered(
            lambda di: (
                di.state not in ("draft", "review") or di._udi_lifecycle_base().publication_ids
            )
        )
        if kept:
            raise UserError(
                self.env._(
                    "UDI-DI %(di)s is %(state)s and cannot be deleted: its record is approved or "
                    "published. Discontinue it (or archive a packaging level) instead.",
                    di=kept[0].di,
                    state=dict(STATES)[kept[0].state],
                )
            )
        return super().unlink()

    @workflow
    def _udi_follow_base(self):
        """A new packaging level of an approved or published device takes its base DI's state;
        on a published device it is a change of the record in each database."""
        changes = {}
        for di in self.filtered(lambda d: d.packaging_level != "base"):
            base = di._udi_lifecycle_base()
            if base == di or base.state == "draft":
                continue
            di.state = base.state
            if base.publication_ids:
                changes[base] = [self.env._("New packaging level %(di)s", di=di.di)]
        self._udi_open_submissions(changes)

    # ------------------------------------------------------------------ change control

    def _udi_check_locked_di(self, vals):
        names = set(vals).intersection(self._fields)
        triggers = self.env["udi.di.trigger.attribute"]._udi_triggers("udi.di", names)
        signed = names.intersection(SIGNED_DI_FIELDS)
        if not (triggers or signed):
            return
        for di in self:
            base = di._udi_lifecycle_base()
            base._udi_refuse_locked_change(di, vals, triggers, signed if di == base else ())

    def _udi_refuse_locked_change(self, record, vals, triggers, signed):
        """Refuse ``vals`` on ``record`` (this base DI or its device record, or one of its
        packaging levels) when they change a trigger attribute of a database the DI is published
        in, or an attribute its approval signature binds."""
        self.ensure_one()
        if self.state not in SIGNED_STATES:
            return
        publications = self.sudo().publication_ids
        for name in sorted(set(triggers) | set(signed)):
            if not value_differs(record, name, vals[name]):
                continue
            for attribute in triggers.get(name, ()):
                publication = publications.filtered(lambda p, a=attribute: p.database == a.database)
                if publication:
                    raise self._udi_new_di_required(record, name, attribute, publication[:1])
            # the signature binds the English text of a translated field (its other
            # languages are translations, not the signed content)
            english = not record._fields[name].translate or record.env.lang in (None, "en_US")
            if name in signed and english and self.approval_signature_id:
                raise self._udi_approval_binds(record, name)

    def _udi_new_di_required(self, record, name, attribute, publication):
        databases = dict(publication._fields["database"]._description_selection(self.env))
        return ValidationError(
            self.env._(
                "%(record)s: %(field)s cannot change. It is the DI trigger attribute "
                "'%(attribute)s' of %(database)s, where UDI-DI %(di)s is published since "
                "%(date)s, and a change of it requires a new UDI-DI (%(reference)s). Open UDI-DI "
                "%(di)s and click 'New DI version': the new version gets its own device record "
                "with the new value, and %(di)s is superseded when the new DI is published.",
                record=record.display_name,
                field=record._fields[name]._description_string(self.env),
                attribute=attribute.name,
                database=databases[publication.database],
                di=self.di,
                date=publication.publish_date.isoformat(),
                reference=attribute.source,
            )
        )

    def _udi_approval_binds(self, record, name):
        signature = self.sudo().approval_signature_id
        return ValidationError(
            self.env._(
                "%(record)s: %(field)s cannot change. UDI-DI %(di)s was approved with this value "
                "(electronic signature of %(signer)s, %(date)s), and its approval binds it. Open "
                "UDI-DI %(di)s and click 'New DI version' to give the device a new DI with the new "
                "value.",
                record=record.display_name,
                field=record._fields[name]._description_string(self.env),
                di=self.di,
                signer=signature.signer_name,
                date=fields.Datetime.to_string(signature.signed_at),
            )
        )

    def _udi_di_record_changes(self, vals):
        """{published base DI: [changed field names]} of a write of ``vals`` on these DIs."""
        if in_workflow():
            return {}
        names = [name for name in vals if name in DI_RECORD_FIELDS]
        changes = {}
        for di in self:
            base = di._udi_lifecycle_base()
            if not base.sudo().publication_ids:
                continue
            changed = [name for name in names if value_differs(di, name, vals[name])]
            if changed:
                changes.setdefault(base, []).extend(
                    f"{di.di}: {di._fields[name]._description_string(self.env)}" for name in changed
                )
        return changes

    def _udi_open_submissions(self, changes, databases_of=None):
        """Open (or extend) a submission task per changed base DI and database it is published
        in. ``changes``: {base DI: [field labels]}; ``databases_of``: optional
        {label: databases the field belongs to}."""
        Submission = self.env["udi.di.submission"]
        for base, changed in changes.items():
            for publication in base.sudo().publication_ids:
                relevant = [
                    label
                    for label in changed
                    if not databases_of or publication.database in databases_of.get(label, ())
                ]
                if relevant:
                    Submission._udi_open(base, publication.database, relevant)

    # ------------------------------------------------------------------ signature

    def _recall_signed_content(self):
        """What the approval signature binds: the DI and the identifying attributes of its
        device record (read in English, the language of the record)."""
        self.ensure_one()
        di = self.sudo().with_context(lang="en_US")
        content = {"model": self._name, "id": self.id}
        for name in SIGNED_DI_FIELDS:
            content[name] = plain_value(di, name)
        template = di.product_tmpl_id
        content["device"] = {name: plain_value(template, name) for name in SIGNED_TEMPLATE_FIELDS}
        return content

    # ------------------------------------------------------------------ life cycle

    def _udi_check_manager(self):
        if not self.env.user.has_group("udi_master.group_trace_manager"):
            raise AccessError(
                self.env._(
                    "Only a Traceability manager can move a UDI-DI through its life cycle "
                    "(%(di)s).",
                    di=", ".join(self.mapped("di")),
                )
            )

    def _udi_check_step(self, from_states, action):
        """A button of the life cycle on base DIs in one of ``from_states``."""
        self._udi_check_manager()
        states = dict(self._fields["state"]._description_selection(self.env))
        for di in self:
            if di.packaging_level != "base":
                raise UserError(
                    self.env._(
                        "UDI-DI %(di)s is a packaging level: it follows the life cycle of its "
                        "base-unit DI %(base)s. %(action)s the base-unit DI instead.",
                        di=di.di,
                        base=di._udi_lifecycle_base().di,
                        action=action,
                    )
                )
            if di.state not in from_states:
                raise UserError(
                    self.env._(
                        "UDI-DI %(di)s is %(state)s: '%(action)s' applies to a DI that is "
                        "%(allowed)s.",
                        di=di.di,
                        state=states[di.state],
                        action=action,
                        allowed=" / ".join(states[s] for s in from_states),
                    )
                )

    @workflow
    def _udi_transition(self, to_state, database=False, signature=None, note=False):
        """Move these base DIs (and the packaging levels that follow them) to ``to_state`` and
        record the step in the sealed life cycle."""
        steps = []
        for di in self:
            steps.append(
                {
                    "di_id": di.id,
                    "from_state": di.state,
                    "to_state": to_state,
                    "database": database,
                    "signature_id": signature.id if signature else False,
                    "note": note,
                    "user_id": self.env.user.id,
                }
            )
            (di | di._udi_packaging_levels()).sudo().write({"state": to_state})
        self.env["udi.di.transition"].sudo().create(steps)

    def action_submit_review(self):
        """Draft -> in review: the DI record is complete and goes to its approver."""
        self._udi_check_step(("draft",), self.env._("Submit for review"))
        self._udi_transition("review")
        return True

    def action_reset_draft(self):
        """In review -> draft: the reviewer sends it back."""
        self._udi_check_step(("review",), self.env._("Back to draft"))
        self._udi_transition("draft")
        return True

    def action_approve(self):
        """In review -> approved, with the approver's electronic signature (a dialog)."""
        self._udi_check_step(("review",), self.env._("Approve"))
        self.ensure_one()
        return self.env["udi.di.sign.wizard"]._udi_open(self)

    @workflow
    def _udi_approve(self, signature):
        self.ensure_one()
        self.approval_signature_id = signature
        self._udi_transition("approved", signature=signature)

    def action_publish(self):
        """Record the publication of the DI record in a database (a dialog)."""
        self._udi_check_step(("approved", "published", "superseded"), self.env._("Publish"))
        self.ensure_one()
        return self.env["udi.di.publish.wizard"]._udi_open(self)

    @workflow
    def _udi_publish(self, database, publish_date):
        """The database published this DI's record on ``publish_date``; a previous version is
        superseded."""
        self.ensure_one()
        databases = dict(self.publication_ids._fields["database"]._description_selection(self.env))
        if database in self.publication_ids.mapped("database"):
            raise UserError(
                self.env._(
                    "UDI-DI %(di)s is already published in %(database)s.",
                    di=self.di,
                    database=databases[database],
                )
            )
        self.env["udi.di.publication"].sudo().create(
            {"di_id": self.id, "database": database, "publish_date": publish_date}
        )
        to_state = "published" if self.state == "approved" else self.state
        self._udi_transition(to_state, database=database)
        date_field = f"udi_{database}_publish_date"
        template = self.product_tmpl_id.sudo()
        if date_field in template._fields and not template[date_field]:
            template[date_field] = publish_date
        previous = self.previous_di_id
        if previous and previous.state == "published":
            previous._udi_transition(
                "superseded",
                database=database,
                note=self.env._("Superseded by %(di)s", di=self.di),
            )

    def action_discontinue(self):
        """The device is no longer placed on the market under this DI."""
        self._udi_check_step(("approved", "published", "superseded"), self.env._("Discontinue"))
        for di in self:
            di._udi_transition("discontinued")
            if di.publication_ids:
                self._udi_open_submissions({di: [self.env._("Commercial distribution ended")]})
        return True

    def action_new_version(self):
        """Create the next version of this DI (a dialog): a new DI and device record."""
        self._udi_check_step(("approved", "published", "superseded"), self.env._("New DI version"))
        self.ensure_one()
        return self.env["udi.di.version.wizard"]._udi_open(self)

    @workflow
    def _udi_new_version(self, new_di, name, default_code):
        """The new device record (a copy of this one's) with its base DI ``new_di``, linked to
        this DI as its previous version."""
        self.ensure_one()
        template = self.product_tmpl_id.sudo().copy(
            {
                "name": name,
                "default_code": default_code,
                "udi_nmpa_publish_date": False,
                "udi_gudid_publish_date": False,
            }
        )
        return self.create(
            {
                "di": new_di,
                "issuing_agency": self.issuing_agency,
                "other_agency_name": self.other_agency_name,
                "product_tmpl_id": template.id,
                "packaging_level": "base",
                "previous_di_id": self.id,
            }
        )

    def action_open_submissions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "udi_change_control.udi_di_submission_action"
        )
        action["domain"] = [("di_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------ shipping

    def _udi_shipping_problem(self, database):
        """Why units of this base DI cannot go where ``database`` is the UDI database, or
        None."""
        self.ensure_one()
        if self.state == "discontinued":
            return self.env._("is discontinued")
        if database not in self.sudo().publication_ids.mapped("database"):
            states = dict(self._fields["state"]._description_selection(self.env))
            databases = dict(
                self.publication_ids._fields["database"]._description_selection(self.env)
            )
            return self.env._(
                "is not published in %(database)s (life cycle: %(state)s)",
                database=databases[database],
                state=states[self.state],
            )
        return None

    # ------------------------------------------------------------------ exports

    def _udi_exported(self, database, export):
        """The updated records went to ``database``: their open submission tasks are done."""
        result = super()._udi_exported(database, export)
        tasks = (
            self.env["udi.di.submission"]
            .sudo()
            .search(
                [("di_id", "in", self.ids), ("database", "=", database), ("state", "=", "open")]
            )
        )
        tasks._udi_close(export)
        return result

    # ------------------------------------------------------------------ install

    @workflow
    def _udi_publish_legacy(self):
        """At install: a base DI whose device record already has an NMPA or GUDID publication
        date counts as published there from that date."""
        bases = (
            self.sudo()
            .with_context(active_test=False)
            .search([("packaging_level", "=", "base"), ("publication_ids", "=", False)])
        )
        for base in bases:
            template = base.product_tmpl_id
            dated = [
                (database, template[f"udi_{database}_publish_date"])
                for database in ("nmpa", "gudid")
                if template[f"udi_{database}_publish_date"]
            ]
            if not dated:
                continue
            self.env["udi.di.publication"].sudo().create(
                [{"di_id": base.id, "database": db, "publish_date": day} for db, day in dated]
            )
            base._udi_transition(
                "published",
                database=dated[0][0],
                note=self.env._("Published before change control (date on the device record)"),
            )
