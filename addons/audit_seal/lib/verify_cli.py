#!/usr/bin/env python3
"""Offline verifier for audit_seal exports; needs Python 3.10+ and ``cryptography`` (and
``asn1crypto`` for an export whose checkpoints carry RFC 3161 time-stamp tokens).

Usage (from a copy of the ``lib`` folder, no Odoo needed)::

    python3 verify_cli.py verify chain.ndjson --trusted-key signing_pub.pem [--tsa-cert tsa.pem]
    python3 verify_cli.py keygen /etc/odoo/audit_seal_ed25519.pem
    python3 verify_cli.py pubkey /etc/odoo/audit_seal_ed25519.pem > signing_pub.pem

or, from the folder that contains ``lib``: ``python3 -m lib.verify_cli verify ...``.
Exit status: 0 the chain verifies, 1 it does not, 2 bad usage or unreadable input.
"""

# a command-line tool: what it prints is its answer
# pylint: disable=print-used

import argparse
import json
import os
import sys
import time

if __package__ in (None, ""):
    # Run as a script: import the sibling modules as the package they are.
    _here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.dirname(_here))
    __package__ = os.path.basename(_here)  # noqa: A001
    __import__(__package__)

from .export import verify_export  # noqa: E402
from .keys import (  # noqa: E402
    KeyFormatError,
    generate_private_key_pem,
    key_id,
    load_private_key_pem,
    parse_public_key,
    public_b64,
    public_pem,
    public_raw,
)


def _read_trusted_key(value):
    """A key given on the command line: a file (PEM or base64) or a base64 string."""
    if os.path.exists(value):
        with open(value, "rb") as handle:
            value = handle.read()
    return parse_public_key(value)


def _read_tsa_certificates(paths):
    """The certificates of the TSA certificate files (PEM) given on the command line."""
    from .timestamp import load_certificates  # noqa: PLC0415 - needs asn1crypto

    certificates = []
    for path in paths:
        with open(path, "rb") as handle:
            certificates.extend(load_certificates(handle.read()))
    return certificates


def cmd_verify(args):
    try:
        trusted = None
        if args.trusted_key:
            trusted = [_read_trusted_key(value) for value in args.trusted_key]
        tsa = _read_tsa_certificates(args.tsa_cert) if args.tsa_cert else None
        handle = sys.stdin.buffer if args.export == "-" else open(args.export, "rb")  # noqa: SIM115
    except (OSError, ValueError) as exc:  # KeyFormatError, TimestampError
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"error: time-stamp tokens need asn1crypto ({exc})", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        with handle:
            result = verify_export(handle, trusted_keys=trusted, tsa_certificates=tsa)
    except ImportError as exc:
        print(
            f"error: the export has time-stamp tokens, which need asn1crypto ({exc})",
            file=sys.stderr,
        )
        return 2
    result["seconds"] = round(time.perf_counter() - started, 3)
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        if trusted is None:
            print(
                "WARNING: no --trusted-key given: the keys listed in the export itself were "
                "trusted, which proves consistency, not authenticity.",
                file=sys.stderr,
            )
        if result["timestamps"] and tsa is None:
            print(
                "WARNING: no --tsa-cert given: time-stamp tokens were checked with the "
                "certificates they carry, which proves their integrity, not who signed them.",
                file=sys.stderr,
            )
        if result["ok"]:
            print(
                f"OK: {result['entries']} entries, {result['checkpoints']} checkpoints "
                f"({result['timestamps']} time-stamped), "
                f"head {result['head_seq']} {result['head_hash']}"
            )
            if result["redacted"]:
                print(
                    f"REDACTED: {result['redacted']} of the entries were exported without "
                    "their content (records of companies the exporting user may not read): "
                    "their place in the chain is verified, their content is not."
                )
        else:
            print(
                f"FAILED at entry {result['first_bad_seq']}: {result['reason']} "
                f"({result['entries']} entries verified before)"
            )
    return 0 if result["ok"] else 1


def cmd_keygen(args):
    if os.path.exists(args.output):
        print(f"error: {args.output} exists; refusing to overwrite a key", file=sys.stderr)
        return 2
    pem = generate_private_key_pem()
    fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    raw = public_raw(load_private_key_pem(pem))
    print(f"private key written to {args.output} (mode 600); key id {key_id(raw)}")
    print(public_pem(raw).decode("ascii"), end="")
    return 0


def cmd_pubkey(args):
    try:
        with open(args.private_key, "rb") as handle:
            raw = public_raw(load_private_key_pem(handle.read()))
    except (OSError, KeyFormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"# key id {key_id(raw)}  base64 {public_b64(raw)}", file=sys.stderr)
    print(public_pem(raw).decode("ascii"), end="")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="audit-seal-verify", description="Verify an audit_seal NDJSON chain export offline."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    verify = sub.add_parser("verify", help="verify an NDJSON export ('-' reads stdin)")
    verify.add_argument("export")
    verify.add_argument(
        "--trusted-key",
        action="append",
        metavar="KEY",
        help="public key (PEM or base64 file, or base64 text) trusted for checkpoints; "
        "repeat for rotated keys",
    )
    verify.add_argument(
        "--tsa-cert",
        action="append",
        metavar="PEM",
        help="certificate (PEM file) of the time-stamping authority, or of the CA that issued "
        "it, trusted for the checkpoints' RFC 3161 tokens; repeat for several",
    )
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.set_defaults(func=cmd_verify)
    keygen = sub.add_parser("keygen", help="write a new Ed25519 private key (PEM, mode 600)")
    keygen.add_argument("output")
    keygen.set_defaults(func=cmd_keygen)
    pubkey = sub.add_parser("pubkey", help="print the public key of a private key file")
    pubkey.add_argument("private_key")
    pubkey.set_defaults(func=cmd_pubkey)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
