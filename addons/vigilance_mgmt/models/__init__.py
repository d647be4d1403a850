from . import recall_jurisdiction
from . import recall_signature
from . import vigilance_assessment
from . import vigilance_report
from . import vigilance_report_patient
from . import vigilance_report_log
from . import helpdesk_ticket
