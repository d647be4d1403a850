from . import test_multi_company
