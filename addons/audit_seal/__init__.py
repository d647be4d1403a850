from . import controllers
from . import models
from . import tools
from .hooks import uninstall_hook

# requests append the ledger inside Odoo's retry loop (see tools/commit_hook.py)
tools.commit_hook.install_retrying()
