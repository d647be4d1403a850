from . import test_capa_flow, test_translations
