"""The event form shows its seal: ledger entry, hash, and what the last verification said."""

from odoo.tests import HttpCase, tagged

from .common import TraceCommon


@tagged("post_install", "-at_install")
class TestEventSealStatus(TraceCommon, HttpCase):
    FIELDS = {"seal_status": {}, "seal_entry_seq": {}, "seal_entry_hash": {}}

    def _read_as_clerk(self, event):
        """The form's read, as the web client makes it for a stock user."""
        self.authenticate(self.clerk.login, self.clerk.login)
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw/trace.event/web_read",
            {
                "model": "trace.event",
                "method": "web_read",
                "args": [event.ids],
                "kwargs": {"specification": self.FIELDS},
            },
        )[0]

    def test_event_shows_its_ledger_entry_and_verification(self):
        self.clerk = self.env["res.users"].create(
            {
                "name": "Seal Clerk",
                "login": "seal_clerk_ui",
                "password": "seal_clerk_ui",
                "group_ids": [(6, 0, self.env.ref("stock.group_stock_user").ids)],
            }
        )
        receipt = self._receive([(self.catheter_variant, "SEAL-1", 3)])
        event = self.Event.search([("picking_id", "=", receipt.id)])
        self.assertEqual(self._read_as_clerk(event)["seal_status"], "pending")
        self.env["audit.seal.entry"]._seal_run_pending()  # the commit
        values = self._read_as_clerk(event)
        self.assertEqual(values["seal_status"], "sealed")
        entry = self.env["audit.seal.entry"].search(
            [("res_model", "=", "trace.event"), ("res_id", "=", event.id)]
        )
        self.assertEqual(values["seal_entry_seq"], entry.seq)
        self.assertEqual(values["seal_entry_hash"], entry.entry_hash)
        self.env["audit.seal.verification"].sudo()._seal_run("manual")
        self.assertEqual(self._read_as_clerk(event)["seal_status"], "verified")
