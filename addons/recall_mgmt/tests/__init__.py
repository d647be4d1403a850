from . import test_campaign
from . import test_quarantine
from . import test_notices
from . import test_reports
from . import test_ui
from . import test_demo_scenario
from . import test_campaign_dashboard
from . import test_translations
