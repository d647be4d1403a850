import tempfile
from unittest.mock import patch

from odoo import api
from odoo.orm.environments import Transaction
from odoo.tests import BaseCase
from odoo.tools import config

from odoo.addons.audit_seal.models.audit_seal_key import CONFIG_KEY_FILE
from odoo.addons.audit_seal.tests.common import SealCase as LedgerCase
from odoo.addons.audit_seal.tests.common import write_key_file

__all__ = ["RealCommitCase", "SealCase", "write_key_file"]


class RealCommitCase(BaseCase):
    """Tests that commit for real, each connection its own cursor of the registry, signing
    with a key file of their own; they remove what they committed themselves."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from odoo.modules.registry import Registry
        from odoo.tests.common import get_db_name

        cls.registry = Registry(get_db_name())
        key_dir = tempfile.TemporaryDirectory(prefix="audit_seal_commit_")
        cls.addClassCleanup(key_dir.cleanup)
        key_file = write_key_file(key_dir.name)
        cls.startClassPatcher(patch.dict(config.options, {CONFIG_KEY_FILE: key_file}))

    def _env(self, cr):
        # the test runner holds the registry lock: give the cursor its transaction so that
        # Environment does not wait for that lock
        cr.transaction = Transaction(self.registry)
        return api.Environment(cr, api.SUPERUSER_ID, {})


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
