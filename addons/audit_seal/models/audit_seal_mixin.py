import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..lib.canonical import Ref, canonical_json
from ..tools import seal_sql
from ..tools.cached_json import cached_objects_json

_logger = logging.getLogger(__name__)

PURGING_KEY = "audit_seal.purging"


class AuditSealMixin(models.AbstractModel):
    """Make a model append-only and hash-chained.

    Inherit ``audit.seal.mixin`` and list the fields of the sealed payload in ``_seal_fields``::

        class TraceEvent(models.Model):
            _name = "trace.event"
            _inherit = ["audit.seal.mixin"]
            _seal_fields = ("event_type", "event_time", "lot_id", "quantity")

    Every record created is appended to the ledger (``audit.seal.entry``) when the transaction
    commits. Afterwards ``write`` on a sealed field and ``unlink`` are refused for every user,
    superuser included, and a PostgreSQL trigger refuses the same in raw SQL. Records can only be
    purged after their retention date (:meth:`_seal_purge`).
    """

    _name = "audit.seal.mixin"
    _description = "Sealed Record (append-only, hash-chained)"

    #: names of the fields that form the sealed payload (declare them on the model)
    _seal_fields = ()
    #: sealed one2many children to guard: {child model: (column to the parent, column, ...)}
    _seal_child_guards = {}

    seal_retention_until = fields.Date(
        string="Retain Until",
        compute="_compute_seal_retention_until",
        help="The record cannot be deleted before this date (empty: kept permanently). "
        "Computed from the retention periods of Audit Seal > Configuration.",
    )
    seal_retention_permanent = fields.Boolean(
        string="Retained Permanently", compute="_compute_seal_retention_until"
    )
    seal_entry_seq = fields.Integer(string="Ledger Entry", compute="_compute_seal_entry")
    seal_entry_hash = fields.Char(string="Entry Hash", compute="_compute_seal_entry")
    seal_sealed_at = fields.Datetime(string="Sealed At", compute="_compute_seal_entry")
    seal_status = fields.Selection(
        [
            ("pending", "Sealed at the commit"),
            ("sealed", "Sealed, not verified yet"),
            ("verified", "Sealed and verified"),
            ("failed", "Verification failed"),
        ],
        string="Seal",
        compute="_compute_seal_entry",
        help="The record's entry in the sealed ledger, and what the last chain verification "
        "said of it.",
    )

    # ------------------------------------------------------------------ declaration

    @api.model
    def _seal_field_names(self):
        """The sealed fields, checked against the model."""
        names = tuple(self._seal_fields)
        if not names:
            raise UserError(
                self.env._(
                    "Model %(model)s inherits the audit seal but declares no sealed field "
                    "(_seal_fields).",
                    model=self._name,
                )
            )
        for name in names:
            field = self._fields.get(name)
            if field is None or not (field.store or field.type in ("one2many", "many2many")):
                raise UserError(
                    self.env._(
                        "Sealed field %(field)s of model %(model)s does not exist or is not "
                        "stored.",
                        field=name,
                        model=self._name,
                    )
                )
        return names

    def init(self):
        super().init()
        if self._abstract or not self._auto or self._name == "audit.seal.mixin":
            return
        self.pool.post_init(self._seal_install_guards)

    def _seal_install_guards(self):
        """Install the triggers and register the table as sealed (idempotent)."""
        names = self._seal_field_names()
        columns = [
            name for name in names if self._fields[name].store and self._fields[name].column_type
        ] + ["create_uid"]
        cr = self.env.cr
        seal_sql.guard_sealed_table(cr, self._table, self._name, "id", columns)
        for child_model, (parent_column, *child_columns) in self._seal_child_guards.items():
            seal_sql.guard_sealed_table(
                cr,
                self.env[child_model]._table,
                self._name,
                parent_column,
                [parent_column, *child_columns],
            )
        self.env["audit.seal.model"]._seal_register_model(self)

    # ------------------------------------------------------------------ ORM guards

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["audit.seal.entry"]._seal_register_pending(records)
        return records

    def write(self, vals):
        sealed = set(vals).intersection(self._seal_field_names())
        if sealed and self:
            pending = self.env["audit.seal.entry"]._seal_pending_ids(self._name)
            committed = self.browse([rid for rid in self._ids if rid not in pending])
            if committed:
                fields_desc = ", ".join(
                    sorted(
                        self._fields[name].get_description(self.env)["string"] for name in sealed
                    )
                )
                raise UserError(
                    self.env._(
                        "%(records)s: %(fields)s cannot be changed, the record is sealed in the "
                        "audit ledger. Record a correction as a new record instead.",
                        records=", ".join(committed.mapped("display_name")[:5]),
                        fields=fields_desc,
                    )
                )
        return super().write(vals)

    def unlink(self):
        purging = self.env.cr.cache.get(PURGING_KEY, set())
        refused = self.filtered(lambda rec: (rec._name, rec.id) not in purging)
        if refused:
            raise UserError(
                self.env._(
                    "%(records)s cannot be deleted: sealed records are kept until their "
                    "retention date and then purged by the retention purge, never deleted "
                    "directly.",
                    records=", ".join(refused.mapped("display_name")[:5]),
                )
            )
        return super().unlink()

    # ------------------------------------------------------------------ payload

    def _seal_value(self, field, value):
        """Plain value of ``field`` for the canonical form."""
        ftype = field.type
        if ftype == "many2one":
            return Ref(field.comodel_name, value.id) if value else None
        if ftype in ("one2many", "many2many"):
            return sorted(value.ids)
        if ftype == "boolean":
            return bool(value)
        if ftype in ("integer", "float", "monetary"):
            return value or 0
        if value is False or value is None:
            return None
        if ftype == "binary" and isinstance(value, str):
            return value.encode()
        return value

    def _seal_payload_data(self):
        """{record id: {field: plain value}} of the sealed fields, for all of ``self``.

        Values are read from the ORM cache after one ``fetch`` (the append at commit reads what
        the transaction just flushed; verification reads what the database holds now).
        """
        names = self._seal_field_names()
        self.fetch(names)
        if type(self)._seal_value is not AuditSealMixin._seal_value:
            fields_ = [self._fields[name] for name in names]
            return {
                record.id: {f.name: record._seal_value(f, record[f.name]) for f in fields_}
                for record in self
            }
        readers = []
        for name in names:
            field = self._fields[name]
            readers.append((name, field._get_cache(self.env), self._seal_cache_converter(field)))
        result = {}
        for rid in self._ids:
            try:
                result[rid] = {name: convert(cache[rid]) for name, cache, convert in readers}
            except KeyError:  # not in cache (e.g. access-filtered): read through the ORM
                record = self.browse(rid)
                result[rid] = {
                    name: self._seal_value(self._fields[name], record[name]) for name in names
                }
        return result

    def _seal_payload_json(self):
        """{record id: canonical JSON text of its sealed data}, for all of ``self``.

        Equal to ``canonical_json(self._seal_payload_data()[id]).decode()`` for every record:
        the append's fast path. The cached values are written straight as canonical JSON
        fragments, a field (column) at a time, and each record's object is one ``%``-format of
        them (``lib/fragments.py``, proven byte-identical by its tests), so no intermediate
        value tree is built. A model that overrides :meth:`_seal_payload_data` (without
        :meth:`_seal_payload_extra_json`), :meth:`_seal_value` or :meth:`_seal_cache_converter`
        goes through the general path.
        """
        cls = type(self)
        with_extra = cls._seal_payload_extra_json is not AuditSealMixin._seal_payload_extra_json
        if (
            (cls._seal_payload_data is not AuditSealMixin._seal_payload_data and not with_extra)
            or cls._seal_value is not AuditSealMixin._seal_value
            or cls._seal_cache_converter is not AuditSealMixin._seal_cache_converter
        ):
            return {
                rid: canonical_json(data).decode("utf-8")
                for rid, data in self._seal_payload_data().items()
            }
        names = self._seal_field_names()
        self.fetch(names)
        extra = self._seal_payload_extra_json() if with_extra else {}
        ids = self._ids
        try:
            texts = cached_objects_json(
                self,
                [name for name in names if name not in extra],
                {key: list(map(by_id.__getitem__, ids)) for key, by_id in extra.items()},
                self._seal_cache_converter,
            )
        except KeyError:  # not all in cache (e.g. access-filtered): read through the ORM
            return {
                rid: canonical_json(data).decode("utf-8")
                for rid, data in self._seal_payload_data().items()
            }
        return dict(zip(ids, texts, strict=True))

    def _seal_company_ids(self):
        """{record id: company id or None}: the company each record is sealed with.

        Its ledger entry carries it, in its columns and its signed envelope, and the ledger's
        multi-company rule filters on it. The record's own stored ``company_id`` (read from the
        cache the payload has just filled, when it is a sealed field); records of a model
        without one have none. A model whose company lies elsewhere overrides this.
        """
        field = self._fields.get("company_id")
        if not (
            field
            and field.store
            and field.type == "many2one"
            and field.comodel_name == "res.company"
        ):
            return dict.fromkeys(self._ids)
        self.fetch(["company_id"])
        cache = field._get_cache(self.env)
        try:
            return {rid: cache[rid] or None for rid in self._ids}
        except KeyError:  # not all in cache (e.g. access-filtered): read through the ORM
            return {record.id: record.company_id.id or None for record in self}

    def _seal_payload_extra_json(self):
        """{key: {record id: canonical JSON text}} of the keys that an override of
        :meth:`_seal_payload_data` adds to the sealed fields (or replaces), for the fast path.

        A model that adds derived data to its payload (``trace.event`` adds its lines) may
        implement this to keep the fast path; it must give, for every record of ``self``, the
        text of exactly what :meth:`_seal_payload_data` puts under each key (its tests compare
        both). Not implemented (the default), the general path is taken.
        """
        raise NotImplementedError

    def _seal_cache_converter(self, field):
        """Function turning a cached value of ``field`` into its plain sealed value."""
        ftype = field.type
        if ftype == "many2one":
            comodel = field.comodel_name
            return lambda value: Ref(comodel, value) if value else None
        if ftype in ("one2many", "many2many"):
            return lambda value: sorted(value or ())
        if ftype == "boolean":
            return bool
        if ftype in ("integer", "float", "monetary"):
            return lambda value: value or 0
        if ftype in ("char", "text", "html", "selection", "date", "datetime"):
            return lambda value: None if value is None or value is False else value
        return lambda value: self._seal_value(field, field.convert_to_record(value, self))

    # ------------------------------------------------------------------ seal status

    def _compute_seal_entry(self):
        """The ledger entry of each record and the verdict of the last verification run (read
        for every viewer: a hash and a sequence number disclose nothing of other records)."""
        entries = {}
        if self.ids:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT res_id, seq, entry_hash, sealed_at FROM audit_seal_entry
                     WHERE res_id = ANY(%s) AND res_model = %s AND op = 'create'
                    """,
                    list(self.ids),
                    self._name,
                )
            )
            entries = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        run = self.env["audit.seal.verification"].sudo().search([], order="id desc", limit=1)
        for record in self:
            seq, hash_, sealed_at = entries.get(record.id, (0, False, False))
            record.seal_entry_seq = seq
            record.seal_entry_hash = hash_
            record.seal_sealed_at = sealed_at
            if not seq:
                record.seal_status = "pending" if record.id else False
            elif run.state == "failed" and 0 < run.first_bad_seq <= seq:
                record.seal_status = "failed"
            elif run.state == "ok" and run.head_seq >= seq:
                record.seal_status = "verified"
            else:
                record.seal_status = "sealed"

    # ------------------------------------------------------------------ retention

    def _seal_retention_start(self):
        """Date from which retention runs (default: creation); override for device life."""
        self.ensure_one()
        return (self.create_date or fields.Datetime.now()).date()

    def _seal_is_implantable(self):
        """Whether the implantable-device retention applies (bridges override this)."""
        self.ensure_one()
        return False

    def _seal_retention_floors(self, policies):
        """{id: [dates]}: further dates before which a record must not be purged under the
        active ``policies`` (device lifetime, expiry, last unit placed on the market); the
        earliest purge date is the latest of all. Models that know their devices extend this."""
        return {}

    def _seal_retention_dates(self):
        """{id: date or False (permanent)} under the active retention periods: the latest of
        every applicable rule."""
        policies = self.env["audit.seal.retention"].sudo().search([])
        floors = self._seal_retention_floors(policies) if policies else {}
        result = {}
        for record in self:
            implantable = record._seal_is_implantable()
            start = record._seal_retention_start()
            until = max([start, *floors.get(record.id, ())])
            for policy in policies:
                years = policy._seal_years(implantable)
                if years is None:
                    until = False
                    break
                until = max(until, start + relativedelta(years=years))
            result[record.id] = until
        return result

    @api.depends("create_date")
    def _compute_seal_retention_until(self):
        dates = self._seal_retention_dates() if self.ids else {}
        for record in self:
            until = dates.get(record.id, False) if record.id else False
            record.seal_retention_until = until
            record.seal_retention_permanent = bool(record.id) and until is False

    def _seal_purge(self):
        """Delete records whose retention date has passed, leaving a purge entry in the ledger.

        Refuses (and deletes nothing) when one of the records is still under retention.
        """
        entry_model = self.env["audit.seal.entry"]
        if not (self.env.su or self.env.user.has_group("audit_seal.group_seal_manager")):
            raise UserError(self.env._("Only an Audit Seal manager can purge sealed records."))
        today = fields.Date.context_today(self)
        dates = self._seal_retention_dates()
        kept = self.filtered(lambda rec: dates[rec.id] is False or dates[rec.id] > today)
        if kept:
            details = ", ".join(
                "%s (%s)"
                % (
                    rec.display_name,
                    dates[rec.id] or self.env._("kept permanently"),
                )
                for rec in kept[:5]
            )
            raise UserError(
                self.env._(
                    "Nothing was deleted: %(count)s record(s) are still under retention: "
                    "%(details)s.",
                    count=len(kept),
                    details=details,
                )
            )
        if not self:
            return True
        entry_model._seal_register_purge(
            self, {rec.id: {"retained_until": dates[rec.id]} for rec in self}
        )
        cr = self.env.cr
        keys = {(rec._name, rec.id) for rec in self}
        purging = cr.cache.setdefault(PURGING_KEY, set())
        purging |= keys
        seal_sql.set_purge(cr, True)
        try:
            result = self.sudo().with_context(audit_seal_vacuum=False).unlink()
            self.env.flush_all()
        finally:
            seal_sql.set_purge(cr, False)
            purging -= keys
        _logger.info("audit_seal: purged %d %s record(s) after retention", len(keys), self._name)
        return result

    def _seal_filter_expired(self):
        today = fields.Date.context_today(self)
        dates = self._seal_retention_dates()
        return self.filtered(lambda rec: dates[rec.id] is not False and dates[rec.id] <= today)
