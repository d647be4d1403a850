"""RFC 3161 time-stamp tokens of checkpoints: request, reply and verification.

Plain Python with ``asn1crypto`` (an Odoo requirement) and ``cryptography``; no Odoo import.

What is time-stamped: the SHA-256 of the exact bytes a checkpoint's Ed25519 signature covers
(:func:`lib.chain.checkpoint_message`: sequence range, head hash, signing time and key id). A
token therefore binds one checkpoint, and through its head hash every entry up to it: it proves
that the chain up to that head existed at the token's ``genTime``, on the word of the
time-stamping authority (TSA), not of the server's clock.

A token is a CMS ``SignedData`` whose content is a ``TSTInfo``; :func:`check_token` checks
what matters for evidence: the message imprint is the checkpoint's, the nonce (when one is
expected) is the one sent, the content type and message digest attributes are those of the
``TSTInfo``, and the TSA's signature verifies with the trusted TSA certificate (or a
certificate it issued, carried in the token), or, without a trusted certificate, with the
certificate the token carries (which proves integrity, not who signed).
"""

import dataclasses
import datetime
import hashlib
import secrets
import urllib.error
import urllib.parse
import urllib.request

from asn1crypto import cms, core, pem, tsp, x509
from cryptography import x509 as cx509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

#: imprint algorithm of the requests; tokens with another accepted one still verify
IMPRINT_ALGORITHM = "sha256"
DIGESTS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}
_HASHES = {"sha1": hashes.SHA1, "sha256": hashes.SHA256, "sha384": hashes.SHA384}
_HASHES["sha512"] = hashes.SHA512
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
#: a reply is a few kilobytes (the token and the TSA's certificate chain)
MAX_REPLY = 1 << 20
#: PKIStatus values that carry a token (RFC 3161 2.4.2)
GRANTED = ("granted", "granted_with_mods")


class TimeStampResp(core.Sequence):
    """``TimeStampResp`` (RFC 3161 2.4.2). asn1crypto 1.5's declares the token required, so
    it cannot read a rejection, which has none: here it is OPTIONAL, as in the RFC."""

    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


class TimestampError(ValueError):
    """A TSA cannot be reached or refuses, or a token does not hold; the text says why."""


@dataclasses.dataclass(frozen=True)
class TokenInfo:
    """What a checked token says. ``gen_time`` is a naive UTC datetime; ``checked_with`` is
    ``"trusted"`` (a configured TSA certificate or one it issued) or ``"embedded"`` (the
    certificate the token carries, trusted for want of a configured one)."""

    token: bytes
    gen_time: datetime.datetime
    serial: str
    tsa_name: str
    policy: str
    nonce: str | None
    hash_algorithm: str
    signer: str
    checked_with: str


def _first_line(exc):
    """asn1crypto's errors end with one line per enclosing structure: keep the first."""
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def message_imprint(message, algorithm=IMPRINT_ALGORITHM):
    return DIGESTS[algorithm](message).digest()


def new_nonce():
    """A random 64-bit nonce (positive, so it encodes as a plain 8-byte INTEGER or shorter)."""
    return secrets.randbits(63) + 1


def check_url(url):
    """Return ``url`` stripped, or raise when it is not an http(s) URL with a host."""
    url = (url or "").strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TimestampError(f"{url!r} is not an http:// or https:// URL with a host name")
    return url


def load_certificates(text):
    """The X.509 certificates of a PEM text (one or more blocks); raise when there are none
    or one cannot be read."""
    data = text.encode("ascii", "replace") if isinstance(text, str) else bytes(text or b"")
    if not pem.detect(data):
        raise TimestampError("no PEM certificate (-----BEGIN CERTIFICATE-----) found")
    certificates = []
    try:
        for kind, _headers, der in pem.unarmor(data, multiple=True):
            if kind != "CERTIFICATE":
                raise TimestampError(f"a PEM block is a {kind}, not a CERTIFICATE")
            certificate = x509.Certificate.load(der)
            _ = certificate.native  # parse it all now, not at the first token
            certificates.append(certificate)
    except TimestampError:
        raise
    except (ValueError, TypeError) as exc:
        raise TimestampError(f"the PEM certificate cannot be read: {_first_line(exc)}") from exc
    return certificates


def build_request(message, nonce):
    """DER ``TimeStampReq`` for ``message`` (SHA-256 imprint), with ``nonce`` and certReq."""
    return tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": IMPRINT_ALGORITHM},
                "hashed_message": message_imprint(message),
            },
            "nonce": nonce,
            "cert_req": True,
        }
    ).dump()


