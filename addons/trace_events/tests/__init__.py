from . import test_stock_events
