"""Recall notices: the quantities the consignee reports per lot or serial (on hand, used,
returned, destroyed)."""

from odoo import models
from odoo.exceptions import UserError

from ..lib import inputs


class RecallNotice(models.Model):
    _inherit = "recall.notice"

    def _portal_report(self, reports, channel="portal", note=None):
        """Record quantity reports; lots may be given by id (``lot_id``) or name (``lot``)."""
        notice = self._portal_check_consignee()
        notice._portal_check_open()
        note = self._portal_clean_text(note, self.env._("The note"))
        if not isinstance(reports, (list, tuple)):
            raise UserError(self.env._("Give the reports as a list of rows, one per lot/serial."))
        lots, by_name = notice._portal_lot_ids()
        errors, resolved, seen = [], [], set()
        for position, entry in enumerate(reports, start=1):
            row = notice._portal_report_row(entry, lots, by_name, seen, errors, position)
            if row:
                resolved.append(row)
        notice._portal_refuse(errors)
        return notice._recall_report(resolved, channel=channel, note=note)

    def _portal_report_row(self, entry, lots, by_name, seen, errors, position):
        """``{lot_id, qty_...}`` of one report row (its lot not in ``seen`` yet), else
        ``None``; its problems are added to ``errors``."""
        _ = self.env._
        if not isinstance(entry, dict):
            errors.append(_("row %(row)s is not an object", row=position))
            return None
        self._portal_unknown_keys(entry, inputs.REPORT_KEYS, errors, position)
        lot = self._portal_resolve_lot(entry, lots, by_name, errors, position)
        if not lot:
            return None
        if lot.id in seen:
            errors.append(_("row %(row)s: %(lot)s is reported twice", row=position, lot=lot.name))
            return None
        seen.add(lot.id)
        quantities, wrong = inputs.report_quantities(entry)
        for key in wrong:
            errors.append(_("row %(row)s: %(field)s must be a number", row=position, field=key))
        return {"lot_id": lot.id, **quantities}
