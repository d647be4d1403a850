"""Odoo's command line, with every selected test run once the whole registry is loaded.

    python3 tests/core/full_registry.py -d DB --test-enable --test-tags /stock ... (as odoo-bin)

Odoo 19 runs a module's ``at_install`` tests right after it loads that module, so they see only
the modules loaded before it (on an existing database too, without ``-i``/``-u``: the tests run as
the registry loads). Here nothing runs while the registry loads; once it is complete (every
installed module's code, as a deployment runs it), the ``at_install`` tests run, then the
``post_install`` ones, with the HTTP server up for browser tests. Used by ``run-core-suites``.
"""

import sys

from odoo.cli.command import main
from odoo.tests import loader
from odoo.tests.suite import OdooSuite

_make_suite = loader.make_suite


def make_suite(module_names, position="at_install"):
    if position == "at_install":
        return OdooSuite()  # not while the registry is still loading
    at_install = list(_make_suite(module_names, "at_install"))
    return OdooSuite(at_install + list(_make_suite(module_names, "post_install")))


if __name__ == "__main__":
    loader.make_suite = make_suite
    sys.argv[0] = "odoo"
    main()
