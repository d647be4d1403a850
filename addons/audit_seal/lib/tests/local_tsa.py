"""A local RFC 3161 time-stamping authority for tests (no Odoo import; needs the openssl CLI).

:class:`LocalTsa` makes a CA and a TSA certificate (extendedKeyUsage critical, timeStamping)
with ``openssl`` in a temporary folder, and serves ``POST`` requests on 127.0.0.1 from a
thread, answering each with ``openssl ts -reply``. ``mode`` switches its behaviour:
``"ok"``, ``"http_error"`` (HTTP 503), ``"reject"`` (an RFC 3161 rejection: it accepts SHA-512
imprints only) or ``"hang"`` (no answer until :meth:`release`); :meth:`stop` and
:meth:`start` take it off the network and back on the same port.
"""

import http.server
import os
import subprocess
import tempfile
import threading

TS_CONFIG = """\
[ tsa ]
default_tsa = tsa_ok

[ tsa_ok ]
dir = {dir}
serial = {dir}/serial
crypto_device = builtin
signer_cert = {dir}/tsa.pem
certs = {dir}/ca.pem
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256

[ tsa_reject ]
dir = {dir}
serial = {dir}/serial
crypto_device = builtin
signer_cert = {dir}/tsa.pem
certs = {dir}/ca.pem
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1.1
digests = sha512
"""

TSA_EXTENSIONS = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_authority(folder, name="Audit Seal Test TSA"):
    """CA and TSA keys and certificates in ``folder``; returns the openssl ts config path."""
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        "-keyout", "ca.key", "-out", "ca.pem", "-subj", f"/CN={name} Root CA",
        cwd=folder,
    )  # fmt: skip
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
        "-subj", f"/O=Audit Seal Tests/CN={name}",
        cwd=folder,
    )  # fmt: skip
    with open(os.path.join(folder, "tsa.ext"), "w", encoding="ascii") as handle:
        handle.write(TSA_EXTENSIONS)
    _openssl(
        "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "30", "-extfile", "tsa.ext", "-out", "tsa.pem",
        cwd=folder,
    )  # fmt: skip
    with open(os.path.join(folder, "serial"), "w", encoding="ascii") as handle:
        handle.write("01\n")
    config = os.path.join(folder, "ts.cnf")
    with open(config, "w", encoding="ascii") as handle:
        handle.write(TS_CONFIG.format(dir=folder))
    return config


class LocalTsa:
    """A TSA on 127.0.0.1 for the duration of a test (see the module's docstring)."""

    def __init__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="audit_seal_tsa_")
        self.folder = self._tmp.name
        self.config = make_authority(self.folder)
        self.mode = "ok"
        self.requests = 0
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server = None
        self._thread = None
        self.port = 0

    # ------------------------------------------------------------------ files

    def pem(self, name):
        """The PEM text of ``"ca"`` or ``"tsa"``."""
        with open(os.path.join(self.folder, f"{name}.pem"), encoding="ascii") as handle:
            return handle.read()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/tsr"

    # ------------------------------------------------------------------ serving

    def reply(self, query):
        """``openssl ts -reply`` to the DER request ``query`` (section by ``mode``)."""
        section = "tsa_reject" if self.mode == "reject" else "tsa_ok"
        with self._lock, tempfile.TemporaryDirectory(dir=self.folder) as work:
            query_path = os.path.join(work, "query.tsq")
            reply_path = os.path.join(work, "reply.tsr")
            with open(query_path, "wb") as handle:
                handle.write(query)
            subprocess.run(
                ["openssl", "ts", "-reply", "-config", self.config, "-section", section,
                 "-queryfile", query_path, "-out", reply_path],
                check=True,
                capture_output=True,
            )  # fmt: skip
            with open(reply_path, "rb") as handle:
                return handle.read()

    def _handler(self):
        tsa = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                query = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                tsa.requests += 1
                if tsa.mode == "hang":
                    tsa._released.wait(30)
                    return
                if tsa.mode == "http_error":
                    self.send_error(503, "TSA under maintenance")
                    return
                body = tsa.reply(query)
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def start(self):
        """Serve (again, on the same port after :meth:`stop`)."""
        self._released.clear()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Take the TSA off the network: connections are refused until :meth:`start`."""
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None

    def release(self):
        """Let requests held by the ``"hang"`` mode end (without an answer)."""
        self._released.set()

    def close(self):
        self.stop()
        self._tmp.cleanup()
