from odoo import api, fields, models

from ..lib.chain import checkpoint_message
from ..lib.keys import parse_public_key, verify_signature
from ..tools import seal_sql


class AuditSealCheckpoint(models.Model):
    """An Ed25519 signature over the chain head after one append (one per transaction)."""

    _name = "audit.seal.checkpoint"
    _description = "Audit Seal Signed Checkpoint"
    _order = "seq_to desc"
    _rec_name = "seq_to"
    _log_access = False

    seq_from = fields.Integer(string="First Entry", required=True, readonly=True)
    seq_to = fields.Integer(string="Last Entry (Head)", required=True, readonly=True)
    head_hash = fields.Char(string="Head Hash", required=True, readonly=True)
    signed_at = fields.Datetime(string="Signed At", required=True, readonly=True)
    key_id = fields.Char(string="Key ID", required=True, readonly=True, index=True)
    signature = fields.Char(string="Signature (base64)", required=True, readonly=True)
    key_ref_id = fields.Many2one("audit.seal.key", string="Signing Key", compute="_compute_key_ref")
    entry_count = fields.Integer(string="Entries", compute="_compute_entry_count")
    signature_valid = fields.Boolean(
        string="Signature Valid",
        compute="_compute_signature_valid",
        help="Checked against the registered public key and its validity period.",
    )

    _seq_to_unique = models.UniqueIndex("(seq_to)")

    def init(self):
        super().init()
        seal_sql.guard_ledger_table(self.env.cr, self._table)

    @api.depends("key_id")
    def _compute_key_ref(self):
        keys = self.env["audit.seal.key"].search([("key_id", "in", self.mapped("key_id"))])
        by_id = {key.key_id: key for key in keys}
        for checkpoint in self:
            checkpoint.key_ref_id = by_id.get(checkpoint.key_id, False)

    @api.depends("seq_from", "seq_to")
    def _compute_entry_count(self):
        for checkpoint in self:
            checkpoint.entry_count = checkpoint.seq_to - checkpoint.seq_from + 1

    def _compute_signature_valid(self):
        for checkpoint in self:
            key = checkpoint.key_ref_id
            valid = (
                bool(key)
                and key.valid_from <= checkpoint.signed_at
                and (not key.valid_to or checkpoint.signed_at < key.valid_to)
            )
            if valid:
                message = checkpoint_message(
                    checkpoint.seq_from,
                    checkpoint.seq_to,
                    checkpoint.head_hash,
                    checkpoint.signed_at,
                    checkpoint.key_id,
                )
                valid = verify_signature(
                    parse_public_key(key.public_key), message, checkpoint.signature
                )
            checkpoint.signature_valid = valid
