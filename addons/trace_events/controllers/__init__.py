from . import main
from . import webhook
from . import epcis_rest
