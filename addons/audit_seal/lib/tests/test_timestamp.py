"""RFC 3161 tokens of checkpoints against a local TSA (``openssl ts``), and their offline check."""

import base64
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from audit_seal_lib import export, timestamp
from audit_seal_lib.chain import checkpoint_message
from audit_seal_lib.keys import public_pem
from audit_seal_lib.tests.local_tsa import LocalTsa, make_authority

LIB = Path(__file__).resolve().parent.parent
MESSAGE = b'{"head_hash":"ab","key_id":"k","seq_from":1,"seq_to":3}'


@pytest.fixture(scope="module")
def tsa():
    authority = LocalTsa().start()
    yield authority
    authority.close()


@pytest.fixture
def tsa_ok(tsa):
    tsa.mode = "ok"
    yield tsa
    tsa.mode = "ok"
    if tsa._server is None:
        tsa.start()


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory):
    folder = tmp_path_factory.mktemp("other_ca")
    make_authority(str(folder), name="Another TSA")
    return timestamp.load_certificates((folder / "ca.pem").read_text())


def _message_of(cp):
    return checkpoint_message(cp["seq_from"], cp["seq_to"], cp["head_hash"], cp["ts"], cp["key_id"])


# ------------------------------------------------------------------ request and reply


def test_token_from_local_tsa_is_over_the_message_and_trusted_through_the_ca(tsa_ok):
    before = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    ca = timestamp.load_certificates(tsa_ok.pem("ca"))
    info = timestamp.request_token(tsa_ok.url, MESSAGE, ca, timeout=5, nonce=1234567)
    after = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert before - datetime.timedelta(seconds=2) <= info.gen_time <= after
    assert info.nonce == "1234567"
    assert info.checked_with == "trusted"
    assert "Audit Seal Test TSA" in info.tsa_name
    assert info.policy == "1.3.6.1.4.1.99999.1.1"
    # the stored token alone still checks: with the TSA certificate, the CA, or what it carries
    for trusted in (timestamp.load_certificates(tsa_ok.pem("tsa")), ca, None):
        again = timestamp.check_token(info.token, MESSAGE, trusted, nonce=1234567)
        assert again.serial == info.serial and again.gen_time == info.gen_time
    assert timestamp.check_token(info.token, MESSAGE).checked_with == "embedded"


def test_token_is_refused_for_another_message_nonce_or_authority(tsa_ok, other_ca):
    info = timestamp.request_token(tsa_ok.url, MESSAGE, nonce=42)
    with pytest.raises(timestamp.TimestampError, match="imprint is not the digest"):
        timestamp.check_token(info.token, MESSAGE + b" ")
    with pytest.raises(timestamp.TimestampError, match="nonce 42 is not the nonce sent"):
        timestamp.check_token(info.token, MESSAGE, nonce=43)
    with pytest.raises(timestamp.TimestampError, match="neither the configured TSA certificate"):
        timestamp.check_token(info.token, MESSAGE, other_ca)
    with pytest.raises(timestamp.TimestampError, match="neither the configured TSA certificate"):
        timestamp.request_token(tsa_ok.url, MESSAGE, other_ca)


@pytest.mark.parametrize("where", ["imprint", "time", "signature", "garbage"])
def test_damaged_token_is_refused(tsa_ok, where):
    info = timestamp.request_token(tsa_ok.url, MESSAGE)
    token = bytearray(info.token)
    if where == "garbage":
        token = bytearray(b"not a token")
    else:
        position = {
            "imprint": token.find(timestamp.message_imprint(MESSAGE)),
            # the last digit of the seconds of genTime (GeneralizedTime "YYYYMMDDHHMMSSZ")
            "time": token.find(info.gen_time.strftime("%Y%m%d%H%M%S").encode()) + 13,
            "signature": len(token) - 5,
        }[where]
        token[position] ^= 0x01
    with pytest.raises(timestamp.TimestampError):
        timestamp.check_token(bytes(token), MESSAGE)


@pytest.mark.parametrize(
    "mode, message",
    [
        ("http_error", "HTTP 503"),
        ("reject", r"refused the request \(rejection"),
        ("down", "cannot be reached"),
        ("hang", "cannot be reached"),
    ],
)
def test_unavailable_or_refusing_tsa_is_a_clear_error(tsa_ok, mode, message):
    if mode == "down":
        tsa_ok.stop()
    else:
        tsa_ok.mode = mode
    try:
        with pytest.raises(timestamp.TimestampError, match=message):
            timestamp.request_token(tsa_ok.url, MESSAGE, timeout=0.5)
    finally:
        tsa_ok.release()


