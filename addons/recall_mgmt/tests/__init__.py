from . import test_campaign
from . import test_quarantine
from . import test_notices
from . import test_reports
