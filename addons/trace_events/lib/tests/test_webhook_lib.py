"""Webhook signing and the destination check without Odoo."""

import base64
import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from trace_events_lib import webhook


def test_body_is_compact_sorted_utf8():
    assert webhook.canonical_body({"b": 1, "a": "召回"}) == '{"a":"召回","b":1}'.encode()


@settings(deadline=None)  # signing under load on a shared machine
@given(st.binary(max_size=500), st.integers(min_value=0, max_value=2**40))
def test_ed25519_signature_verifies_over_timestamp_dot_body(body, timestamp):
    key = Ed25519PrivateKey.generate()
    header = webhook.sign_ed25519(key, timestamp, body)
    method, _, value = header.partition("=")
    assert method == "ed25519"
    key.public_key().verify(base64.b64decode(value), f"{timestamp}.".encode() + body)


def test_hmac_signature_and_key_id_never_the_secret():
    header = webhook.sign_hmac("s3cret", 1700000000, b"{}")
    expected = hmac.new(b"s3cret", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert header == "sha256=" + expected
    assert "s3cret" not in webhook.hmac_key_id("s3cret")


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fd00::1", "private"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "reserved"),
        ("93.184.216.34", None),
        ("2606:4700::1111", None),
    ],
)
def test_forbidden_addresses(address, reason):
    assert webhook.forbidden_address(address) == reason


def test_loopback_allowed_only_when_asked():
    assert webhook.forbidden_address("127.0.0.1", allow_loopback=True) is None
    assert webhook.forbidden_address("10.0.0.1", allow_loopback=True) == "private"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.com/", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("https://", "malformed"),
        ("https://u:p@example.com/", "credentials"),
        ("http://example.com:99999/", "malformed"),
    ],
)
def test_refused_urls(url, code):
    with pytest.raises(webhook.DestinationError) as refused:
        webhook.split_destination(url)
    assert refused.value.code == code


def test_split_destination_default_ports():
    assert webhook.split_destination("HTTPS://Example.com/x") == ("https", "example.com", 443)
    assert webhook.split_destination("http://[::1]:8080/") == ("http", "::1", 8080)
