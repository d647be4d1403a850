from . import quality_capa_sign_wizard
