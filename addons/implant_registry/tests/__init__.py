from . import test_translations
from . import test_portal_implants
from . import test_portal_recall
from . import test_portal_attacks
from . import test_portal_tour
