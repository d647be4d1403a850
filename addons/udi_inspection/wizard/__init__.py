from . import udi_inspection_sign_wizard
