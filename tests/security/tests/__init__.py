from . import test_workflow_forgery
from . import test_signing_throttle
