from . import implant_keyring
from . import product_template
from . import implant_record
from . import implant_patient_access
