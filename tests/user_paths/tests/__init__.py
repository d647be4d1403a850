from . import test_menus_and_buttons
from . import test_reports_and_server_actions
from . import test_portal_paths
