import logging
import os
import threading

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import config

from ..lib.keyring import Keyring, KeyringError, read_keyring, write_keyring

_logger = logging.getLogger(__name__)

#: Odoo configuration option naming the keyring file (JSON, see lib/keyring.py)
CONFIG_KEYRING_FILE = "implant_registry_keyring_file"
DEMO_KEYRING_NAME = "implant_registry_demo_keyring.json"

_keyring_cache = {}
_keyring_lock = threading.Lock()


class ImplantKeyring(models.AbstractModel):
    """The patient-data keys, read from a file outside the database (never stored in it)."""

    _name = "implant.keyring"
    _description = "Implant Patient Data Keyring"

    @api.model
    def _implant_keyring(self):
        """The keyring of ``implant_registry_keyring_file``, cached per file version.

        Without the option the addon runs in demo mode: a keyring is generated once per
        database in its filestore folder (outside the database) and a warning is logged. A
        configured file that cannot be read stops the operation instead of falling back.
        """
        path = config.get(CONFIG_KEYRING_FILE)
        demo = not path
        if demo:
            path = self._implant_demo_keyring_path()
        try:
            stat = os.stat(path)
        except OSError as exc:
            raise UserError(
                self.env._(
                    "The implant registry cannot read its keyring file %(path)s (%(error)s). "
                    "Check the %(option)s option of the Odoo configuration.",
                    path=path,
                    error=exc.strerror,
                    option=CONFIG_KEYRING_FILE,
                )
            ) from exc
        cache_key = (path, stat.st_mtime_ns, stat.st_size)
        keyring = _keyring_cache.get(cache_key)
        if keyring is None:
            with _keyring_lock:
                try:
                    keyring = read_keyring(path)
                except (OSError, KeyringError) as exc:
                    raise UserError(
                        self.env._(
                            "The implant registry cannot use the keyring file %(path)s: %(error)s",
                            path=path,
                            error=str(exc),
                        )
                    ) from exc
                _keyring_cache.clear()
                _keyring_cache[cache_key] = keyring
                if demo:
                    _logger.warning(
                        "implant_registry: DEMO MODE, patient data encrypted with the "
                        "generated keyring %s. Set %s in the Odoo configuration for "
                        "production.",
                        path,
                        CONFIG_KEYRING_FILE,
                    )
        return keyring

    @api.model
    def _implant_keyring_is_demo(self):
        return not config.get(CONFIG_KEYRING_FILE)

    @api.model
    def _implant_demo_keyring_path(self):
        folder = os.path.join(config.filestore(self.env.cr.dbname), "implant_registry")
        os.makedirs(folder, mode=0o700, exist_ok=True)
        path = os.path.join(folder, DEMO_KEYRING_NAME)
        if not os.path.exists(path):
            try:
                write_keyring(path, Keyring.generate(), exclusive=True)
            except FileExistsError:
                _logger.debug("implant_registry: %s was created by another worker", path)
        return path
