from . import test_workflow_forgery
from . import test_signing_throttle
from . import test_capture_companies
from . import test_portal_onward_attacks
from . import test_multi_company
from . import test_ledger_companies
