from . import test_capture_companies
