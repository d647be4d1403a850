"""GS1 Core Business Vocabulary 2.0: the business steps and dispositions events use.

The bare words are the JSON-LD terms of ``cbv-context-bizstep.jsonld`` and
``cbv-context-disposition.jsonld`` (GS1 EPCIS 2.0 repository); an EPCIS 2.0 JSON document may use
them as they are. :func:`bizstep_uri` / :func:`disposition_uri` give the full CBV URIs.
"""

CBV_BASE = "https://ref.gs1.org/cbv/"

BIZ_STEPS = (
    "accepting",
    "arriving",
    "assembling",
    "collecting",
    "commissioning",
    "consigning",
    "creating_class_instance",
    "cycle_counting",
    "decommissioning",
    "departing",
    "destroying",
    "disassembling",
    "dispensing",
    "encoding",
    "entering_exiting",
    "holding",
    "inspecting",
    "installing",
    "killing",
    "loading",
    "other",
    "packing",
    "picking",
    "receiving",
    "removing",
    "repackaging",
    "repairing",
    "replacing",
    "reserving",
    "retail_selling",
    "sampling",
    "sensor_reporting",
    "shipping",
    "staging_outbound",
    "stock_taking",
    "stocking",
    "storing",
    "transporting",
    "unloading",
    "unpacking",
    "void_shipping",
)

DISPOSITIONS = (
    "active",
    "available",
    "completeness_verified",
    "completeness_inferred",
    "conformant",
    "container_closed",
    "container_open",
    "damaged",
    "destroyed",
    "dispensed",
    "disposed",
    "encoded",
    "expired",
    "in_progress",
    "in_transit",
    "inactive",
    "mismatch_instance",
    "mismatch_class",
    "mismatch_quantity",
    "needs_replacement",
    "no_pedigree_match",
    "non_conformant",
    "non_sellable_other",
    "partially_dispensed",
    "recalled",
    "reserved",
    "retail_sold",
    "returned",
    "sellable_accessible",
    "sellable_not_accessible",
    "stolen",
    "unavailable",
    "unknown",
)

#: CBV 2.0 error reasons of an error declaration
ERROR_REASONS = ("did_not_occur", "incorrect_data")

EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransformationEvent",
    "AssociationEvent",
    "TransactionEvent",
)
ACTIONS = ("ADD", "OBSERVE", "DELETE")


def bizstep_uri(step):
    return f"{CBV_BASE}BizStep-{step}"


def disposition_uri(disposition):
    return f"{CBV_BASE}Disp-{disposition}"


def bare_term(value, kind):
    """The bare CBV word of ``value`` given as bare word, CBV 2.0 URI or CBV 1.x URN.

    ``kind`` is ``"BizStep"`` or ``"Disp"``. Returns None for a value outside the CBV (a
    company's own URI), which callers refuse or keep as they see fit.
    """
    if not isinstance(value, str):
        return None
    vocabulary = BIZ_STEPS if kind == "BizStep" else DISPOSITIONS
    if value in vocabulary:
        return value
    for prefix in (
        f"{CBV_BASE}{kind}-",
        f"urn:epcglobal:cbv:{'bizstep' if kind == 'BizStep' else 'disp'}:",
    ):
        if value.startswith(prefix) and value[len(prefix) :] in vocabulary:
            return value[len(prefix) :]
    return None
