from . import trace_epcis_import_wizard
from . import trace_lot_wizard
