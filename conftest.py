"""Pure-Python tests (``addons/*/lib/tests``, ``tests/pure``) run without Odoo.

Each addon's ``lib/`` package is plain Python with relative imports only; it is registered here
as ``<addon>_lib`` (e.g. ``udi_master_lib``) so tests import it without importing the addon.
"""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _register_addon_libs():
    for init in sorted((ROOT / "addons").glob("*/lib/__init__.py")):
        name = f"{init.parent.parent.name}_lib"
        if name in sys.modules:
            continue
        spec = importlib.util.spec_from_file_location(
            name, init, submodule_search_locations=[str(init.parent)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)


_register_addon_libs()
