from . import recall_notice
from . import stock_picking
from . import recall_response
