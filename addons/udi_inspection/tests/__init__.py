from . import test_blocking
from . import test_events
from . import test_http
from . import test_inspection
from . import test_translations
from . import test_ui
