from . import recall_sign_mixin
from . import recall_sign_wizard
from . import recall_reason_wizard
from . import recall_response_wizard
