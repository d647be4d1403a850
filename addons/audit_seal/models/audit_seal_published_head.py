from odoo import api, fields, models

from .audit_seal_verification import SealProblem


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
    company_id = fields.Many2one(
        "res.company",
        readonly=True,
        index=True,
        help="The company of the document the head was given with (empty: readable by the "
        "Audit Seal managers of every company).",
    )

    @api.model
    def _seal_publish(self, document, company=None):
        """Record and return the latest signed head (None before the first checkpoint).

        ``company`` is the company of the document that carries the head (a ``res.company``
        record or id; the current company when not given).
        """
        checkpoint = self.env["audit.seal.checkpoint"].sudo().search([], limit=1)
        if not checkpoint:
            return None
        if company is None:
            company = self.env.company
        return self.sudo().create(
            {
                "seq": checkpoint.seq_to,
                "head_hash": checkpoint.head_hash,
                "signature": checkpoint.signature,
                "key_id": checkpoint.key_id,
                "document": document,
                "company_id": company.id if isinstance(company, models.BaseModel) else company,
            }
        )

    @api.model
    def _seal_missing_heads(self):
        """Problems (:class:`SealProblem`) for the heads handed out that the ledger no longer
        holds: the document is named only to users of its company."""
        self.env.cr.execute(
            """
            SELECT p.seq, p.head_hash, p.company_id, min(p.published_at), min(p.document)
              FROM audit_seal_published_head p
              LEFT JOIN audit_seal_entry e ON e.seq = p.seq AND e.entry_hash = p.head_hash
             WHERE e.id IS NULL
             GROUP BY p.seq, p.head_hash, p.company_id
             ORDER BY p.seq, p.company_id
            """
        )
        problems = []
        for seq, head_hash, company_id, published_at, document in self.env.cr.fetchall():
            values = {
                "seq": seq,
                "hash": head_hash[:16],
                "date": fields.Datetime.to_string(published_at),
                "document": document or "",
            }
            problems.append(
                SealProblem(
                    self.env._(
                        "entry %(seq)s with hash %(hash)s, given out as signed head on %(date)s "
                        "(%(document)s), is no longer in the ledger: entries were removed or "
                        "rewritten",
                        **values,
                    ),
                    company_id,
                    self.env._(
                        "entry %(seq)s with hash %(hash)s, given out as signed head on %(date)s "
                        "(with a document of another company), is no longer in the ledger: "
                        "entries were removed or rewritten",
                        **values,
                    ),
                )
            )
        return problems
