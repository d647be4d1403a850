import os
import tempfile
from contextlib import contextmanager
from unittest.mock import patch

import psycopg2

from odoo.tests import TransactionCase, new_test_user
from odoo.tools import config, mute_logger

from odoo.addons.audit_seal.lib.keys import generate_private_key_pem
from odoo.addons.audit_seal.models.audit_seal_key import CONFIG_KEY_FILE


def write_key_file(folder, name="signing.pem"):
    path = os.path.join(folder, name)
    with open(path, "wb") as handle:
        handle.write(generate_private_key_pem())
    os.chmod(path, 0o600)
    return path


class SealCase(TransactionCase):
    """Seals with a key file of its own; every append stays in the test transaction.

    The tests of the ledger itself run on a small sealed test model: see the test-only module
    ``test_audit_seal`` (``tests/test_audit_seal`` of the repository), whose ``SealCase`` adds
    ``Record`` and ``seal()``.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key_dir = tempfile.TemporaryDirectory(prefix="audit_seal_test_")
        cls.addClassCleanup(cls.key_dir.cleanup)
        cls.key_path = write_key_file(cls.key_dir.name)
        cls.startClassPatcher(patch.dict(config.options, {CONFIG_KEY_FILE: cls.key_path}))
        cls.Entry = cls.env["audit.seal.entry"]
        cls.Checkpoint = cls.env["audit.seal.checkpoint"]
        cls.partner = cls.env["res.partner"].create({"name": "Seal Test Partner"})
        cls.manager = new_test_user(
            cls.env, login="seal_manager", groups="base.group_user,audit_seal.group_seal_manager"
        )
        cls.clerk = new_test_user(cls.env, login="seal_clerk", groups="base.group_user")
        cls.env["audit.seal.entry"]._seal_run_pending()

    def head_seq(self):
        self.env.cr.execute("SELECT coalesce(max(seq), 0) FROM audit_seal_entry")
        return self.env.cr.fetchone()[0]

    def entry_of(self, record):
        return self.Entry.search([("res_model", "=", record._name), ("res_id", "=", record.id)])

    def verify(self, **kwargs):
        return self.Entry.verify_chain(**kwargs)

    @contextmanager
    def triggers_disabled(self):
        """Act as a DBA who switches the guards off for this transaction."""
        self.env.cr.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            self.env.cr.execute("SET LOCAL session_replication_role = origin")
            self.env.invalidate_all()

    @contextmanager
    def assertRaisesSql(self, message):
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.Error) as caught:
            with self.env.cr.savepoint():
                yield
        self.assertIn(message, str(caught.exception))
