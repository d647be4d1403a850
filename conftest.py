"""Pure-Python tests (``addons/*/lib/tests``, ``tests/pure``) run without Odoo.

Each addon's ``lib/`` package is plain Python with relative imports only; it is registered here
as ``<addon>_lib`` (e.g. ``udi_master_lib``) so tests import it without importing the addon.
"""

import importlib.util
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _stub_package(name, path):
    """Register an empty package so pytest's importlib mode never runs an addon's ``__init__``
    (which imports Odoo models) when it resolves the package of a test file below it."""
    if name not in sys.modules:
        module = types.ModuleType(name)
        module.__path__ = [str(path)]
        sys.modules[name] = module


def _register_addon_libs():
    _stub_package("addons", ROOT / "addons")
    for init in sorted((ROOT / "addons").glob("*/lib/__init__.py")):
        addon = init.parent.parent
        _stub_package(f"addons.{addon.name}", addon)
        _stub_package(addon.name, addon)
        name = f"{addon.name}_lib"
        if name in sys.modules:
            continue
        spec = importlib.util.spec_from_file_location(
            name, init, submodule_search_locations=[str(init.parent)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)


_register_addon_libs()
