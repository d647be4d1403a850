from . import main
from . import epcis_rest
