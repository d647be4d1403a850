from . import test_capa_flow, test_drill, test_http, test_translations
