from . import udi_label_wizard
from . import udi_di_export_wizard
