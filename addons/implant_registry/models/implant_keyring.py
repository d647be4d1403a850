import logging

from odoo import api, models
from odoo.exceptions import UserError

from odoo.addons.audit_seal.tools.key_file import KeyFile, KeyFileError

from ..lib.keyring import Keyring, read_keyring, write_keyring

_logger = logging.getLogger(__name__)

#: Odoo configuration option naming the keyring file (JSON, see lib/keyring.py)
CONFIG_KEYRING_FILE = "implant_registry_keyring_file"
DEMO_KEYRING_NAME = "implant_registry_demo_keyring.json"


def _generate_demo_keyring(path):
    write_keyring(path, Keyring.generate(), exclusive=True)


KEYRING_FILE = KeyFile(
    CONFIG_KEYRING_FILE,
    "implant_registry",
    DEMO_KEYRING_NAME,
    load=lambda path, _demo: read_keyring(path),
    generate=_generate_demo_keyring,
    logger=_logger,
    label="implant_registry",
)


class ImplantKeyring(models.AbstractModel):
    """The patient-data keys, read from a file outside the database (never stored in it)."""

    _name = "implant.keyring"
    _description = "Implant Patient Data Keyring"

    @api.model
    def _implant_keyring(self):
        """The keyring of ``implant_registry_keyring_file``, cached per file version.

        Without the option the addon runs in demo mode (see audit_seal's tools/key_file.py). A
        configured file that cannot be read stops the operation instead of falling back.
        """
        try:
            return KEYRING_FILE.get(self.env.cr.dbname)
        except KeyFileError as exc:
            if exc.stage == "read":
                message = self.env._(
                    "The implant registry cannot read its keyring file %(path)s (%(error)s). "
                    "Check the %(option)s option of the Odoo configuration.",
                    path=exc.path,
                    error=exc.error,
                    option=CONFIG_KEYRING_FILE,
                )
            else:
                message = self.env._(
                    "The implant registry cannot use the keyring file %(path)s: %(error)s",
                    path=exc.path,
                    error=exc.error,
                )
            raise UserError(message) from exc

    @api.model
    def _implant_keyring_is_demo(self):
        return KEYRING_FILE.is_demo()
