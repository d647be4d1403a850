"""Secrets kept in a file outside the database, named by an Odoo configuration option.

The ledger's signing key and the implant registry's keyring live in such files: the database (and
its backups) never holds them. Without the option a part runs in demo mode: the file is generated
once per database in that database's filestore folder, still outside the database, and a warning
is logged. A configured file that cannot be read stops the operation; nothing falls back to a
demo key.

The loaded value is cached per file version (path, modification time, size), so that a replaced
file is read again without a restart, and concurrent first reads load it once.
"""

import os
import threading

from odoo.tools import config


class KeyFileError(Exception):
    """The key file could not be found (``stage`` "read") or not be used (``stage`` "use")."""

    def __init__(self, stage, path, error):
        super().__init__(f"{path}: {error}")
        self.stage = stage
        self.path = path
        self.error = error


class KeyFile:
    """One kind of key file: its option, its demo file, how it is read and generated.

    ``load(path, demo)`` returns the value kept in memory and raises OSError or ValueError on a
    file it cannot use; ``generate(path)`` creates a new demo file and raises FileExistsError
    when another worker created it first.
    """

    def __init__(self, option, demo_folder, demo_name, load, generate, logger, label):
        self.option = option
        self.demo_folder = demo_folder
        self.demo_name = demo_name
        self._load = load
        self._generate = generate
        self._logger = logger
        self._label = label
        self._cache = {}
        self._lock = threading.Lock()

    def is_demo(self):
        return not config.get(self.option)

    def demo_path(self, dbname):
        """The demo file of database ``dbname``, generated on first use."""
        folder = os.path.join(config.filestore(dbname), self.demo_folder)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        path = os.path.join(folder, self.demo_name)
        if not os.path.exists(path):
            try:
                self._generate(path)
            except FileExistsError:
                self._logger.debug("%s: %s was created by another worker", self._label, path)
        return path

    def get(self, dbname):
        """The loaded value of the configured file (or of ``dbname``'s demo file).

        Raises :class:`KeyFileError`; the caller turns it into a message of its own words.
        """
        path = config.get(self.option)
        demo = not path
        if demo:
            path = self.demo_path(dbname)
        try:
            stat = os.stat(path)
        except OSError as exc:
            raise KeyFileError("read", path, exc.strerror) from exc
        version = (path, stat.st_mtime_ns, stat.st_size)
        value = self._cache.get(version)
        if value is None:
            with self._lock:
                value = self._cache.get(version)
                if value is None:
                    value = self._read(path, demo)
                    self._cache.clear()
                    self._cache[version] = value
        return value

    def _read(self, path, demo):
        try:
            value = self._load(path, demo)
        except (OSError, ValueError) as exc:
            raise KeyFileError("use", path, str(exc)) from exc
        if demo:
            self._logger.warning(
                "%s: DEMO MODE, using the generated key file %s. Set %s in the Odoo "
                "configuration for production.",
                self._label,
                path,
                self.option,
            )
        return value
