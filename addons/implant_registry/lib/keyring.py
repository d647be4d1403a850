"""Keyring of the patient-data encryption keys (plain Python, no Odoo import).

The keyring is a JSON file kept outside the database (named by the Odoo configuration option
``implant_registry_keyring_file``)::

    {"current": "k20261205",
     "keys": {"k20261205": "<base64 of 32 random bytes>", "k20250101": "..."},
     "token_key": "<base64 of 32 random bytes>"}

Envelope encryption: each implant record has its own random data key (DEK); the patient fields
are encrypted with it (AES-256-GCM, the field name as associated data), and the DEK is wrapped
with the keyring's current key (AES-256-GCM, the key id as associated data). A wrapped DEK reads
``kid.<key id>.<base64>`` so a rotation (a new current key, the old ones kept) leaves old rows
readable; erasing a record's DEK crypto-shreds its patient fields.

``token_key`` derives the patient token (HMAC-SHA256), the stable pseudonym that users without
the patient-data group see, and by which the group searches. It is never rotated.

Run ``python3 keyring.py new FILE`` to create a keyring, ``python3 keyring.py rotate FILE`` to
add a new current key (the old ones stay).
"""

# pylint: disable=print-used
# (a command-line tool: it prints its result)
import base64
import datetime
import hashlib
import hmac
import json
import os
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
WRAP_PREFIX = "kid"
DATA_PREFIX = "g1"


class KeyringError(ValueError):
    """The keyring file or a ciphertext is unusable; the message says why."""


def _b64(raw):
    return base64.b64encode(raw).decode("ascii")


def _unb64(text, what):
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise KeyringError(f"{what} is not valid base64") from exc
    return raw


def new_key_id(today=None):
    today = today or datetime.date.today()
    return f"k{today:%Y%m%d}{os.urandom(2).hex()}"


class Keyring:
    """The loaded keys. Never printed (``repr`` shows key ids only)."""

    __slots__ = ("current", "keys", "token_key")

    def __init__(self, current, keys, token_key):
        if current not in keys:
            raise KeyringError(f"the current key {current!r} is not among the keys")
        for kid, raw in keys.items():
            if len(raw) != KEY_BYTES or "." in kid or not kid:
                raise KeyringError(f"key {kid!r} must be {KEY_BYTES} bytes, its id without dots")
        if len(token_key) != KEY_BYTES:
            raise KeyringError(f"the token key must be {KEY_BYTES} bytes")
        self.current = current
        self.keys = dict(keys)
        self.token_key = token_key

    def __repr__(self):
        return f"<Keyring current={self.current} keys={sorted(self.keys)}>"

    # ------------------------------------------------------------------ file format

    @classmethod
    def loads(cls, text):
        try:
            data = json.loads(text)
            current, keys, token = data["current"], data["keys"], data["token_key"]
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyringError(
                "the keyring must be JSON with 'current', 'keys' and 'token_key'"
            ) from exc
        if not isinstance(keys, dict):
            raise KeyringError("'keys' must map key ids to base64 keys")
        return cls(
            current,
            {kid: _unb64(value, f"key {kid}") for kid, value in keys.items()},
            _unb64(token, "the token key"),
        )

    def dumps(self):
        return json.dumps(
            {
                "current": self.current,
                "keys": {kid: _b64(raw) for kid, raw in sorted(self.keys.items())},
                "token_key": _b64(self.token_key),
            },
            indent=2,
            sort_keys=True,
        )

    @classmethod
    def generate(cls):
        kid = new_key_id()
        return cls(kid, {kid: os.urandom(KEY_BYTES)}, os.urandom(KEY_BYTES))

    def rotated(self, kid=None):
        """A copy with a new current key; the old keys stay to read old rows."""
        kid = kid or new_key_id()
        if kid in self.keys:
            raise KeyringError(f"key id {kid!r} exists already")
        return Keyring(kid, {**self.keys, kid: os.urandom(KEY_BYTES)}, self.token_key)

    # ------------------------------------------------------------------ data keys

    @staticmethod
    def new_data_key():
        return os.urandom(KEY_BYTES)

    def wrap(self, data_key):
        """``kid.<current key id>.<base64(nonce | ciphertext)>`` of ``data_key``."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, data_key, self.current.encode())
        return f"{WRAP_PREFIX}.{self.current}.{_b64(nonce + sealed)}"

    def unwrap(self, wrapped):
        try:
            prefix, kid, body = wrapped.split(".", 2)
        except (AttributeError, ValueError) as exc:
            raise KeyringError("the wrapped data key is malformed") from exc
        if prefix != WRAP_PREFIX:
            raise KeyringError("the wrapped data key is malformed")
        master = self.keys.get(kid)
        if master is None:
            raise KeyringError(
                f"the data key was wrapped with key {kid}, which is not in the keyring "
                "(add the old key back to the keyring file)"
            )
        raw = _unb64(body, "the wrapped data key")
        try:
            return AESGCM(master).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], kid.encode())
        except Exception as exc:  # InvalidTag: wrong key or tampered value
            raise KeyringError(f"the data key does not decrypt with key {kid}") from exc

    def key_id_of(self, wrapped):
        return wrapped.split(".", 2)[1] if wrapped else None

    # ------------------------------------------------------------------ fields

    @staticmethod
    def encrypt(data_key, plaintext, field):
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(data_key).encrypt(nonce, plaintext.encode("utf-8"), field.encode())
        return f"{DATA_PREFIX}.{_b64(nonce + sealed)}"

    @staticmethod
    def decrypt(data_key, ciphertext, field):
        try:
            prefix, body = ciphertext.split(".", 1)
        except (AttributeError, ValueError) as exc:
            raise KeyringError(f"the ciphertext of {field} is malformed") from exc
        if prefix != DATA_PREFIX:
            raise KeyringError(f"the ciphertext of {field} is malformed")
        raw = _unb64(body, f"the ciphertext of {field}")
        try:
            clear = AESGCM(data_key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], field.encode())
        except Exception as exc:  # InvalidTag
            raise KeyringError(f"the ciphertext of {field} does not decrypt") from exc
        return clear.decode("utf-8")

    def token(self, scope, value, prefix="P-"):
        """Stable keyed pseudonym of ``value`` within ``scope`` (e.g. the facility)."""
        digest = hmac.new(
            self.token_key, f"{scope}\x1f{normalise(value)}".encode(), hashlib.sha256
        ).digest()
        return prefix + base64.b32encode(digest[:10]).decode("ascii")


def normalise(value):
    """The patient id as compared: stripped, case-folded."""
    return " ".join((value or "").split()).casefold()


def write_keyring(path, keyring, exclusive=False):
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(keyring.dumps())


def read_keyring(path):
    with open(path, encoding="utf-8") as handle:
        return Keyring.loads(handle.read())


def main(argv):
    usage = "usage: keyring.py new FILE | rotate FILE"
    if len(argv) != 3 or argv[1] not in ("new", "rotate"):
        print(usage, file=sys.stderr)
        return 2
    command, path = argv[1], argv[2]
    if command == "new":
        keyring = Keyring.generate()
        write_keyring(path, keyring, exclusive=True)
    else:
        keyring = read_keyring(path).rotated()
        tmp = path + ".new"
        write_keyring(tmp, keyring, exclusive=True)
        os.replace(tmp, path)
    print(f"{path}: current key {keyring.current}, keys {', '.join(sorted(keyring.keys))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
