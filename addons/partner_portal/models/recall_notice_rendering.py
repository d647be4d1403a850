"""Recall notices: what the portal page and the API show of a notice to its consignee (its
units, figures and required actions)."""

from odoo import fields, models

from ..lib.inputs import QTY_KEYS


class RecallNotice(models.Model):
    _inherit = "recall.notice"

    # ------------------------------------------------------------------ units and figures

    def _portal_lot_domain(self, search=None):
        self.ensure_one()
        domain = [("notice_id", "=", self.id), ("holder_type", "=", "partner")]
        if search:
            domain.append(("lot_id.name", "ilike", search))
        return domain

    def _portal_unit_count(self, search=None):
        """How many lots/serials of this notice match ``search``."""
        Line = self.env["recall.campaign.line"].sudo()
        [(count,)] = Line._read_group(
            self._portal_lot_domain(search), [], ["lot_id:count_distinct"]
        )
        return count

    def _portal_units(self, offset=0, limit=None, search=None):
        """The notice's units, one row per lot/serial: what was shipped to the consignee and
        when, and the quantities it reported last (a dict per lot, in lot order)."""
        Line = self.env["recall.campaign.line"].sudo()
        groups = Line._read_group(
            self._portal_lot_domain(search),
            ["product_id", "lot_id"],
            [
                "received_quantity:sum",
                "first_date:min",
                "last_date:max",
                "reported_on_hand:max",
                "reported_used:max",
                "reported_returned:max",
                "reported_destroyed:max",
                "documents:array_agg",
            ],
            order="product_id, lot_id",
            offset=offset,
            limit=limit,
        )
        lots = self.env["stock.lot"].sudo().browse([group[1].id for group in groups])
        lots.fetch(["name", "expiration_date", "product_id"])
        units = []
        for product, lot, shipped, first, last, on_hand, used, returned, destroyed, docs in groups:
            documents = sorted({doc for value in docs if value for doc in value.split(", ")})
            units.append(
                {
                    "lot": lot,
                    "lot_id": lot.id,
                    "lot_name": lot.name,
                    "product": product,
                    "product_name": product.display_name,
                    "serial": product.tracking == "serial",
                    "shipped": shipped,
                    "first_date": first,
                    "last_date": last,
                    "documents": documents,
                    "qty_on_hand": on_hand,
                    "qty_used": used,
                    "qty_returned": returned,
                    "qty_destroyed": destroyed,
                    "located": on_hand + used + returned + destroyed,
                }
            )
        return units

    def _portal_figures(self):
        """Totals of the notice's units in one query (the stored per-line figures)."""
        self.ensure_one()
        Line = self.env["recall.campaign.line"].sudo()
        [(lots, shipped, located, recovered)] = Line._read_group(
            self._portal_lot_domain(),
            [],
            [
                "lot_id:count_distinct",
                "received_quantity:sum",
                "reported_located:sum",
                "recovered_quantity:sum",
            ],
        )
        return {
            "lot_count": lots,
            "shipped": shipped or 0.0,
            "located": located or 0.0,
            "recovered": recovered or 0.0,
        }

    def _portal_required_actions(self):
        """The actions the recall asks of the consignee, as translated sentences."""
        campaign = self.sudo().campaign_id
        _ = self.env._
        actions = [
            (campaign.action_stop_use, _("Stop using the affected devices at once.")),
            (campaign.action_stop_distribution, _("Stop distributing them.")),
            (campaign.action_quarantine, _("Quarantine the units you hold.")),
            (campaign.action_return, _("Return them to us.")),
            (campaign.action_destroy, _("Destroy them and keep the evidence.")),
            (
                campaign.action_forward,
                _(
                    "Forward this notice to every customer you supplied them to, and tell us "
                    "who they are."
                ),
            ),
        ]
        return [text for wanted, text in actions if wanted]

    # ------------------------------------------------------------------ API description

    def _portal_notice_values(self, with_units=True):
        """The plain description of a notice its consignee may read (API)."""
        self.ensure_one()
        notice = self.sudo()
        campaign = notice.campaign_id
        classes = dict(campaign._fields["recall_class"]._description_selection(self.env))
        kinds = dict(campaign._fields["kind"]._description_selection(self.env))
        states = dict(notice._fields["state"]._description_selection(self.env))
        figures = notice._portal_figures()
        values = {
            "id": notice.id,
            "name": notice.name,
            "state": notice.state,
            "state_label": states.get(notice.state),
            "campaign": campaign.name,
            "title": campaign.title,
            "recall_class": campaign.recall_class,
            "recall_class_label": classes.get(campaign.recall_class),
            "kind": campaign.kind,
            "kind_label": kinds.get(campaign.kind),
            "reason": campaign.reason or "",
            "required_actions": notice._portal_required_actions(),
            "instructions": campaign.instructions or "",
            "sent_at": fields.Datetime.to_string(notice.sent_at) or False,
            "deadline": fields.Datetime.to_string(notice.deadline) or False,
            "overdue": notice.is_overdue,
            "acknowledged_at": fields.Datetime.to_string(notice.acknowledged_at) or False,
            "acknowledged_by": notice.acknowledged_by or False,
            "completed_at": fields.Datetime.to_string(notice.completed_at) or False,
            "portal_url": notice.access_url,
            "lot_count": figures["lot_count"],
            "qty_shipped": figures["shipped"],
            "qty_located": figures["located"],
        }
        if with_units:
            values["units"] = [_unit_values(unit) for unit in notice._portal_units()]
        return values


def _unit_values(unit):
    """The plain description of one unit row of :meth:`RecallNotice._portal_units` (API)."""
    return {
        "lot_id": unit["lot_id"],
        "lot": unit["lot_name"],
        "serial": unit["serial"],
        "product": unit["product_name"],
        "udi_di": unit["lot"].udi_di or False,
        "udi": unit["lot"].udi_hri or False,
        "shipped": unit["shipped"],
        "first_received": fields.Datetime.to_string(unit["first_date"]) or False,
        "last_received": fields.Datetime.to_string(unit["last_date"]) or False,
        "documents": unit["documents"],
        "reported": {key: unit[key] for key in QTY_KEYS},
    }
