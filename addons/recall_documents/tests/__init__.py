from . import test_deadlines, test_demo, test_documents, test_translations
