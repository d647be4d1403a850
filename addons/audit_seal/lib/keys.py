"""Ed25519 keys: loading, fingerprints, signing and verification (``cryptography``)."""

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)


class KeyFormatError(ValueError):
    """A key cannot be read or has the wrong type."""


def generate_private_key_pem():
    """A new Ed25519 private key as unencrypted PKCS#8 PEM bytes."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key_pem(data, password=None):
    """Load an Ed25519 private key from PEM bytes (PKCS#8, optionally encrypted)."""
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as exc:
        raise KeyFormatError(f"cannot read the private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFormatError(f"the private key is not Ed25519 but {type(key).__name__}")
    return key


def public_raw(private_key):
    """The 32 raw bytes of the public half of ``private_key``."""
    return private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def public_b64(raw):
    return base64.b64encode(raw).decode("ascii")


def key_id(raw):
    """Fingerprint of a raw public key: the first 32 hex digits of its SHA-256."""
    return hashlib.sha256(raw).hexdigest()[:32]


def parse_public_key(text):
    """Raw 32 bytes from base64 (raw key) or a PEM ``PUBLIC KEY`` block."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text.encode("ascii"))
        except ValueError as exc:
            raise KeyFormatError(f"cannot read the public key: {exc}") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise KeyFormatError("the public key is not Ed25519")
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError(f"public key is neither PEM nor base64: {exc}") from exc
    if len(raw) != 32:
        raise KeyFormatError(f"an Ed25519 public key has 32 bytes, this one has {len(raw)}")
    return raw


def public_pem(raw):
    return Ed25519PublicKey.from_public_bytes(raw).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def sign(private_key, message):
    """Base64 Ed25519 signature of ``message``."""
    return base64.b64encode(private_key.sign(message)).decode("ascii")


def verify_signature(raw, message, signature_b64):
    """True when ``signature_b64`` is a valid signature of ``message`` by key ``raw``."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        Ed25519PublicKey.from_public_bytes(raw).verify(signature, message)
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        return False
    return True
