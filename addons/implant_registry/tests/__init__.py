from . import test_http
from . import test_privacy
from . import test_records
from . import test_tracking
from . import test_translations
