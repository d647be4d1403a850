from . import test_capture_companies
from . import test_portal_onward_attacks
