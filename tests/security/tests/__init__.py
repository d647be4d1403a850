from . import test_signing_throttle
