from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.audit_seal.tools.workflow import workflow

from ..lib.keyring import Keyring, KeyringError

PATIENT_GROUP = "implant_registry.group_patient_data_reader"
#: the clear patient fields and their ciphertext columns
PATIENT_FIELDS = {
    "patient_ref": "patient_ref_enc",
    "patient_contact": "patient_contact_enc",
}
#: the facts of a record, fixed when it is created (sealed in the ledger). The patient data is
#: not among them: it is encrypted, and erasable.
SEALED_FIELDS = (
    "name",
    "company_id",
    "event_type",
    "lot_id",
    "product_id",
    "udi_di_id",
    "udi_scan",
    "event_date",
    "facility_id",
    "physician",
    "source",
    "reporter_id",
    "reporter_partner_id",
    "implant_id",
    "explant_reason",
)
STATES = [
    ("implanted", "Implanted"),
    ("explanted", "Explanted"),
    ("voided", "Voided"),
]


class ImplantRecord(models.Model):
    """The implantation or the explantation of one unit (serial, or lot) of a tracked device in
    one patient at one facility (21 CFR 821.25(a)(2)-(3), EU MDR Art. 18, NMPA implant rules).

    Records are facts: sealed at creation, created only by the recording methods (staff from a
    hospital's report, the API, the portal). The patient id (a pseudonym chosen by the
    hospital) and any contact data are encrypted with a per-record data key wrapped by the
    keyring's current key (kept outside the database); only the Patient Data Reader group reads
    them in clear, every such read is logged in the sealed ledger, and everyone else sees the
    patient token, a keyed pseudonym of the patient id.
    """

    _name = "implant.record"
    _description = "Implant Record"
    _inherit = ["audit.seal.mixin", "audit.seal.workflow.mixin"]
    _order = "event_date desc, id desc"
    _check_company_auto = True
    _seal_fields = SEALED_FIELDS
    _workflow_fields = "__all__"

    name = fields.Char(string="Reference", required=True, readonly=True, default="/", copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, default=lambda s: s.env.company
    )
    event_type = fields.Selection(
        [("implant", "Implantation"), ("explant", "Explantation")],
        string="Event",
        required=True,
        readonly=True,
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Unit (serial/lot)",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
        ondelete="restrict",
    )
    product_id = fields.Many2one(
        "product.product", string="Device", required=True, readonly=True, index=True
    )
    udi_di_id = fields.Many2one("udi.di", string="UDI-DI", readonly=True)
    udi_scan = fields.Char(string="Scanned UDI", readonly=True)
    event_date = fields.Date(string="Date", required=True, readonly=True)
    facility_id = fields.Many2one(
        "res.partner",
        required=True,
        readonly=True,
        index=True,
        help="The hospital or clinic where the device was implanted or explanted.",
    )
    physician = fields.Char(readonly=True, help="The implanting or explanting physician.")
    state = fields.Selection(STATES, required=True, readonly=True, default="implanted", index=True)
    source = fields.Selection(
        [("staff", "Staff (hospital's report)"), ("api", "API"), ("portal", "Portal")],
        required=True,
        readonly=True,
        default="staff",
    )
    reporter_id = fields.Many2one(
        "res.users", string="Recorded by", readonly=True, default=lambda s: s.env.user
    )
    reporter_partner_id = fields.Many2one(
        "res.partner",
        string="Reported by",
        readonly=True,
        help="The person at the facility who reported the event, when known.",
    )
    implant_id = fields.Many2one(
        "implant.record",
        string="Implantation",
        readonly=True,
        index="btree_not_null",
        help="For an explantation: the implantation it ends.",
    )
    explant_id = fields.Many2one(
        "implant.record",
        string="Explantation",
        readonly=True,
        help="For an implantation: the explantation that ended it.",
    )
    explant_reason = fields.Text(string="Reason for explantation", readonly=True)
    trace_event_id = fields.Many2one("trace.event", string="EPCIS event", readonly=True)

    # ---- patient data: ciphertext only in the database
    patient_key_enc = fields.Char(
        string="Wrapped data key", readonly=True, groups="base.group_system", copy=False
    )
    patient_key_id = fields.Char(string="Key ID", readonly=True, copy=False)
    patient_ref_enc = fields.Char(readonly=True, groups="base.group_system", copy=False)
    patient_contact_enc = fields.Char(readonly=True, groups="base.group_system", copy=False)
    patient_token = fields.Char(
        string="Patient token",
        readonly=True,
        index=True,
        copy=False,
        help="A keyed pseudonym of the patient id at this facility: the same patient at the "
        "same facility has the same token; the patient id cannot be derived from it.",
    )
    patient_ref = fields.Char(
        string="Patient ID",
        compute="_compute_patient_clear",
        search="_search_patient_ref",
        help="The pseudonymous patient id chosen by the facility. Shown in clear to the "
        "Patient Data Reader group only (each read is logged); others see the patient token.",
    )
    patient_contact = fields.Char(
        string="Patient contact",
        compute="_compute_patient_clear",
        help="Contact data of the patient, if the facility gave any. Patient Data Reader only.",
    )
    erased_at = fields.Datetime(string="Patient data erased on", readonly=True)
    erased_by_id = fields.Many2one("res.users", string="Erased by", readonly=True)
    erasure_reason = fields.Text(readonly=True)

    _lot_single_open_implant = models.UniqueIndex(
        "(lot_id) WHERE event_type = 'implant' AND state = 'implanted'"
    )

    # ------------------------------------------------------------------ patient data

    @api.model
    def _implant_can_read_patient(self):
        return self.env.user.has_group(PATIENT_GROUP)

    @api.depends_context("uid")
    def _compute_patient_clear(self):
        if not self._implant_can_read_patient():
            for record in self:
                mask = record.patient_token or (
                    self.env._("(erased)") if record.erased_at else False
                )
                record.patient_ref = mask
                record.patient_contact = mask and "***"
            return
        clear = self._implant_decrypt_patient()
        for record in self:
            values = clear.get(record.id, {})
            record.patient_ref = values.get("patient_ref", False)
            record.patient_contact = values.get("patient_contact", False)
        self.env["implant.patient.access"]._implant_log_reads(
            self.filtered(lambda r: r.id in clear), ["patient_ref", "patient_contact"]
        )

    def _implant_decrypt_patient(self):
        """{record id: {field: clear value}} of the stored records that have patient data.
        No access check: callers check the group and log the read."""
        records = self.sudo().filtered(lambda r: r.id and r.patient_key_enc)
        if not records:
            return {}
        keyring = self.env["implant.keyring"]._implant_keyring()
        result = {}
        for record in records:
            try:
                data_key = keyring.unwrap(record.patient_key_enc)
                result[record.id] = {
                    name: Keyring.decrypt(data_key, record[column], name)
                    for name, column in PATIENT_FIELDS.items()
                    if record[column]
                }
            except KeyringError as exc:
                raise UserError(
                    self.env._(
                        "%(record)s: the patient data cannot be decrypted (%(error)s).",
                        record=record.display_name,
                        error=str(exc),
                    )
                ) from None
        return result

    @api.model
    def _implant_encrypt_patient(self, facility, patient_ref, patient_contact=None):
        """The stored values of the patient fields for a new record."""
        keyring = self.env["implant.keyring"]._implant_keyring()
        data_key = keyring.new_data_key()
        vals = {
            "patient_key_enc": keyring.wrap(data_key),
            "patient_key_id": keyring.current,
            "patient_ref_enc": Keyring.encrypt(data_key, patient_ref, "patient_ref"),
            "patient_token": keyring.token(facility.id, patient_ref),
        }
        if patient_contact:
            vals["patient_contact_enc"] = Keyring.encrypt(
                data_key, patient_contact, "patient_contact"
            )
        return vals

    def _search_patient_ref(self, operator, value):
        """The group finds a patient's records by patient id (through the token of each
        facility); anyone else may search by token only, never by the clear id."""
        values = [value] if isinstance(value, str) else list(value or ())
        values = [v for v in values if v]
        if operator not in ("=", "in") or not all(isinstance(v, str) for v in values):
            raise UserError(
                self.env._("Search implant records by patient id with 'is equal to' only.")
            )
        tokens = {v.strip() for v in values}
        if self._implant_can_read_patient():
            keyring = self.env["implant.keyring"]._implant_keyring()
            facilities = self.sudo()._read_group([("patient_token", "!=", False)], ["facility_id"])
            tokens |= {keyring.token(facility.id, v) for (facility,) in facilities for v in values}
        elif not all(v.startswith("P-") for v in tokens):
            raise AccessError(
                self.env._(
                    "Only the Patient Data Reader group can search implant records by patient "
                    "id. Search by patient token (P-...) instead."
                )
            )
        return [("patient_token", "in", list(tokens))]

    # ------------------------------------------------------------------ creation

    @workflow
    @api.model
    def _implant_create(self, vals_list):
        """Create records from checked values (``patient_ref``/``patient_contact`` in clear
        are encrypted here). The callers (wizard, API, portal) check the request first."""
        to_create = []
        sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            vals = dict(vals)
            patient_ref = vals.pop("patient_ref", None)
            patient_contact = vals.pop("patient_contact", None)
            if patient_ref:
                facility = self.env["res.partner"].browse(vals["facility_id"])
                vals.update(self._implant_encrypt_patient(facility, patient_ref, patient_contact))
            company = self.env["res.company"].browse(vals["company_id"])
            vals["name"] = sequence.with_company(company).next_by_code("implant.record") or "/"
            to_create.append(vals)
        return self.sudo().create(to_create)
