from . import test_rules
from . import test_runs
from . import test_translations
