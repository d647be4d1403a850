"""Recall notices: the consignee reports its own customers supplied with affected units.

Each row (customer, lot, quantity, shipping date) is checked against the trace as it stands,
becomes a captured EPCIS shipping event and a response of kind "onward"; the recall's impact
analysis then runs again, so that these customers get their own (draft) notices.
"""

import datetime
import uuid
from collections import defaultdict

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, plaintext2html

from odoo.addons.trace_events.lib import epcis

from ..lib import inputs


class RecallNotice(models.Model):
    _inherit = "recall.notice"

    def _portal_parse_date(self, value, errors, position):
        """A shipping date (``YYYY-MM-DD`` text or date), not in the future."""
        try:
            return inputs.parse_date(value, fields.Date.context_today(self))
        except inputs.PortalInputError as exc:
            errors.append(self._portal_row_error(position, exc))
            return None

    def _portal_onward_context(self):
        """What onward rows are checked against: the notice's lots, and per lot what the
        consignee holds now (see :meth:`_portal_onward_holdings`), when the units first
        reached it, who of its addresses holds most, and the GLNs it may not name."""
        lots, by_name = self._portal_lot_ids()
        own_glns = {
            self.partner_id.commercial_partner_id.udi_gln,
            self.company_id.partner_id.udi_gln,
        } - {False, None}
        return {
            "lots": lots,
            "by_name": by_name,
            **self._portal_onward_holdings(list(lots)),
            "zone": self._portal_onward_zone(),
            "own_glns": own_glns,
        }

    def _portal_onward_holdings(self, lot_ids):
        """Per lot, from the trace as it stands (every shipment recorded so far, ours and the
        consignee's onward ones, whoever recorded them): ``received`` (units that reached the
        consignee), ``available`` (what it holds less the units it reported used, destroyed or
        returned and not received back yet), ``first_dates`` (first arrival, UTC) and
        ``sources`` (the address of the consignee holding most)."""
        entity = self.partner_id.commercial_partner_id
        rows = [
            row
            for row in self.env["trace.event"].sudo()._trace_holders(lot_ids)
            if row["holder_type"] == "partner" and row["partner_id"]
        ]
        partners = self.env["res.partner"].sudo().browse({row["partner_id"] for row in rows})
        ours = {partner.id for partner in partners if partner.commercial_partner_id == entity}
        held, received, first_dates, sources = (defaultdict(float), defaultdict(float), {}, {})
        for row in rows:
            lot_id = row["lot_id"]
            if row["partner_id"] not in ours:
                continue
            held[lot_id] += row["quantity"]
            received[lot_id] += row["received_quantity"]
            if row["first_date"]:
                first = datetime.datetime.fromisoformat(row["first_date"]).replace(tzinfo=None)
                first_dates[lot_id] = min(first_dates.get(lot_id, first), first)
            if lot_id not in sources or row["quantity"] > sources[lot_id][1]:
                sources[lot_id] = (row["partner_id"], row["quantity"])
        reports = self._recall_latest_reports()
        back = self._recall_returned_quantities()
        available = defaultdict(float)
        for lot_id in lot_ids:
            report = reports.get((self.id, lot_id))
            # units reported used or destroyed have left the holdings already (trace events);
            # units reported returned leave them when the return is received
            pending = 0.0
            if report:
                pending = max(report.qty_returned - back.get((self.id, lot_id), 0.0), 0.0)
            available[lot_id] = held[lot_id] - pending
        return {
            "received": received,
            "available": available,
            "first_dates": first_dates,
            "sources": {lot_id: partner_id for lot_id, (partner_id, _qty) in sources.items()},
        }

    def _portal_onward_zone(self):
        """The time zone of the consignee's site, where its onward shipments happen: the
        partner's, else the company's (not the zone of whoever types the report)."""
        partner = self.partner_id
        tz_name = (
            partner.tz
            or partner.commercial_partner_id.tz
            or self.company_id.partner_id.tz
            or self.env.user.tz
            or "UTC"
        )
        try:
            return pytz.timezone(tz_name)
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    def _portal_parse_gln(self, gln, context, errors, position):
        """The customer's GLN (normalised; not the consignee's nor ours), False if not given."""
        normalize = self.env["res.partner"]._udi_normalized_gln
        try:
            return inputs.parse_gln(gln, normalize, context["own_glns"])
        except ValidationError as exc:
            errors.append(self._portal_row_error(position, exc.args[0]))
        except inputs.PortalInputError as exc:
            errors.append(self._portal_row_error(position, exc))
        return False

    def _portal_parse_quantity(self, quantity, lot, errors, position):
        """A quantity above 0; 1 for a serial number."""
        serial = lot.name if lot and lot.product_id.tracking == "serial" else None
        try:
            return inputs.parse_quantity(quantity, serial=serial)
        except inputs.PortalInputError as exc:
            errors.append(self._portal_row_error(position, exc))
            return None

    def _portal_parse_onward_row(self, row, context, errors, position):
        """One onward row read and checked against ``context`` (see
        :meth:`_portal_onward_context`); its problems are added to ``errors``."""
        _ = self.env._
        self._portal_unknown_keys(row, inputs.ONWARD_KEYS, errors, position)
        try:
            name = self._portal_clean_text(
                row.get("name"), _("The consignee's name"), limit=inputs.NAME_MAX
            )
            document = self._portal_clean_text(
                row.get("document"), _("The document"), limit=inputs.DOCUMENT_MAX
            )
        except UserError as exc:
            errors.append(self._portal_row_error(position, exc.args[0]))
            return None
        if not name:
            errors.append(_("row %(row)s: give the name of the consignee", row=position))
        gln = self._portal_parse_gln(row.get("gln"), context, errors, position)
        lot = self._portal_resolve_lot(row, context["lots"], context["by_name"], errors, position)
        quantity = self._portal_parse_quantity(row.get("quantity"), lot, errors, position)
        when = self._portal_parse_date(row.get("date"), errors, position)
        first = context["first_dates"].get(lot.id) if lot else None
        if when and first:
            self._portal_check_onward_arrival(lot, when, first, context, errors, position)
        if lot and quantity:
            self._portal_check_onward_quantity(lot, quantity, context, errors, position)
        return {
            "name": name,
            "gln": gln,
            "lot": lot,
            "quantity": quantity,
            "date": when,
            "document": document,
            "received_at": first,
            "source_id": context["sources"].get(lot.id) if lot else False,
        }

    def _portal_check_onward_arrival(self, lot, when, first, context, errors, position):
        """A shipment is not dated before the day the units reached the consignee (``first``,
        UTC), that day taken where the consignee is."""
        arrival = pytz.utc.localize(first).astimezone(context["zone"]).date()
        if when < arrival:
            errors.append(
                self.env._(
                    "row %(row)s: %(lot)s reached you on %(first)s, after %(date)s",
                    row=position,
                    lot=lot.name,
                    first=arrival.isoformat(),
                    date=when.isoformat(),
                )
            )

    def _portal_check_onward_quantity(self, lot, quantity, context, errors, position):
        """An onward shipment moves units the consignee still holds (rows of one report
        draw on the same units)."""
        _ = self.env._
        available = context["available"]
        if float_compare(quantity, available[lot.id], precision_digits=6) > 0:
            errors.append(
                _(
                    "row %(row)s: %(lot)s: %(quantity)s unit(s) reported shipped onward, but "
                    "you hold %(held)s of it now (%(received)s reached you; the rest is "
                    "recorded as shipped onward, used, destroyed or returned already)",
                    row=position,
                    lot=lot.name,
                    quantity=f"{quantity:g}",
                    held=f"{max(available[lot.id], 0.0):g}",
                    received=f"{context['received'][lot.id]:g}",
                )
            )
        available[lot.id] -= quantity

    def _portal_parse_onward(self, rows):
        """Validated onward rows ``[{name, gln, lot, quantity, date, document}]``, or a
        UserError listing every problem."""
        _ = self.env._
        if not isinstance(rows, (list, tuple)) or not rows:
            raise UserError(_("Give the onward shipments as a list of rows."))
        if len(rows) > inputs.ONWARD_MAX_ROWS:
            raise UserError(
                _(
                    "Report at most %(count)s onward shipments at a time.",
                    count=inputs.ONWARD_MAX_ROWS,
                )
            )
        context = self._portal_onward_context()
        errors, parsed = [], []
        for position, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                errors.append(_("row %(row)s is not an object", row=position))
                continue
            parsed.append(self._portal_parse_onward_row(row, context, errors, position))
        self._portal_refuse(errors)
        return parsed

    def _portal_onward_partners(self, parsed):
        """The consignees of onward rows: found by GLN among active partners, else by exactly
        the name typed (case aside, no wildcards) among healthcare partners without GLN, else
        created (companies with the healthcare role). A GLN held by a partner that cannot be
        used (archived, another company's) is refused without naming it."""
        Partner = self.env["res.partner"].sudo()
        companies = [False, self.company_id.id]
        glns = [row["gln"] for row in parsed if row["gln"]]
        by_gln, errors = {}, []
        if glns:
            for partner in Partner.with_context(active_test=False).search(
                [("udi_gln", "in", glns)]
            ):
                usable = partner.active and partner.company_id.id in companies
                by_gln[partner.udi_gln] = partner if usable else None
        for position, row in enumerate(parsed, start=1):
            if row["gln"] and row["gln"] in by_gln and not by_gln[row["gln"]]:
                errors.append(
                    self.env._(
                        "row %(row)s: GLN %(gln)s cannot be recorded for your customer here; "
                        "check it, or leave it empty and contact us",
                        row=position,
                        gln=row["gln"],
                    )
                )
        self._portal_refuse(errors)
        by_name, result = {}, []
        for row in parsed:
            key = row["name"].casefold()
            partner = by_gln.get(row["gln"]) if row["gln"] else by_name.get(key)
            if not partner and not row["gln"]:
                partner = self._portal_onward_partner_named(row["name"], companies)
            if not partner:
                partner = Partner.create(self._portal_onward_partner_vals(row))
                if row["gln"]:
                    by_gln[row["gln"]] = partner
            if not row["gln"]:
                by_name[key] = partner
            result.append(partner)
        return result

    def _portal_onward_partner_named(self, name, companies):
        """The healthcare company without GLN called exactly ``name`` (case aside)."""
        role = self.env.ref("udi_master.partner_role_healthcare")
        pattern = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        candidates = (
            self.env["res.partner"]
            .sudo()
            .search(
                [
                    ("name", "=ilike", pattern),
                    ("is_company", "=", True),
                    ("udi_role_ids", "in", role.ids),
                    ("udi_gln", "=", False),
                    ("company_id", "in", companies),
                ],
                order="id",
            )
        )
        key = name.casefold()
        return next((p for p in candidates if (p.name or "").casefold() == key), None)

    def _portal_onward_partner_vals(self, row):
        return {
            "name": row["name"],
            "is_company": True,
            "udi_gln": row["gln"] or False,
            "udi_role_ids": [(6, 0, self.env.ref("udi_master.partner_role_healthcare").ids)],
            "company_id": False,
            "comment": self.env._(
                "Reported by %(consignee)s as a customer supplied with devices of "
                "recall %(campaign)s.",
                consignee=self.partner_id.display_name,
                campaign=self.campaign_id.name,
            ),
        }

    def _portal_party_uri(self, partner, scope):
        if partner.udi_gln:
            return epcis.party_uri(partner.udi_gln)
        return epcis.local_uri(scope, "party", partner.id)

    def _portal_onward_events(self, parsed, partners):
        """EPCIS 2.0 shipping events (consignee -> its customer), one per row."""
        Event = self.env["trace.event"].sudo()
        products = self.env["product.product"].browse(
            list({row["lot"].product_id.id for row in parsed})
        )
        dis = Event._trace_product_dis(products)
        agencies = {
            level.di: level.issuing_agency
            for level in self.env["udi.di"]
            .sudo()
            .with_context(active_test=False)
            .search([("di", "in", [di for di in dis.values() if di])])
        }
        context = {
            "scope": Event._epcis_scope(),
            "dis": dis,
            "agencies": agencies,
            "zone": self._portal_onward_zone(),
            "now": fields.Datetime.now(),
        }
        return [
            self._portal_onward_event(row, partner, context)
            for row, partner in zip(parsed, partners, strict=True)
        ]

    def _portal_onward_event(self, row, partner, context):
        """The EPCIS shipping event of one onward row to ``partner``; ``context`` gives the
        URI scope, the products' DIs and their agencies, the consignee's zone and now."""
        Event = self.env["trace.event"].sudo()
        scope, zone = context["scope"], context["zone"]
        lot = row["lot"]
        product = lot.product_id
        serial = lot.name if product.tracking == "serial" else None
        lot_name = None if serial else lot.name
        di = context["dis"].get(product.id)
        if di:
            agency = context["agencies"].get(di, "gs1")
            uri = epcis.object_uri(agency, di, lot=lot_name, serial=serial)
        else:
            uri = epcis.local_uri(scope, "product", product.id, lot=lot_name, serial=serial)
        when = self._portal_onward_time(row, zone, context["now"])
        offset = Event._trace_tz_offset(when, zone.zone)
        source = self.env["res.partner"].sudo().browse(row["source_id"]) or self.partner_id
        source_uri = self._portal_party_uri(source, scope)
        dest_uri = self._portal_party_uri(partner, scope)
        event = {
            "type": "ObjectEvent",
            "eventID": f"urn:uuid:{uuid.uuid4()}",
            "eventTime": epcis.format_time(when, offset),
            "eventTimeZoneOffset": offset,
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "sourceList": [
                {"type": "owning_party", "source": source_uri},
                {"type": "possessing_party", "source": source_uri},
            ],
            "destinationList": [
                {"type": "owning_party", "destination": dest_uri},
                {"type": "possessing_party", "destination": dest_uri},
            ],
            f"{epcis.EXT_PREFIX}:document": row["document"] or self.name,
        }
        if serial:
            event["epcList"] = [uri]
        else:
            quantity = row["quantity"]
            event["quantityList"] = [
                {
                    "epcClass": uri,
                    "quantity": int(quantity) if float(quantity).is_integer() else quantity,
                }
            ]
        return event

    @api.model
    def _portal_onward_time(self, row, zone, now):
        """Noon of the shipping date where the consignee is, never before the units reached
        it (a shipment on the day they arrived is dated just after their arrival) nor in the
        future."""
        local_noon = zone.localize(datetime.datetime.combine(row["date"], datetime.time(12)))
        when = local_noon.astimezone(pytz.utc).replace(tzinfo=None, microsecond=0)
        if row.get("received_at"):
            when = max(
                when, row["received_at"].replace(microsecond=0) + datetime.timedelta(seconds=1)
            )
        return min(when, now)

    def _portal_report_onward(self, rows, channel="portal", note=None):
        """Record the consignee's own customers for the affected units: the shipments become
        captured trace events, each a response of kind "onward"; the recall's impact analysis
        then runs again so that these customers get their own (draft) notices."""
        notice = self._portal_check_consignee()
        notice._portal_check_open()
        note = self._portal_clean_text(note, self.env._("The note"))
        parsed = notice._portal_parse_onward(rows)
        notice = notice.with_company(notice.company_id)
        partners = notice._portal_onward_partners(parsed)
        events = notice._portal_onward_events(parsed, partners)
        responses = notice._portal_record_onward(parsed, partners, events, channel, note)
        notice._portal_announce_onward(responses, partners)
        return responses

    def _portal_record_onward(self, parsed, partners, events, channel, note):
        """Capture the onward shipping ``events`` and record one response per row."""
        Event = (
            self.env["trace.event"]
            .sudo()
            .with_company(self.company_id)
            .with_context(trace_epcis_refuse_unknown=True)
        )
        result = Event._epcis_capture(events)
        by_uid = {event.event_uid: event for event in Event.browse(result["event_ids"])}
        return (
            self.env["recall.response"]
            .sudo()
            .create(
                [
                    {
                        "notice_id": self.id,
                        "kind": "onward",
                        "channel": channel,
                        "lot_id": row["lot"].id,
                        "onward_partner_id": partner.id,
                        "onward_name": row["name"],
                        "onward_quantity": row["quantity"],
                        "onward_event_id": by_uid[event["eventID"]].id,
                        "note": note,
                    }
                    for row, partner, event in zip(parsed, partners, events, strict=True)
                ]
            )
        )

    def _portal_announce_onward(self, responses, partners):
        """Let the recall reach the customers reported (impact analysis again), ask its
        responsible to send their new notices, and log the report on the notice."""
        campaign = self.campaign_id.sudo()
        before = campaign.notice_ids
        campaign.action_analyze_impact()
        new_notices = campaign.notice_ids - before
        summary = self.env._(
            "%(consignee)s reported %(count)s onward shipment(s) to: %(customers)s.",
            consignee=self.partner_id.display_name,
            count=len(responses),
            customers=", ".join(sorted({p.display_name for p in partners})),
        )
        if new_notices:
            summary += " " + self.env._(
                "New notice(s) to review and send: %(notices)s.",
                notices=", ".join(new_notices.mapped("display_name")),
            )
            campaign.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=campaign.user_id.id or self.env.ref("base.user_admin").id,
                summary=self.env._("Onward consignees reported: send their notices"),
                note=plaintext2html(summary),
            )
        self.message_post(body=summary, subtype_xmlid="mail.mt_note")
