"""GS1's 46 example EPCIS 2.0 documents: every event stored, exported back, equal in canonical
form (``lib/epcis_canonical.py``, readme/EPCIS.md "Round trip")."""

import json

from odoo.tests import tagged

from odoo.addons.trace_events.lib import epcis, epcis_canonical
from odoo.addons.trace_events.models.trace_event_epcis import epcis_schema

from .test_capture import CaptureCommon, gs1_example_paths, load_gs1_example

#: the query document among GS1's examples (a query's answer, not a capture document)
QUERY_DOCUMENT = "EPCISQueryDocument.jsonld"


def _uom_of(env, code):
    for name, rec20 in epcis.REC20_BY_UOM.items():
        if rec20 == code:
            uom = env.ref(f"uom.{name}", raise_if_not_found=False)
            if uom:
                return uom
    return None


def document_master_data(document):
    """({GTIN: (tracking, rec 20 unit or None)}, {GLN}) that a document's events name."""
    devices, glns = {}, set()
    for event in document["epcisBody"]["eventList"]:
        values = epcis.read_event(event)
        items = list(values["items"])
        if values["parent"]:
            items.append({"uri": values["parent"], "uom": None})
        for item in items:
            ref = epcis.parse_object_uri(item["uri"])
            if not ref["di"] or ref["product_ref"]:
                continue
            tracking, uom = devices.get(ref["di"], ("none", None))
            kind = ref["kind"]
            if kind == "instance":
                tracking = "serial"
            elif kind == "lot" and tracking != "serial":
                tracking = "lot"
            devices[ref["di"]] = (tracking, uom or item.get("uom"))
        places = [values["read_point"], values["biz_location"]]
        places += [uri for _kind, uri in values["sources"] + values["destinations"]]
        for uri in filter(None, places):
            gln = epcis.parse_place_uri(uri)["gln"]
            if gln:
                glns.add(gln)
    return devices, glns


def create_document_master_data(env, document):
    """Devices for every GTIN and partners for every GLN a document names (those missing)."""
    devices, glns = document_master_data(document)
    known = set(
        env["udi.di"]
        .with_context(active_test=False)
        .search([("di", "in", list(devices))])
        .mapped("di")
    )
    unit = env.ref("uom.product_uom_unit")
    env["product.template"].create(
        [
            {
                "name": f"GS1 example device {gtin}",
                "is_storable": True,
                "tracking": tracking,
                "udi_regulated": True,
                "udi_pi_serial": tracking == "serial",
                "udi_pi_lot": tracking == "lot",
                "uom_id": (_uom_of(env, code) if code else unit).id,
                "udi_di_ids": [(0, 0, {"di": gtin, "packaging_level": "base"})],
            }
            for gtin, (tracking, code) in sorted(devices.items())
            if gtin not in known
        ]
    )
    taken = set(env["res.partner"].search([("udi_gln", "in", list(glns))]).mapped("udi_gln"))
    env["res.partner"].create(
        [
            {"name": f"GS1 example party {gln}", "is_company": True, "udi_gln": gln}
            for gln in sorted(glns - taken)
        ]
    )


@tagged("post_install", "-at_install")
class TestGs1RoundTrip(CaptureCommon):
    def _round_trip(self, name):
        """(stored every event, diff of the exported document: '' when equal)."""
        document = load_gs1_example(name)
        create_document_master_data(self.env, document)
        result = self.Event.import_epcis(json.loads(json.dumps(document)))
        events = document["epcisBody"]["eventList"]
        stored = result["created"] == len(events) and not result.get("waiting")
        exported = self.Event.export_epcis(result["event_ids"])
        invalid = epcis_schema().document_errors(exported)
        if invalid:
            return stored, "exported document does not follow the schema: " + "; ".join(invalid)
        return stored, epcis_canonical.diff_documents(document, exported)

    def test_every_gs1_example_is_stored_and_exported_back_unchanged(self):
        names = sorted(name for name in gs1_example_paths() if name != QUERY_DOCUMENT)
        self.assertEqual(len(names), 46)
        stored, equal, problems = 0, 0, []
        for name in names:
            savepoint = self.env.cr.savepoint()
            try:
                ok, diff = self._round_trip(name)
            except Exception as exc:  # noqa: BLE001 - reported with the document's name
                ok, diff = False, f"capture failed: {exc}"
            finally:
                savepoint.close(rollback=True)
                self.env.invalidate_all()
            stored += ok
            equal += ok and not diff
            if not ok or diff:
                problems.append(f"=== {name}: {'stored' if ok else 'NOT stored'}\n{diff}")
        summary = f"{stored} of {len(names)} stored, {equal} of {len(names)} exported back equal"
        print(f"GS1 examples: {summary}")  # noqa: T201 - the figure the README quotes
        self.assertFalse(problems, summary + "\n" + "\n".join(problems))
