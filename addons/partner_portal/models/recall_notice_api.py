"""Recall notices: the public API of the consignee (JSON-2 and XML-RPC).

Plain arguments and plain return values (ids, dicts, "YYYY-MM-DD HH:MM:SS" UTC times; a value
not set is false, XML-RPC has no null). Each method checks that the caller is a contact of the
notice's consignee, as the portal pages do.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib import evidence, inputs


class RecallNotice(models.Model):
    _inherit = "recall.notice"

    @api.model
    @api.readonly
    def portal_list(self, with_units=True):
        """The recall notices addressed to the caller's company, newest first, each with its
        units (lots/serials shipped to you, when, and what you reported last).

        Returns a list of dicts (see the README); drafts are never listed. Times are UTC
        ("YYYY-MM-DD HH:MM:SS"); a value not set is false (XML-RPC has no null).
        """
        entity = self.env.user.partner_id.commercial_partner_id
        notices = self.search(
            [("partner_id", "child_of", entity.id), ("state", "!=", "draft")],
            order="sent_at desc, id desc",
        )
        return [notice._portal_notice_values(with_units=bool(with_units)) for notice in notices]

    def portal_acknowledge(self, password):
        """Acknowledge this notice with your electronic signature: ``password`` is your login
        password (not the API key), the second component of the signature. Returns
        ``{"notice_id", "state", "signature_id", "signed_by", "signed_at", "ledger_head"}``,
        ``ledger_head`` being the latest signed head of our sealed ledger, ``{"seq",
        "head_hash", "signature"}`` (false before the ledger's first checkpoint): keep it, a
        later export of our ledger must still hold that entry with that hash."""
        signature = self._portal_acknowledge(password, channel="api")
        return {
            "notice_id": self.id,
            "state": self.sudo().state,
            "signature_id": signature.id,
            "signed_by": signature.signer_name,
            "signed_at": fields.Datetime.to_string(signature.signed_at),
            "ledger_head": self._portal_receipt_head(),
        }

    def portal_report(self, reports, note=None):
        """Report, per lot or serial, the units on hand, used, returned and destroyed:
        ``reports`` = ``[{"lot": "L123" (or "lot_id": 7), "qty_on_hand": 3, "qty_used": 0,
        "qty_returned": 0, "qty_destroyed": 2}]``. A later report restates the lot. All rows
        are checked first (numbers >= 0, lots of this notice, no more than shipped to you);
        if any is wrong nothing is recorded. Returns ``{"response_ids", "state"}``."""
        responses = self._portal_report(reports, channel="api", note=note)
        return {"response_ids": responses.ids, "state": self.sudo().state}

    def portal_report_onward(self, onward, note=None):
        """Report your own customers supplied with affected units: ``onward`` =
        ``[{"name": "Ruijin Hospital", "gln": "6901234000023" (optional), "lot": "L123"
        (or "lot_id"), "quantity": 5, "date": "2026-03-01", "document": "DN-778"
        (optional)}]``. Each row becomes a captured EPCIS shipping event and a response; the
        recall then reaches these customers. Returns ``{"response_ids", "event_ids",
        "partner_ids", "consignees"}``, ``consignees`` being the names as you gave them."""
        responses = self._portal_report_onward(onward, channel="api", note=note)
        return {
            "response_ids": responses.ids,
            "event_ids": responses.onward_event_id.ids,
            "partner_ids": responses.onward_partner_id.ids,
            "consignees": responses.sorted("id").mapped("onward_name"),
        }

    def portal_request_return(self, note=None):
        """Ask us to take back the units you hold (per your last report, else our trace):
        a return transfer is prepared for us to confirm. Returns ``{"picking_id",
        "picking"}``."""
        picking = self._portal_request_return(note=note)
        return {"picking_id": picking.id, "picking": picking.name}

    def portal_attach_evidence(self, files, note=None):
        """Attach evidence: ``files`` = ``[{"name": "certificate.pdf", "content": "<base64>"}]``
        (PDF, PNG or JPEG, 10 MB each by default). Returns ``{"response_id"}``."""
        self._portal_check_consignee()
        try:
            decoded = evidence.decode_files(files)
        except inputs.PortalInputError as exc:
            raise UserError(self._portal_input_message(exc)) from None
        response = self._portal_attach_evidence(decoded, note=note, channel="api")
        return {"response_id": response.id}
