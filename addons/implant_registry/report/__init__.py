from . import implant_tracking_report
