from . import test_trace_scenario
from . import test_recall_scenario
from . import test_demo
from . import test_translations
from . import test_inspection_scenario
from . import test_capa_scenario
from . import test_implant_scenario
from . import test_epcis_scenario
