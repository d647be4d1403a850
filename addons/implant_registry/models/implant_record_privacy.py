from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.audit_seal.tools.workflow import workflow

from .implant_record import PATIENT_GROUP

ERASED_VALUES = {
    "patient_key_enc": False,
    "patient_ref_enc": False,
    "patient_contact_enc": False,
    "patient_token": False,
}


class ImplantRecord(models.Model):
    """Retention and erasure of the patient data, and the explicit reveal with a reason."""

    _inherit = "implant.record"

    retention_until = fields.Date(
        string="Patient data kept until",
        compute="_compute_retention_until",
        help="From the retention rules (Implant Registry > Configuration): empty while the "
        "end cannot be known yet (the device is implanted and has no expected lifetime).",
    )

    def _implant_chain(self):
        """The records that share the patient data of ``self``: implantations and their
        explantations."""
        implants = self.filtered(lambda r: r.event_type == "implant") | self.implant_id
        return implants | implants.explant_id

    def _compute_retention_until(self):
        for record in self:
            record.retention_until = record._implant_retention_until()

    def _implant_retention_until(self):
        self.ensure_one()
        implant = self if self.event_type == "implant" else self.implant_id
        if not implant:
            return False
        rules = self.env["implant.retention.rule"].sudo()._implant_rules(implant.company_id)
        dates = [rule._implant_until(implant, implant.explant_id) for rule in rules]
        if not dates or None in dates:
            return False
        return max(dates)

    def action_erase_patient_data(self):
        """Open the erasure dialog (Patient Data Reader)."""
        self._implant_check_eraser()
        return {
            "type": "ir.actions.act_window",
            "res_model": "implant.erase.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_record_ids": [(6, 0, self.ids)]},
        }

    def _implant_check_eraser(self):
        if not (self.env.su or self.env.user.has_group(PATIENT_GROUP)):
            raise AccessError(self.env._("Only the Patient Data Reader group erases patient data."))

    @workflow
    def _implant_erase_patient(self, reason, rule=None, override=False):
        """Crypto-shred the patient data of ``self`` and the records sharing it: the data
        key and the ciphertexts are cleared (a backup's copy stays unreadable once the
        keyring no longer holds the key), and the erasure is sealed with its reason."""
        self._implant_check_eraser()
        if not reason or not reason.strip():
            raise UserError(self.env._("Give the reason for erasing the patient data."))
        chain = self._implant_chain().sudo().filtered(lambda r: not r.erased_at)
        if not chain:
            raise UserError(self.env._("The patient data of these records is already erased."))
        today = fields.Date.context_today(self)
        if not override and not rule:
            kept = chain.filtered(lambda r: not r.retention_until or r.retention_until > today)
            if kept:
                raise UserError(
                    self.env._(
                        "%(records)s: the retention period has not ended (kept until %(date)s). "
                        "Erase before it ends only on a legal basis (a patient's request the "
                        "law allows): tick 'Erase before the end of retention' and say why.",
                        records=", ".join(kept.mapped("name")[:5]),
                        date=kept[0].retention_until or self.env._("not known yet"),
                    )
                )
        now = fields.Datetime.now()
        chain.write(
            dict(ERASED_VALUES, erased_at=now, erased_by_id=self.env.uid, erasure_reason=reason)
        )
        erasures = self.env["implant.patient.erasure"]
        for company in chain.company_id:
            erasures |= erasures.sudo().create(
                {
                    "company_id": company.id,
                    "record_ids": [
                        (6, 0, chain.filtered(lambda r, c=company: r.company_id == c).ids)
                    ],
                    "user_id": self.env.uid,
                    "erased_at": now,
                    "reason": reason,
                    "rule_id": rule.id if rule else False,
                }
            )
        return erasures

    @api.model
    def _implant_retention_purge(self):
        """Cron: erase the patient data whose retention period ended."""
        today = fields.Date.context_today(self)
        records = self.sudo().search(
            [
                ("event_type", "=", "implant"),
                ("erased_at", "=", False),
                ("patient_key_enc", "!=", False),
            ]
        )
        done = self.browse()
        for record in records:
            until = record._implant_retention_until()
            if until and until < today:
                rules = self.env["implant.retention.rule"].sudo()._implant_rules(record.company_id)
                rule = max(rules, key=lambda r: r._implant_until(record, record.explant_id))
                record.sudo()._implant_erase_patient(
                    self.env._(
                        "Retention period ended on %(date)s (%(rule)s).",
                        date=until.isoformat(),
                        rule=rule.name,
                    ),
                    rule=rule,
                )
                done |= record
        return done

    # ------------------------------------------------------------------ explicit reveal

    def read_patient_data(self, reason):
        """The clear patient data of ``self`` for a Patient Data Reader, with the reason of
        the read (logged in the sealed ledger with the route).

        :return: list of dicts ``id``, ``name``, ``patient_ref``, ``patient_contact``
        """
        if not self.env.user.has_group(PATIENT_GROUP):
            raise AccessError(self.env._("Only the Patient Data Reader group reads patient data."))
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(self.env._("Give the reason for reading the patient data."))
        self.check_access("read")
        records = self.with_context(implant_access_reason=reason.strip())
        return [
            {
                "id": record.id,
                "name": record.name,
                "patient_ref": record.patient_ref,
                "patient_contact": record.patient_contact,
            }
            for record in records
        ]
