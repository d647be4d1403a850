"""The compliance checks: one ``_check_…`` method per rule kind, set-based.

Each check receives the company and returns a :class:`CheckResult`: the number of records it
looked at (the population, for the error rate) and the offending records, either as one SQL
query (``SELECT res_model, res_id, name, detail``: the engine inserts its rows as findings in one
``INSERT … SELECT``) or, for the few checks whose rules live in Python, as rows. Every query is
parameterised, filtered by the company, and reads narrow columns over the indexes the tables
have, so that a run over a million event lines takes seconds (``bench/bench_self_assessment.py``).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from odoo import models
from odoo.tools import SQL
from odoo.tools.translate import code_translations

from odoo.addons.udi_master.lib import db_export

#: business steps by which a lot or serial enters our hands: made (commissioning), received
#: (receiving and EPCIS's other receiving steps), or found in stock by an inventory count (an
#: inventory adjustment, the entry of stock that predates the suite)
ENTRY_STEPS = ("commissioning", "receiving", "accepting", "arriving", "cycle_counting")


def pg_format(message, *names):
    """``message`` (translated, with named placeholders) as a PostgreSQL ``format()`` string:
    ``%(name)s`` becomes ``%n$s``, n the position of ``name`` in ``names`` (the order of the
    arguments the query passes), so that a translation may put them in any order."""
    message = message.replace("%", "%%")
    for position, name in enumerate(names, 1):
        message = message.replace(f"%%({name})s", f"%{position}$s")
    return message


@dataclass
class CheckResult:
    """What one check found: ``population`` records checked, the offenders as ``query``
    (SQL returning res_model, res_id, name, detail) or ``rows`` (the same tuples)."""

    population: int
    query: SQL | None = None
    rows: list = field(default_factory=list)


class UdiComplianceRule(models.Model):
    _inherit = "udi.compliance.rule"

    # ------------------------------------------------------------------ helpers

    def _compliance_count(self, query):
        self.env.cr.execute(query)
        return self.env.cr.fetchone()[0]

    def _compliance_lang(self):
        return self.env.lang or "en_US"

    def _compliance_name_sql(self, alias):
        """The translated name of the product template ``alias`` (a jsonb column)."""
        return SQL(
            "COALESCE(%s.name->>%s, %s.name->>'en_US')",
            SQL.identifier(alias),
            self._compliance_lang(),
            SQL.identifier(alias),
        )

    # ------------------------------------------------------------------ T16

    def _check_t16_lot_and_di(self, company):
        """EU MDR Art. 27(8) (T16): every done move line of an implantable or class III device
        names its lot/serial, and the device has an active UDI-DI."""
        joins = SQL(
            """
              FROM stock_move_line ml
              JOIN product_product pp ON pp.id = ml.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
            """
        )
        where = SQL(
            """
             WHERE ml.state = 'done' AND ml.company_id = %s AND ml.quantity > 0
               AND (pt.udi_implantable OR pt.udi_nmpa_class = '3' OR pt.udi_fda_class = '3'
                    OR pt.udi_eu_class = '3')
            """,
            company.id,
        )
        has_di = SQL(
            """EXISTS (SELECT 1 FROM udi_di d
                        WHERE d.active AND d.product_tmpl_id = pt.id
                          AND (d.product_id IS NULL OR d.product_id = pp.id))"""
        )
        population = self._compliance_count(SQL("SELECT count(*) %s %s", joins, where))
        query = SQL(
            """
            SELECT 'stock.move.line', ml.id,
                   concat_ws(' · ', m.reference, %(product)s, lot.name),
                   concat_ws('; ', CASE WHEN ml.lot_id IS NULL THEN %(no_lot)s END,
                                   CASE WHEN NOT %(has_di)s THEN %(no_di)s END)
              %(joins)s
              LEFT JOIN stock_lot lot ON lot.id = ml.lot_id
              LEFT JOIN stock_move m ON m.id = ml.move_id
              %(where)s
               AND (ml.lot_id IS NULL OR NOT %(has_di)s)
            """,
            product=self._compliance_name_sql("pt"),
            no_lot=self.env._("no lot/serial number"),
            no_di=self.env._("the device has no active UDI-DI"),
            has_di=has_di,
            joins=joins,
            where=where,
        )
        return CheckResult(population, query)

    # ------------------------------------------------------------------ T7

    def _compliance_published_sql(self):
        """SQL of the done move lines (``ml``, with ``pp``, ``pt``, ``c``: product, template,
        destination country) that break T7, as the shipping block of ``udi_change_control``
        (``stock.move._udi_check_published_destination``) would judge them on their date: the
        destination's country belongs to a jurisdiction with a UDI database (the first by
        sequence, as ``res.partner._udi_jurisdiction``) and the variant's base-unit DI (as
        ``product.product._udi_base_di``) is missing, was not published in that database on or
        before the shipping date (``udi.di.publication``), or was discontinued before it.
        Destinations under no such jurisdiction are not judged."""
        countries = self.env["recall.jurisdiction"]._fields["country_ids"]
        return SQL(
            """
              JOIN (SELECT DISTINCT ON (r.%(country_col)s)
                           r.%(country_col)s AS country_id, j.udi_database
                      FROM recall_jurisdiction j
                      JOIN %(relation)s r ON r.%(jurisdiction_col)s = j.id
                     WHERE j.active AND j.udi_database IS NOT NULL
                     ORDER BY r.%(country_col)s, j.sequence, j.id) jur ON jur.country_id = c.id
              LEFT JOIN (SELECT DISTINCT ON (v.id) v.id AS product_id, d.id, d.state
                           FROM product_product v
                           JOIN product_template t ON t.id = v.product_tmpl_id AND t.udi_regulated
                           JOIN udi_di d ON d.product_tmpl_id = t.id AND d.active
                                        AND d.packaging_level = 'base'
                                        AND (d.product_id = v.id OR d.product_id IS NULL)
                          ORDER BY v.id, d.product_id IS NULL, d.id) di
                     ON di.product_id = pp.id
             WHERE di.id IS NULL
                OR NOT EXISTS (SELECT 1 FROM udi_di_publication pub
                                WHERE pub.di_id = di.id AND pub.database = jur.udi_database
                                  AND pub.publish_date <= ml.date::date)
                OR (di.state = 'discontinued'
                    AND EXISTS (SELECT 1 FROM udi_di_transition t
                                 WHERE t.di_id = di.id AND t.to_state = 'discontinued'
                                   AND t.date <= ml.date))
            """,
            relation=SQL.identifier(countries.relation),
            country_col=SQL.identifier(countries.column2),
            jurisdiction_col=SQL.identifier(countries.column1),
        )

    def _check_t7_published_di(self, company):
        """CN-UDI-5, EU-7, US-UDI-6 (T7): no regulated device is shipped to a customer before its
        DI record is published in the UDI database of the destination's jurisdiction, nor after
        its DI was discontinued (the rules of the shipping block, judged on the shipping date)."""
        base = SQL(
            """
              FROM stock_move_line ml
              JOIN stock_location dest ON dest.id = ml.location_dest_id AND dest.usage = 'customer'
              JOIN product_product pp ON pp.id = ml.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id AND pt.udi_regulated
             WHERE ml.state = 'done' AND ml.company_id = %(company)s AND ml.quantity > 0
            """,
            company=company.id,
        )
        population = self._compliance_count(SQL("SELECT count(*) %s", base))
        query = SQL(
            """
            SELECT 'stock.move.line', ml.id,
                   concat_ws(' · ', m.reference, %(product)s, lot.name),
                   format(CASE WHEN di.id IS NULL THEN %(no_di)s
                               WHEN di.state = 'discontinued' AND EXISTS (
                                    SELECT 1 FROM udi_di_transition t
                                     WHERE t.di_id = di.id AND t.to_state = 'discontinued'
                                       AND t.date <= ml.date) THEN %(discontinued)s
                               ELSE %(unpublished)s END,
                          to_char(ml.date, 'YYYY-MM-DD'), c.code, upper(jur.udi_database))
              FROM (SELECT ml.* %(base)s) ml
              JOIN product_product pp ON pp.id = ml.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              LEFT JOIN stock_lot lot ON lot.id = ml.lot_id
              LEFT JOIN stock_move m ON m.id = ml.move_id
              LEFT JOIN stock_picking sp ON sp.id = ml.picking_id
              JOIN res_partner p ON p.id = COALESCE(sp.partner_id, m.partner_id)
              LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
              JOIN res_country c ON c.id = COALESCE(p.country_id, cp.country_id)
              %(published)s
            """,
            product=self._compliance_name_sql("pt"),
            unpublished=pg_format(
                self.env._(
                    "shipped on %(date)s to country %(country)s before its DI record was "
                    "published in %(database)s, the UDI database there"
                ),
                "date",
                "country",
                "database",
            ),
            discontinued=pg_format(
                self.env._(
                    "shipped on %(date)s to country %(country)s (%(database)s) after its "
                    "UDI-DI was discontinued"
                ),
                "date",
                "country",
                "database",
            ),
            no_di=pg_format(
                self.env._(
                    "shipped on %(date)s to country %(country)s (%(database)s) without a "
                    "base-unit UDI-DI"
                ),
                "date",
                "country",
                "database",
            ),
            base=base,
            published=self._compliance_published_sql(),
        )
        return CheckResult(population, query)

    # ------------------------------------------------------------------ chronology

    def _check_chronology(self, company):
        """US-QS-2, EU-3 (traceability): no lot or serial is shipped before it was made
        (commissioning, output of a transformation), received or first counted in our stock
        (``ENTRY_STEPS``), comparing the events' eventTime; events declared erroneous by a
        correction do not count. A lot with no such event is not judged."""
        live = SQL("NOT EXISTS (SELECT 1 FROM trace_event c WHERE c.corrected_event_id = e.id)")
        shipped = SQL(
            """
              FROM trace_event_line l
              JOIN trace_event e ON e.id = l.event_id
             WHERE e.company_id = %s AND e.biz_step = 'shipping' AND l.lot_id IS NOT NULL
               AND %s
            """,
            company.id,
            live,
        )
        population = self._compliance_count(SQL("SELECT count(*) %s", shipped))
        query = SQL(
            """
            WITH origin AS (
                SELECT l.lot_id, min(e.event_time) AS first_time
                  FROM trace_event_line l
                  JOIN trace_event e ON e.id = l.event_id
                 WHERE e.company_id = %(company)s AND l.lot_id IS NOT NULL
                   AND (e.biz_step IN %(entries)s
                        OR (e.event_type = 'transformation' AND l.role = 'output'))
                   AND %(live)s
              GROUP BY l.lot_id
            ), shipping AS (SELECT e.id, e.event_time, e.biz_transaction, e.event_uid,
                                   l.lot_id %(shipped)s)
            SELECT 'trace.event', s.id,
                   concat_ws(' · ', lot.name, COALESCE(s.biz_transaction, s.event_uid)),
                   format(%(detail)s, to_char(s.event_time, 'YYYY-MM-DD HH24:MI:SS'),
                          to_char(o.first_time, 'YYYY-MM-DD HH24:MI:SS'))
              FROM shipping s
              JOIN origin o ON o.lot_id = s.lot_id AND s.event_time < o.first_time
              JOIN stock_lot lot ON lot.id = s.lot_id
            """,
            company=company.id,
            entries=ENTRY_STEPS,
            live=live,
            shipped=shipped,
            detail=pg_format(
                self.env._(
                    "shipped at %(shipped)s UTC, before it was made or received "
                    "(first at %(first)s UTC)"
                ),
                "shipped",
                "first",
            ),
        )
        return CheckResult(population, query)

    # ------------------------------------------------------------------ expiry

    def _check_expiry_after_manufacture(self, company):
        """US-UDI-1, CN-UDI-3 (PI dates): a lot's expiry date comes after its manufacture date."""
        base = SQL(
            """
              FROM stock_lot lot
             WHERE (lot.company_id = %s OR lot.company_id IS NULL)
               AND lot.expiration_date IS NOT NULL AND lot.udi_manufacture_date IS NOT NULL
            """,
            company.id,
        )
        population = self._compliance_count(SQL("SELECT count(*) %s", base))
        query = SQL(
            """
            SELECT 'stock.lot', lot.id, lot.name,
                   format(%s, to_char(lot.expiration_date, 'YYYY-MM-DD'),
                          to_char(lot.udi_manufacture_date, 'YYYY-MM-DD'))
              %s AND lot.expiration_date::date <= lot.udi_manufacture_date
            """,
            pg_format(
                self.env._("expires on %(expiry)s, not after its manufacture date %(made)s"),
                "expiry",
                "made",
            ),
            base,
        )
        return CheckResult(population, query)

    # ------------------------------------------------------------------ licences

    def _check_consignee_licence(self, company):
        """CN-RET-2 (GSP: business licence of the consignee): every delivery of regulated
        devices went to a consignee whose licence was valid on the shipping date."""
        base = SQL(
            """
              FROM stock_picking sp
              JOIN stock_location dest ON dest.id = sp.location_dest_id AND dest.usage = 'customer'
              JOIN res_partner p ON p.id = sp.partner_id
              JOIN res_partner cp ON cp.id = p.commercial_partner_id
             WHERE sp.state = 'done' AND sp.company_id = %s
               AND EXISTS (SELECT 1 FROM stock_move m
                             JOIN product_product pp ON pp.id = m.product_id
                             JOIN product_template pt ON pt.id = pp.product_tmpl_id
                            WHERE m.picking_id = sp.id AND pt.udi_regulated)
            """,
            company.id,
        )
        population = self._compliance_count(SQL("SELECT count(*) %s", base))
        requires = SQL(
            """EXISTS (SELECT 1 FROM res_partner_udi_partner_role_rel r
                         JOIN udi_partner_role role ON role.id = r.udi_partner_role_id
                        WHERE r.res_partner_id = cp.id AND role.requires_licence)"""
        )
        query = SQL(
            """
            SELECT 'stock.picking', sp.id, concat_ws(' · ', sp.name, cp.name),
                   CASE WHEN cp.udi_licence_expiry < sp.date_done::date
                        THEN format(%(expired)s, to_char(sp.date_done, 'YYYY-MM-DD'),
                                    cp.udi_licence_number,
                                    to_char(cp.udi_licence_expiry, 'YYYY-MM-DD'))
                        ELSE format(%(missing)s, to_char(sp.date_done, 'YYYY-MM-DD')) END
              %(base)s
               AND (cp.udi_licence_expiry < sp.date_done::date
                    OR (COALESCE(cp.udi_licence_number, '') = '' AND %(requires)s))
            """,
            expired=pg_format(
                self.env._(
                    "shipped on %(date)s; the consignee's licence %(licence)s expired on %(expiry)s"
                ),
                "date",
                "licence",
                "expiry",
            ),
            missing=pg_format(
                self.env._("shipped on %(date)s; the consignee has no business licence on record"),
                "date",
            ),
            base=base,
            requires=requires,
        )
        return CheckResult(population, query)

    # ------------------------------------------------------------------ GLNs

    def _check_event_glns(self, company):
        """EP-2, EP-4 (EPCIS where/who): the parties (source and destination) and our locations
        (read point, business location) of the company's events have a GLN, so that the EPCIS
        export names them by GS1 identifiers rather than by local URIs."""
        query = SQL(
            """
            WITH parties AS (
                SELECT source_partner_id AS id FROM trace_event
                 WHERE company_id = %(company)s AND source_partner_id IS NOT NULL
                 UNION
                SELECT dest_partner_id FROM trace_event
                 WHERE company_id = %(company)s AND dest_partner_id IS NOT NULL
            ), places AS (
                SELECT read_point_id AS id FROM trace_event
                 WHERE company_id = %(company)s AND read_point_id IS NOT NULL
                 UNION
                SELECT biz_location_id FROM trace_event
                 WHERE company_id = %(company)s AND biz_location_id IS NOT NULL
            ), checked AS (
                SELECT 'res.partner' AS model, p.id, p.name, p.udi_gln AS gln
                  FROM parties JOIN res_partner p ON p.id = parties.id
                 UNION ALL
                SELECT 'stock.location', loc.id, loc.complete_name,
                       CASE WHEN wh.partner_id IS NOT NULL THEN whp.udi_gln ELSE comp.udi_gln END
                  FROM places
                  JOIN stock_location loc ON loc.id = places.id AND loc.usage = 'internal'
                  LEFT JOIN stock_warehouse wh ON wh.id = loc.warehouse_id
                  LEFT JOIN res_partner whp ON whp.id = wh.partner_id
                  LEFT JOIN res_company c ON c.id = loc.company_id
                  LEFT JOIN res_partner comp ON comp.id = c.partner_id
            )
            SELECT model, id, name,
                   CASE model WHEN 'res.partner' THEN %(party)s ELSE %(place)s END,
                   gln
              FROM checked
            """,
            company=company.id,
            party=self.env._("a party of trace events without a GLN"),
            place=self.env._("a location of trace events whose warehouse and company have no GLN"),
        )
        self.env.cr.execute(query)
        rows = self.env.cr.fetchall()
        return CheckResult(len(rows), rows=[row[:4] for row in rows if not row[4]])

    # ------------------------------------------------------------------ DI records

    def _compliance_publications(self, company):
        """``[(product.template, database)]``: the DI records of the company's devices published
        in each UDI database (``udi.di.publication`` of their DIs, NMPA, GUDID or EUDAMED), with
        the publication date on or before today."""
        publications = (
            self.env["udi.di.publication"]
            .sudo()
            .search(
                [
                    ("publish_date", "<=", datetime.date.today()),
                    ("product_tmpl_id.udi_regulated", "=", True),
                    ("company_id", "in", [company.id, False]),
                ]
            )
        )
        return list(
            dict.fromkeys(
                (publication.product_tmpl_id, publication.database) for publication in publications
            )
        )

    def _check_di_records_complete(self, company):
        """CN-UDI-5, US-UDI-5, US-UDI-6: a DI record published in a database holds every field that
        database requires (udi_master's ``lib/db_export.py`` rules for NMPA, GUDID and EUDAMED,
        as the export wizard checks them)."""
        publications = self._compliance_publications(company)
        by_database = defaultdict(lambda: self.env["product.template"])
        for template, database in publications:
            by_database[database] |= template
        labels = code_translations.get_python_translations("udi_master", self._compliance_lang())
        rows = []
        for database, templates in by_database.items():
            missing = defaultdict(list)
            for issue in db_export.check(database, templates._udi_db_export_records()):
                missing[issue["key"]].append(labels.get(issue["label"], issue["label"]))
            for template in templates.filtered(lambda t, m=missing: t.id in m):
                rows.append(
                    (
                        "product.template",
                        template.id,
                        f"{template.display_name} ({database.upper()})",
                        self.env._(
                            "published in %(database)s with missing or wrong data: %(fields)s",
                            database=database.upper(),
                            fields=", ".join(dict.fromkeys(missing[template.id])),
                        ),
                    )
                )
        return CheckResult(len(publications), rows=rows)
