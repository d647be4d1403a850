"""trace_events' real local webhook receiver, served over HTTPS: the portal accepts only
https:// endpoints. Its certificate (self-signed, for 127.0.0.1) is made for the test and
trusted by the deliveries' ``requests`` through ``REQUESTS_CA_BUNDLE`` while it runs."""

import datetime
import ipaddress
import os
import ssl
import tempfile
from unittest.mock import patch

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from odoo.addons.trace_events.tests.webhook_receiver import Receiver


def _self_signed(directory):
    """(certificate path, key path) of a new self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = os.path.join(directory, "receiver.pem")
    key_path = os.path.join(directory, "receiver.key")
    with open(cert_path, "wb") as file:
        file.write(certificate.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as file:
        file.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return cert_path, key_path


class HttpsReceiver(Receiver):
    def __init__(self, answers=(), keys=None, secret=None):
        super().__init__(answers=answers, keys=keys, secret=secret)
        self._directory = tempfile.TemporaryDirectory()
        self.cert_path, key_path = _self_signed(self._directory.name)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, key_path)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/hook"
        self._trust = patch.dict(os.environ, {"REQUESTS_CA_BUNDLE": self.cert_path})

    def __enter__(self):
        self._trust.start()
        return super().__enter__()

    def __exit__(self, *exc):
        try:
            return super().__exit__(*exc)
        finally:
            self._trust.stop()
            self._directory.cleanup()
