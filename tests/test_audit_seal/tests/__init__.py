from . import test_seal_mixin
from . import test_tamper
from . import test_keys
from . import test_verification
from . import test_retention
from . import test_views
from . import test_concurrency
from . import test_ui_paths
