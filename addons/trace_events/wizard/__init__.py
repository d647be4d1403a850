from . import trace_epcis_import_wizard