def request_token(url, message, trusted=None, timeout=10, nonce=None):
    """Ask the TSA at ``url`` for a token over ``message``; return its checked :class:`TokenInfo`.

    Raises :class:`TimestampError` when the TSA cannot be reached within ``timeout`` seconds,
    answers an HTTP error or a refusal, or answers a token that does not hold (wrong imprint
    or nonce, or a signature that does not verify with ``trusted``).
    """
    nonce = new_nonce() if nonce is None else nonce
    request = urllib.request.Request(
        check_url(url),
        data=build_request(message, nonce),
        headers={"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            reply = response.read(MAX_REPLY + 1)
    except urllib.error.HTTPError as exc:
        raise TimestampError(f"the TSA answered HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise TimestampError(f"the TSA cannot be reached: {reason}") from exc
    if len(reply) > MAX_REPLY:
        raise TimestampError(f"the TSA's answer is larger than {MAX_REPLY} bytes")
    return parse_reply(reply, message, nonce, trusted)


def parse_reply(reply, message, nonce, trusted=None):
    """Check a DER ``TimeStampResp`` to a request over ``message`` with ``nonce``."""
    try:
        response = TimeStampResp.load(reply)
        status = response["status"]
        state = status["status"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError(
            f"the TSA's answer is not an RFC 3161 response: {_first_line(exc)}"
        ) from exc
    if state not in GRANTED:
        details = [str(state)]
        if status["status_string"].native:
            details.extend(status["status_string"].native)
        if status["fail_info"].native:
            details.append(", ".join(sorted(status["fail_info"].native)))
        raise TimestampError(f"the TSA refused the request ({': '.join(details)})")
    token = response["time_stamp_token"]
    if not token.contents:
        raise TimestampError("the TSA granted the request but sent no token")
    return check_token(token.dump(), message, trusted, nonce=nonce)


def _parse_token(token):
    try:
        info = cms.ContentInfo.load(bytes(token))
        if info["content_type"].native != "signed_data":
            raise TimestampError("the token is not CMS signed data")
        signed = info["content"]
        content = signed["encap_content_info"]
        if content["content_type"].native != "tst_info":
            raise TimestampError("the token does not hold a TSTInfo")
        tst_der = content["content"].contents
        tst = tsp.TSTInfo.load(tst_der)
        # parse every field now: a damaged token fails here, not halfway through the checks
        _ = tst.native, signed.native
    except TimestampError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise TimestampError(f"the token cannot be parsed: {_first_line(exc)}") from exc
    return signed, tst, tst_der


def check_token(token, message, trusted=None, nonce=None):
    """Check a DER time-stamp token over ``message``; return its :class:`TokenInfo`.

    ``trusted`` is a list of ``asn1crypto`` certificates (see :func:`load_certificates`): the
    TSA's own, or the CA that issued it. ``nonce``, when given, must be the token's nonce.
    """
    try:
        return _check_token(token, message, trusted, nonce)
    except TimestampError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise TimestampError(f"the token cannot be read: {_first_line(exc)}") from exc


def _check_token(token, message, trusted, nonce):
    signed, tst, tst_der = _parse_token(token)
    imprint = tst["message_imprint"]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    if algorithm not in DIGESTS:
        raise TimestampError(f"its message imprint uses {algorithm}, which is not accepted")
    if imprint["hashed_message"].native != message_imprint(message, algorithm):
        raise TimestampError("its message imprint is not the digest of this checkpoint")
    token_nonce = tst["nonce"].native
    if nonce is not None and token_nonce != int(nonce):
        raise TimestampError(f"its nonce {token_nonce} is not the nonce sent ({nonce})")
    signer, checked_with = _check_signature(signed, tst_der, trusted, _gen_time(tst))
    return TokenInfo(
        token=bytes(token),
        gen_time=_gen_time(tst),
        serial=str(tst["serial_number"].native),
        tsa_name=_tsa_name(tst, signer),
        policy=tst["policy"].dotted,
        nonce=None if token_nonce is None else str(token_nonce),
        hash_algorithm=algorithm,
        signer=signer.subject.human_friendly,
        checked_with=checked_with,
    )


def _gen_time(tst):
    value = tst["gen_time"].native
    return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def _tsa_name(tst, signer):
    name = tst["tsa"]
    if name.native is not None:
        chosen = name.chosen
        return chosen.human_friendly if isinstance(chosen, x509.Name) else str(name.native)
    return signer.subject.human_friendly


def _embedded_certificates(signed):
    certificates = signed["certificates"]
    if not certificates.native:
        return []
    return [choice.chosen for choice in certificates if choice.name == "certificate"]


def _is_signer(certificate, sid):
    if sid.name == "issuer_and_serial_number":
        return (
            certificate.issuer == sid.chosen["issuer"]
            and certificate.serial_number == sid.chosen["serial_number"].native
        )
    return certificate.key_identifier == sid.chosen.native


def _check_signature(signed, tst_der, trusted, gen_time):
    """The certificate whose key signed the token, and how it is trusted."""
    signer_infos = signed["signer_infos"]
    if len(signer_infos) != 1:
        raise TimestampError(f"the token has {len(signer_infos)} signatures instead of one")
    signer_info = signer_infos[0]
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    if digest_name not in _HASHES:
        raise TimestampError(f"the token is signed with digest {digest_name}, not accepted")
    signed_attrs = _signed_attributes(signer_info, tst_der, digest_name)
    certificate, checked_with = _signer_certificate(signed, signer_info["sid"], trusted, gen_time)
    try:
        public_key = cx509.load_der_x509_certificate(certificate.dump()).public_key()
        _verify(
            public_key,
            signer_info["signature"].native,
            signed_attrs,
            signer_info["signature_algorithm"],
            digest_name,
        )
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError) as exc:
        detail = f": {exc}" if str(exc) else ""
        raise TimestampError(
            f"the TSA signature does not verify with the certificate of "
            f"{certificate.subject.human_friendly}{detail}"
        ) from exc
    return certificate, checked_with


def _signed_attributes(signer_info, tst_der, digest_name):
    """The DER bytes the signature covers, once the attributes name the TSTInfo and its digest."""
    attrs = signer_info["signed_attrs"]
    if not attrs.native:
        raise TimestampError("the token's signature has no signed attributes")
    values = {}
    for attr in attrs:
        values.setdefault(attr["type"].native, []).extend(attr["values"].native)
    if values.get("content_type") != ["tst_info"]:
        raise TimestampError("the token's signed content type is not TSTInfo")
    digest = hashlib.new(digest_name, tst_der).digest()
    if values.get("message_digest") != [digest]:
        raise TimestampError("the token's signed message digest is not the digest of its TSTInfo")
    raw = attrs.dump()
    # the signature covers the attributes as a SET OF (tag 0x31), not as the [0] IMPLICIT field
    return b"\x31" + raw[1:]


def _signer_certificate(signed, sid, trusted, gen_time):
    embedded = [cert for cert in _embedded_certificates(signed) if _is_signer(cert, sid)]
    if not trusted:
        if not embedded:
            raise TimestampError(
                "the token carries no certificate of its signer; configure the TSA certificate"
            )
        return _within_validity(embedded[0], gen_time), "embedded"
    for certificate in trusted:
        if _is_signer(certificate, sid):
            return _within_validity(certificate, gen_time), "trusted"
    for certificate in embedded:
        for issuer in trusted:
            if certificate.issuer == issuer.subject and _issued_by(certificate, issuer):
                if "time_stamping" not in (certificate.extended_key_usage_value or []).native:
                    raise TimestampError(
                        f"the signer {certificate.subject.human_friendly} is not a "
                        "time-stamping certificate (extended key usage)"
                    )
                return _within_validity(certificate, gen_time), "trusted"
    name = embedded[0].subject.human_friendly if embedded else "an unknown certificate"
    raise TimestampError(
        f"the token is signed by {name}, which is neither the configured TSA certificate nor "
        "issued by it"
    )


def _within_validity(certificate, gen_time):
    validity = certificate["tbs_certificate"]["validity"]
    start = validity["not_before"].native.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    end = validity["not_after"].native.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    if not start <= gen_time <= end:
        raise TimestampError(
            f"the token's time {gen_time:%Y-%m-%d %H:%M:%S} UTC is outside the validity of the "
            f"certificate of {certificate.subject.human_friendly}"
        )
    return certificate


def _issued_by(certificate, issuer):
    """Whether ``issuer``'s key signed ``certificate`` (both ``asn1crypto`` certificates)."""
    try:
        child = cx509.load_der_x509_certificate(certificate.dump())
        key = cx509.load_der_x509_certificate(issuer.dump()).public_key()
        algorithm = certificate["signature_algorithm"]
        digest = None if isinstance(key, ed25519.Ed25519PublicKey) else algorithm.hash_algo
        _verify(key, child.signature, child.tbs_certificate_bytes, algorithm, digest)
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


def _verify(public_key, signature, data, algorithm, digest_name):
    """Verify ``signature`` over ``data`` with ``public_key`` (RSA PKCS#1 v1.5 or PSS, ECDSA,
    Ed25519); raises ``InvalidSignature``."""
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        public_key.verify(signature, data)
        return
    if digest_name not in _HASHES:
        raise UnsupportedAlgorithm(f"digest {digest_name}")
    digest = _HASHES[digest_name]()
    if isinstance(public_key, rsa.RSAPublicKey):
        if algorithm.signature_algo == "rsassa_pss":
            params = algorithm["parameters"]
            pss_digest = _HASHES[params["hash_algorithm"]["algorithm"].native]()
            pad = padding.PSS(padding.MGF1(pss_digest), params["salt_length"].native)
            public_key.verify(signature, data, pad, pss_digest)
        else:
            public_key.verify(signature, data, padding.PKCS1v15(), digest)
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(digest))
    else:
        raise UnsupportedAlgorithm(f"key type {type(public_key).__name__}")
