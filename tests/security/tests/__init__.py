from . import test_workflow_forgery
