from . import vigilance_assess_wizard
from . import vigilance_report_sign_wizard
from . import vigilance_report_file_wizard
