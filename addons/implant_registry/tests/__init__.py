from . import test_translations
from . import test_portal_implants
