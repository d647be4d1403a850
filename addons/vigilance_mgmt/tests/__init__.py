
from . import test_vigilance_documents
from . import test_vigilance_documents_http