def test_settings_values_are_checked():
    assert timestamp.check_url(" https://tsa.example.com/tsr ") == "https://tsa.example.com/tsr"
    for url in ("ftp://tsa.example.com", "tsa.example.com", "http://", ""):
        with pytest.raises(timestamp.TimestampError):
            timestamp.check_url(url)
    for pem in (
        "",
        "not a certificate",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ):
        with pytest.raises(timestamp.TimestampError):
            timestamp.load_certificates(pem)


# ------------------------------------------------------------------ offline verification


def _stamp(tsa, checkpoints, which=None):
    """Give checkpoints (all, or the indexes ``which``) the timestamp record of a real token."""
    for index, cp in enumerate(checkpoints):
        if which is not None and index not in which:
            continue
        info = timestamp.request_token(tsa.url, _message_of(cp))
        cp["timestamp"] = export.timestamp_record(
            info.token, info.gen_time, info.serial, info.nonce, info.tsa_name
        )


def _verify(seal, signer, entries, checkpoints, tsa_certificates=None):
    lines = seal.export_lines(signer, entries, checkpoints)
    return export.verify_export(lines, [signer.raw], tsa_certificates)


def test_export_with_tokens_verifies_and_counts_them(tsa_ok, signer, seal):
    entries, checkpoints = seal.build_chain(signer, 7)
    _stamp(tsa_ok, checkpoints, which={0, 2})
    result = _verify(
        seal, signer, entries, checkpoints, timestamp.load_certificates(tsa_ok.pem("ca"))
    )
    assert result["ok"], result["reason"]
    assert result["timestamps"] == 2 and result["tsa_certificates_given"]


def test_export_token_of_another_checkpoint_is_reported(tsa_ok, signer, seal):
    entries, checkpoints = seal.build_chain(signer, 7)
    _stamp(tsa_ok, checkpoints)
    checkpoints[1]["timestamp"] = checkpoints[0]["timestamp"]
    result = _verify(seal, signer, entries, checkpoints)
    assert not result["ok"]
    assert result["first_bad_seq"] == checkpoints[1]["seq_from"]
    assert "time-stamp token does not hold" in result["reason"]
    assert "imprint" in result["reason"]


def test_export_token_of_another_tsa_or_edited_time_is_reported(tsa_ok, signer, seal, other_ca):
    entries, checkpoints = seal.build_chain(signer, 4)
    _stamp(tsa_ok, checkpoints)
    result = _verify(seal, signer, entries, checkpoints, other_ca)
    assert not result["ok"] and "neither the configured TSA certificate" in result["reason"]
    checkpoints[0]["timestamp"]["gen_time"] = "2020-01-01T00:00:00Z"
    result = _verify(seal, signer, entries, checkpoints)
    assert not result["ok"] and "the ledger shows gen_time 2020-01-01T00:00:00Z" in result["reason"]


def _cli(args):
    code = "import sys; sys.modules['odoo'] = None; import runpy; sys.argv = sys.argv[1:]; "
    code += "runpy.run_path(sys.argv[0], run_name='__main__')"
    return subprocess.run(
        [sys.executable, "-c", code, str(LIB / "verify_cli.py"), *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=""),
        check=False,
    )


def test_cli_checks_tokens_with_the_given_tsa_certificate(tmp_path, tsa_ok, signer, seal):
    entries, checkpoints = seal.build_chain(signer, 5)
    _stamp(tsa_ok, checkpoints)
    path = tmp_path / "chain.ndjson"
    path.write_bytes(b"".join(seal.export_lines(signer, entries, checkpoints)))
    pub = tmp_path / "pub.pem"
    pub.write_bytes(public_pem(signer.raw))
    ca = tmp_path / "tsa_ca.pem"
    ca.write_text(tsa_ok.pem("ca"))
    ok = _cli(["verify", str(path), "--trusted-key", str(pub), "--tsa-cert", str(ca)])
    assert ok.returncode == 0, ok.stderr
    assert "(2 time-stamped)" in ok.stdout and "no --tsa-cert" not in ok.stderr
    warned = _cli(["verify", str(path), "--trusted-key", str(pub), "--json"])
    assert json.loads(warned.stdout)["timestamps"] == 2
    record = checkpoints[1]["timestamp"]
    token = bytearray(base64.b64decode(record["token"]))
    token[-5] ^= 0x01
    record["token"] = base64.b64encode(bytes(token)).decode()
    path.write_bytes(b"".join(seal.export_lines(signer, entries, checkpoints)))
    bad = _cli(["verify", str(path), "--trusted-key", str(pub), "--tsa-cert", str(ca)])
    assert bad.returncode == 1
    assert f"FAILED at entry {checkpoints[1]['seq_from']}" in bad.stdout
    assert _cli(["verify", str(path), "--tsa-cert", str(pub)]).returncode == 2  # not a certificate
