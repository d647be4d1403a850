from . import (
    test_change_control,
    test_demo,
    test_lifecycle,
    test_shipping,
    test_submission,
    test_translations,
)
from . import test_export_closes_task
