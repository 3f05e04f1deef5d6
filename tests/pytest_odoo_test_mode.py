"""pytest plugin: load Odoo's test framework in test mode.

pytest-odoo imports ``odoo.tests`` while it handles the command line, before
its fixtures switch Odoo to test mode (``test_enable``) around each test
module. Odoo takes an import of its test framework outside test mode for a
business module importing it by mistake, and logs that as an ERROR with a
stack trace ("Importing test framework, avoid importing from business
modules..."). Here the import is legitimate: this plugin, loaded with
``-p pytest_odoo_test_mode`` before pytest-odoo's command-line hook runs,
imports the framework with Odoo in test mode, as ``odoo-bin --test-enable``
does.

The flag is put back at once: pytest-odoo loads the registry with it off, as
a registry loaded in test mode would run every module's at_install tests.
"""

from odoo.tools import config

_test_enable = config["test_enable"]
config["test_enable"] = True
try:
    import odoo.tests  # noqa: F401
finally:
    config["test_enable"] = _test_enable
