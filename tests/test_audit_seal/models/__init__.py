from . import audit_seal_test_record
