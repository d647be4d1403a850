from . import trace_epcis_import_wizard
from . import trace_lot_wizard
from . import trace_unit_genealogy_wizard
