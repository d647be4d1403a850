from . import implant_record_wizard
from . import implant_erase_wizard
