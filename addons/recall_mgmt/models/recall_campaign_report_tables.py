"""The tables every regulator report carries, whatever the jurisdiction: products, lots, units per
holder, consignees, distribution by area, and their totals (see recall_campaign_report.py)."""

from collections import defaultdict

from odoo import api, models

#: consignees outside this country are foreign in the FDA report (806.10(c)(11))
FDA_DOMESTIC = "US"


class RecallCampaign(models.Model):
    _inherit = "recall.campaign"

    def _recall_report_common(self):
        """Products, lots, units, consignees, distribution and totals (any jurisdiction)."""
        self.ensure_one()
        lines = self._recall_report_lines()
        lots = (self.scope_lot_ids | lines.lot_id).sorted(
            lambda lot: (lot.product_id.display_name or "", lot.name or "")
        )
        partner_lines = lines.filtered(lambda line: line.holder_type == "partner")
        entered = self._recall_report_entered(lots)
        units = self._recall_report_unit_rows(lines, lots)
        lot_rows = self._recall_report_lot_rows(lots, lines, entered)
        consignees = self._recall_report_consignee_rows(partner_lines)
        distribution = self._recall_report_distribution(partner_lines)
        totals = self._recall_report_totals(lines, lots, entered, units, distribution)
        return {
            "products": self._recall_report_product_rows(lots),
            "lots": lot_rows,
            "units": units,
            "consignees": consignees,
            "distribution": distribution,
            "totals": totals,
            "lot_names": ", ".join(row["lot"] for row in lot_rows if row["lot"]),
            "serial_names": ", ".join(row["serial"] for row in lot_rows if row["serial"]),
            "manufacture_range": self._recall_range(row["manufacture_date"] for row in lot_rows),
            "expiry_range": self._recall_range(row["expiry_date"] for row in lot_rows),
            "distribution_range": self._recall_range(
                [row["first_date"][:10] for row in consignees]
                + [row["last_date"][:10] for row in consignees]
            ),
        }

    def _recall_report_lines(self):
        """The impact lines in report order: product, lot, consignees before own stock, then
        the holder and its delivery address."""
        return self.line_ids.sorted(
            lambda line: (
                line.product_id.display_name or "",
                line.lot_id.name or "",
                line.holder_type != "partner",
                line.commercial_partner_id.display_name or line.location_id.complete_name or "",
                line.partner_id.display_name or "",
            )
        )

    @api.model
    def _recall_report_labels(self, model, field):
        """{value: label} of a selection field, in the reader's language."""
        return dict(self.env[model]._fields[field]._description_selection(self.env))

    @api.model
    def _recall_report_lot_values(self, lot):
        """What identifies a unit: product, lot or serial, UDI, dates."""
        serial = lot.product_id.tracking == "serial"
        return {
            "product": lot.product_id.display_name,
            "lot": "" if serial else lot.name,
            "serial": lot.name if serial else "",
            "udi_hri": lot.udi_hri or "",
            "udi_di": lot.udi_di or "",
            "manufacture_date": self._recall_fmt_date(lot.udi_manufacture_date),
            "expiry_date": self._recall_fmt_date(lot.udi_expiry_date),
        }

    # ------------------------------------------------------------------ units and lots

    def _recall_report_unit_rows(self, lines, lots):
        """One row per lot x holder; the lots nobody holds any more get a row of their own."""
        notice_states = self._recall_report_labels("recall.notice", "state")
        holder_types = self._recall_report_labels("recall.campaign.line", "holder_type")
        units = [self._recall_report_unit_row(line, notice_states, holder_types) for line in lines]
        nobody = self._recall_report_unheld_values()
        units.extend(
            {**self._recall_report_lot_values(lot), **nobody} for lot in lots - lines.lot_id
        )
        return units

    def _recall_report_unit_row(self, line, notice_states, holder_types):
        """The row of one impact line: the unit, its holder, quantities, dates, notice."""
        holder, where, state, country = self._recall_report_holder(line)
        return {
            **self._recall_report_lot_values(line.lot_id),
            "holder_type": holder_types.get(line.holder_type, ""),
            "holder": holder or "",
            "address": where or "",
            "state": state or "",
            "country": country or "",
            "shipped": line.received_quantity,
            "held": line.quantity,
            "on_hand": line.reported_on_hand,
            "used": line.reported_used,
            "returned": line.reported_returned,
            "destroyed": line.reported_destroyed,
            "recovered": line.recovered_quantity,
            "first_date": self._recall_fmt_datetime(line.first_date),
            "last_date": self._recall_fmt_datetime(line.last_date),
            "documents": line.documents or "",
            "notice": line.notice_id.name or "",
            "notice_state": notice_states.get(line.notice_id.state, ""),
        }

    @api.model
    def _recall_report_unheld_values(self):
        """The holder part of the row of a lot nobody holds any more."""
        texts = ["holder", "address", "state", "country", "first_date", "last_date"]
        texts += ["documents", "notice", "notice_state"]
        quantities = ["shipped", "held", "on_hand", "used", "returned", "destroyed", "recovered"]
        return {
            "holder_type": self.env._("No current holder"),
            **dict.fromkeys(texts, ""),
            **dict.fromkeys(quantities, 0.0),
        }

    def _recall_report_holder(self, line):
        """(holder, address or location, state, country) of an impact line: a consignee's
        delivery address, or a location of our own stock."""
        if line.holder_type != "partner":
            return self.company_id.name, line.location_id.complete_name, "", ""
        address = line.partner_id
        entity = line.commercial_partner_id
        where = self._recall_address(address)
        if address != entity:
            where = ", ".join(part for part in (address.name, where) if part)
        state = (address.state_id or entity.state_id).name
        country = (address.country_id or entity.country_id).name
        return entity.display_name, where, state, country

    def _recall_report_lot_rows(self, lots, lines, entered):
        """One row per lot or serial in scope, with its quantities over every holder."""
        rows = []
        for lot in lots:
            mine = lines.filtered(lambda line, lot=lot: line.lot_id == lot)
            theirs = mine.filtered(lambda line: line.holder_type == "partner")
            rows.append(
                {
                    **self._recall_report_lot_values(lot),
                    "entered": entered.get(lot.id, 0.0),
                    "shipped": sum(theirs.mapped("received_quantity")),
                    "held_by_consignees": sum(theirs.mapped("quantity")),
                    "own_stock": sum((mine - theirs).mapped("quantity")),
                    "located": sum(theirs.mapped("reported_located")),
                    "recovered": sum(theirs.mapped("recovered_quantity")),
                    "consignee_count": len(theirs.commercial_partner_id),
                }
            )
        return rows

    def _recall_report_entered(self, lots):
        """{lot id: units that entered our stock from a supplier or from production}: the
        quantity manufactured or imported (生产/进口数量, 806.10(c)(9))."""
        if not lots:
            return {}
        domain = [
            ("lot_id", "in", lots.ids),
            ("state", "=", "done"),
            ("location_id.usage", "in", ("supplier", "production")),
            ("location_dest_id.usage", "=", "internal"),
        ]
        groups = (
            self.env["stock.move.line"]
            .sudo()
            ._read_group(domain, ["lot_id"], ["quantity_product_uom:sum"])
        )
        return {lot.id: quantity for lot, quantity in groups}

    @api.model
    def _recall_report_product_rows(self, lots):
        """One row per device in scope, with its registration and classification data."""
        classes = self._recall_report_labels("product.template", "udi_nmpa_class")
        eu_classes = self._recall_report_labels("product.template", "udi_eu_class")
        rows = []
        for product in lots.product_id.sorted("display_name"):
            template = product.product_tmpl_id
            rows.append(
                {
                    "product": product.display_name,
                    "default_code": product.default_code or "",
                    "brand": template.udi_brand or "",
                    "model": template.udi_model or "",
                    "description": template.udi_description or "",
                    "primary_di": template.udi_primary_di or "",
                    "basic_di": template.udi_basic_di or "",
                    "registration": template.udi_registration_number or "",
                    "premarket": template.udi_fda_premarket_number or "",
                    "product_code": template.udi_fda_product_code or "",
                    "nmpa_class": classes.get(template.udi_nmpa_class, ""),
                    "nmpa_class_code": template.udi_nmpa_class or "",
                    "nmpa_category": template.udi_nmpa_category_code or "",
                    "fda_class": classes.get(template.udi_fda_class, ""),
                    "eu_class": eu_classes.get(template.udi_eu_class, ""),
                    "gmdn": template.udi_gmdn_code or "",
                    "life_years": template.udi_life_years or "",
                }
            )
        return rows

    # ------------------------------------------------------------------ consignees and areas

    def _recall_report_consignee_rows(self, partner_lines):
        """One row per delivery address, ordered by consignee company then address."""
        notice_states = self._recall_report_labels("recall.notice", "state")
        by_address = defaultdict(lambda: self.env["recall.campaign.line"])
        for line in partner_lines:
            by_address[line.partner_id] |= line
        ordered = sorted(
            by_address.items(),
            key=lambda item: (
                item[0].commercial_partner_id.display_name or "",
                item[0].display_name or "",
            ),
        )
        return [
            self._recall_report_consignee_row(address, group, notice_states)
            for address, group in ordered
        ]

    def _recall_report_consignee_row(self, address, group, notice_states):
        """The row of one delivery address from its impact lines ``group``."""
        entity = address.commercial_partner_id
        notice = group.notice_id[:1]
        firsts = [d for d in group.mapped("first_date") if d]
        lasts = [d for d in group.mapped("last_date") if d]
        return {
            "consignee": entity.display_name,
            "delivery_address": address.name if address != entity else "",
            "address": self._recall_address(address) or self._recall_address(entity),
            "state": (address.state_id or entity.state_id).name or "",
            "country": (address.country_id or entity.country_id).name or "",
            "country_code": (address.country_id or entity.country_id).code or "",
            "phone": address.phone or entity.phone or "",
            "email": address.email or entity.email or "",
            "gln": address.udi_gln or entity.udi_gln or "",
            "licence": entity.udi_licence_number or "",
            "roles": ", ".join(entity.udi_role_ids.mapped("name")),
            "lots": ", ".join(sorted(set(group.lot_id.mapped("name")))),
            "shipped": sum(group.mapped("received_quantity")),
            "first_date": self._recall_fmt_datetime(min(firsts)) if firsts else "",
            "last_date": self._recall_fmt_datetime(max(lasts)) if lasts else "",
            "notice": notice.name or "",
            "notice_state": notice_states.get(notice.state, ""),
            "sent_at": self._recall_fmt_datetime(notice.sent_at),
            "acknowledged_at": self._recall_fmt_datetime(notice.acknowledged_at),
            "located": sum(group.mapped("reported_located")),
            "recovered": sum(group.mapped("recovered_quantity")),
        }

    def _recall_report_distribution(self, partner_lines):
        """One row per country and state/province: consignees, addresses, units shipped."""
        areas = defaultdict(lambda: {"entities": set(), "addresses": set(), "shipped": 0.0})
        for line in partner_lines:
            entity = line.commercial_partner_id
            country = line.partner_id.country_id or entity.country_id
            state = line.partner_id.state_id or entity.state_id
            area = areas[(country.name or "", state.name or "")]
            area["entities"].add(entity.id)
            area["addresses"].add(line.partner_id.id)
            area["shipped"] += line.received_quantity
        return [
            {
                "country": country or self.env._("Country not recorded"),
                "state": state,
                "consignee_count": len(area["entities"]),
                "address_count": len(area["addresses"]),
                "shipped": area["shipped"],
            }
            for (country, state), area in sorted(areas.items())
        ]

    def _recall_report_totals(self, lines, lots, entered, units, distribution):
        """The figures over every lot and holder, as the header sections quote them."""
        partner_lines = lines.filtered(lambda line: line.holder_type == "partner")
        own_lines = lines - partner_lines
        entities = partner_lines.commercial_partner_id
        foreign = entities.filtered(lambda p: p.country_id and p.country_id.code != FDA_DOMESTIC)
        role_counts = defaultdict(int)
        for entity in entities:
            for role in entity.udi_role_ids or [False]:
                role_counts[role.name if role else self.env._("Other")] += 1
        return {
            "entered": sum(entered.values()),
            "shipped": sum(partner_lines.mapped("received_quantity")),
            "held_by_consignees": sum(partner_lines.mapped("quantity")),
            "own_stock": sum(own_lines.mapped("quantity")),
            "located": sum(partner_lines.mapped("reported_located")),
            "recovered": sum(partner_lines.mapped("recovered_quantity")),
            "lot_count": len(lots),
            "unit_rows": len(units),
            "consignee_count": len(entities),
            "address_count": len(partner_lines.partner_id),
            "domestic_count": len(entities - foreign),
            "foreign_count": len(foreign),
            "consignee_types": ", ".join(
                f"{name}: {count}" for name, count in sorted(role_counts.items())
            ),
            "consignee_roles": ", ".join(sorted(role_counts)),
            "areas": "; ".join(
                self.env._(
                    "%(area)s: %(count)s consignee(s), %(units)s unit(s)",
                    area=" ".join(part for part in (row["state"], row["country"]) if part),
                    count=row["consignee_count"],
                    units=self._recall_report_qty(row["shipped"]),
                )
                for row in distribution
            ),
        }
