from . import audit_seal_demo_record
from . import mail_template
from . import udi_demo
from . import udi_demo_inspection
from . import udi_demo_recall
from . import udi_demo_trace
from . import udi_demo_capa
from . import udi_demo_implant
