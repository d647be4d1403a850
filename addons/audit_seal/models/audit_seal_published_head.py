from odoo import api, fields, models


class AuditSealPublishedHead(models.Model):
    """A signed ledger head given to someone outside the database (a partner's notice mail).

    Someone who can write to the database can cut the newest entries of the ledger together
    with their checkpoints: the shorter chain still verifies on its own. Each head handed out is
    evidence the partner keeps; a later ledger must still hold that entry with that hash.
    Verification compares the ledger with every head recorded here (the copies outside are the
    proof that holds even when these rows are removed too).
    """

    _name = "audit.seal.published.head"
    _description = "Published Ledger Head"
    _order = "id desc"
    _log_access = False

    seq = fields.Integer(string="Head Entry", required=True, readonly=True, index=True)
    head_hash = fields.Char(required=True, readonly=True)
    signature = fields.Char(string="Signature (base64)", required=True, readonly=True)
    key_id = fields.Char(string="Key ID", required=True, readonly=True)
    published_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    document = fields.Char(readonly=True, help="Where the head was given (document, recipient).")

    @api.model
    def _seal_publish(self, document):
        """Record and return the latest signed head (None before the first checkpoint)."""
        checkpoint = self.env["audit.seal.checkpoint"].sudo().search([], limit=1)
        if not checkpoint:
            return None
        return self.sudo().create(
            {
                "seq": checkpoint.seq_to,
                "head_hash": checkpoint.head_hash,
                "signature": checkpoint.signature,
                "key_id": checkpoint.key_id,
                "document": document,
            }
        )

    @api.model
    def _seal_missing_heads(self):
        """Texts for the heads handed out that the ledger no longer holds."""
        self.env.cr.execute(
            """
            SELECT p.seq, p.head_hash, min(p.published_at), min(p.document)
              FROM audit_seal_published_head p
              LEFT JOIN audit_seal_entry e ON e.seq = p.seq AND e.entry_hash = p.head_hash
             WHERE e.id IS NULL
             GROUP BY p.seq, p.head_hash
             ORDER BY p.seq
            """
        )
        return [
            self.env._(
                "entry %(seq)s with hash %(hash)s, given out as signed head on %(date)s "
                "(%(document)s), is no longer in the ledger: entries were removed or rewritten",
                seq=seq,
                hash=head_hash[:16],
                date=fields.Datetime.to_string(published_at),
                document=document or "",
            )
            for seq, head_hash, published_at, document in self.env.cr.fetchall()
        ]
