from . import udi_di_publish_wizard, udi_di_sign_wizard, udi_di_version_wizard
