from . import test_portal_security
from . import test_portal_answers
from . import test_portal_api
from . import test_portal_mail
from . import test_portal_tour
from . import test_portal_pages
from . import test_translations
from . import test_portal_onward
