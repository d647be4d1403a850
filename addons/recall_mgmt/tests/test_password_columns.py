"""The 19.0.1.2.0 migration drops the password columns older versions stored typed passwords in."""

from odoo.modules.module import load_script
from odoo.tests import TransactionCase

SCRIPT = "recall_mgmt/migrations/19.0.1.2.0/post-migrate.py"
TABLES = ("recall_sign_wizard", "recall_response_wizard")


class TestPasswordColumnsDropped(TransactionCase):
    def _columns(self, table):
        self.env.cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s",
            [table],
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def test_update_drops_the_stored_passwords(self):
        """A database upgraded from before the fields became column-less still has the columns,
        filled with what signers typed: the update drops them, and nothing else."""
        for table in TABLES:
            self.assertNotIn("password", self._columns(table))
            self.env.cr.execute(f"ALTER TABLE {table} ADD COLUMN password varchar")
        others = {table: self._columns(table) - {"password"} for table in TABLES}
        script = load_script(SCRIPT, "recall_password_columns")
        self.assertEqual(script.drop_password_columns(self.env.cr), sorted(TABLES))
        for table in TABLES:
            self.assertEqual(self._columns(table), others[table])
        # the dialogs read without the column, and a second run changes nothing
        self.assertFalse(self.env["recall.sign.wizard"]._fields["password"].store)
        self.assertFalse(self.env["recall.response.wizard"]._fields["password"].store)
        self.env["recall.sign.wizard"].search([]).read(["password"])
        script.migrate(self.env.cr, "19.0.1.1.0")
        self.assertEqual(script.drop_password_columns(self.env.cr), [])
