from . import udi_compliance_rule
from . import udi_compliance_rule_checks
from . import udi_compliance_run
from . import udi_compliance_result
from . import udi_compliance_finding
