from . import trace_event
from . import trace_event_line
from . import trace_event_query
from . import trace_event_correction
from . import trace_event_consistency
from . import stock_move
from . import stock_move_line
from . import auditlog_rule
