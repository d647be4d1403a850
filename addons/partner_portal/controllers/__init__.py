from . import portal
from . import webhooks
