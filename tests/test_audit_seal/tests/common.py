from odoo.addons.audit_seal.tests.common import SealCase as LedgerCase
from odoo.addons.audit_seal.tests.common import write_key_file

__all__ = ["SealCase", "write_key_file"]


class SealCase(LedgerCase):
    """The ledger's test case on the sealed test model ``audit.seal.test.record``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Record = cls.env["audit.seal.test.record"]

    def seal(self, count=1, **vals):
        """Create ``count`` test records in one 'transaction' and run the pre-commit append."""
        records = self.Record.create(
            [
                {
                    "name": vals.get("name", "Record %s" % i),
                    "reference": "REF-%s" % i,
                    "quantity": 1.5 * (i + 1),
                    "partner_id": self.partner.id,
                    "note": "Stérile, lot 批号 %s" % i,
                    **vals,
                }
                for i in range(count)
            ]
        )
        self.Entry._seal_run_pending()  # the append, as the commit runs it
        return records
