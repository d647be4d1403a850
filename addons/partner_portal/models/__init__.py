from . import recall_notice
from . import recall_notice_invite_request
from . import stock_picking
from . import recall_response
