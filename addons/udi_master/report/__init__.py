from . import udi_label_report
