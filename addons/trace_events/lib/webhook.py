"""Signed webhook deliveries: the body, the signed string, signatures and the address check.

Plain Python (no Odoo import). The receiver sample in ``readme/WEBHOOKS.md`` verifies what
:func:`sign_ed25519` and :func:`sign_hmac` produce.

Signed string (both methods): ``<timestamp>.<body>`` as bytes, where ``<timestamp>`` is the
decimal Unix time of the attempt (also sent as ``X-Trace-Timestamp``) and ``<body>`` the exact
bytes of the request body.
"""

import base64
import hashlib
import hmac
import ipaddress
import json
from urllib.parse import urlsplit

HEADER_DELIVERY = "X-Trace-Delivery"
HEADER_EVENT = "X-Trace-Event"
HEADER_TIMESTAMP = "X-Trace-Timestamp"
HEADER_KEY_ID = "X-Trace-Key-Id"
HEADER_SIGNATURE = "X-Trace-Signature"
ALLOWED_SCHEMES = ("http", "https")


def canonical_body(payload):
    """The request body of ``payload``: compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def signing_input(timestamp, body):
    """The bytes that are signed: ``b"<timestamp>." + body``."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return str(int(timestamp)).encode("ascii") + b"." + body


def sign_ed25519(private_key, timestamp, body):
    """``ed25519=<base64 signature>`` of the signed string, with an Ed25519 private key."""
    signature = private_key.sign(signing_input(timestamp, body))
    return "ed25519=" + base64.b64encode(signature).decode("ascii")


def sign_hmac(secret, timestamp, body):
    """``sha256=<hex HMAC-SHA256>`` of the signed string, keyed with the UTF-8 secret."""
    digest = hmac.new(secret.encode("utf-8"), signing_input(timestamp, body), hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def hmac_key_id(secret):
    """A public name of an HMAC secret (never the secret): ``hmac-`` + 12 hex of its SHA-256."""
    return "hmac-" + hashlib.sha256(secret.encode("utf-8")).hexdigest()[:12]


def jwk(public_raw, kid):
    """The RFC 8037 JSON Web Key of a raw Ed25519 public key."""
    x = base64.urlsafe_b64encode(public_raw).rstrip(b"=").decode("ascii")
    return {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid, "x": x}


class DestinationError(ValueError):
    """A destination URL that may not receive deliveries (``code`` says why)."""

    def __init__(self, code, detail=""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def split_destination(url):
    """(scheme, host, port) of an http(s) URL; :class:`DestinationError` otherwise."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError as exc:
        raise DestinationError("malformed", str(exc)) from exc
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise DestinationError("scheme", parts.scheme or "")
    if not parts.hostname:
        raise DestinationError("malformed", "no host")
    if parts.username or parts.password:
        raise DestinationError("credentials")
    default_port = 443 if parts.scheme.lower() == "https" else 80
    return parts.scheme.lower(), parts.hostname, port or default_port


def forbidden_address(address, allow_loopback=False):
    """Why ``address`` (an IP string) may not be a destination, or None when it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


def literal_address(host):
    """The IP of a host written as an address (``10.0.0.1``, ``[::1]``), or None for a name."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None
