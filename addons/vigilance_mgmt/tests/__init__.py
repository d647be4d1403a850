
from . import test_vigilance_documents
from . import test_vigilance_documents_http
from . import test_assessment
from . import test_demo
from . import test_http
from . import test_report_flow
from . import test_rules
from . import test_translations
from . import test_trend
