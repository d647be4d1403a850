"""NDJSON export of a chain, and its streaming verification.

One JSON object per line, in this order:

1. ``{"type": "header", "format": "audit_seal.ndjson", "v": 1, "database", "exported_at"}``
2. one ``{"type": "key", "key_id", "public_key" (base64 raw), "valid_from", "valid_to", "demo"}``
   per registered public key;
3. ``{"type": "entry", "seq", "prev_hash", "hash", "payload"}`` in sequence order, where
   ``payload`` is the canonical JSON text of the entry (a string, hashed as its UTF-8 bytes),
   each ``{"type": "checkpoint", "seq_from", "seq_to", "head_hash", "ts", "key_id",
   "signature"}`` right after entry ``seq_to``; a checkpoint with an RFC 3161 time-stamp
   token also has ``"timestamp": {"token" (base64 DER), "gen_time", "serial", "nonce",
   "tsa"}`` (an optional key: readers of the first exports ignore it);
4. ``{"type": "end", "entries": N, "checkpoints": M, "head_seq": ..., "head_hash": ...}``.

A file without its ``end`` line is reported as truncated.

Version 2 (``"v": 2`` in the header) is the export made for a user who may not read every
entry (entries of companies the user has no access to): such an entry is the line
``{"type": "redacted", "seq", "prev_hash", "hash"}``, without payload, and the end record
counts them (``"redacted": R``). The verifier checks a redacted entry's place in the chain,
not its content (see :meth:`verify.ChainVerifier.redacted_entry`), and reports how many there
were. An export without redacted entries is written as version 1.
"""

import base64
import binascii
import json

from .canonical import CanonicalError, canonical_json, parse_datetime
from .keys import KeyFormatError, key_id, parse_public_key
from .verify import ChainVerifier, KeyInfo

FORMAT = "audit_seal.ndjson"
VERSION = 1
#: the version of an export with redacted entries
REDACTED_VERSION = 2
VERSIONS = (VERSION, REDACTED_VERSION)


def dump_line(record):
    """One NDJSON line (canonical JSON + newline) as bytes."""
    return canonical_json(record) + b"\n"


def header_record(database, exported_at, version=VERSION):
    return {
        "type": "header",
        "format": FORMAT,
        "v": version,
        "database": database,
        "exported_at": exported_at,
    }


def key_record(kid, public_key_b64, valid_from, valid_to, demo):
    return {
        "type": "key",
        "key_id": kid,
        "public_key": public_key_b64,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "demo": bool(demo),
    }


def entry_record(seq, prev_hash, hash_, payload):
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8")
    return {"type": "entry", "seq": seq, "prev_hash": prev_hash, "hash": hash_, "payload": payload}


def redacted_record(seq, prev_hash, hash_):
    """An entry exported without its payload (version 2 exports only)."""
    return {"type": "redacted", "seq": seq, "prev_hash": prev_hash, "hash": hash_}


def checkpoint_record(seq_from, seq_to, head_hash, ts, kid, signature, timestamp=None):
    record = {
        "type": "checkpoint",
        "seq_from": seq_from,
        "seq_to": seq_to,
        "head_hash": head_hash,
        "ts": ts,
        "key_id": kid,
        "signature": signature,
    }
    if timestamp:
        record["timestamp"] = timestamp
    return record


def timestamp_record(token, gen_time, serial, nonce, tsa):
    """The ``timestamp`` of a checkpoint record; ``token`` is the DER bytes."""
    return {
        "token": base64.b64encode(bytes(token)).decode("ascii"),
        "gen_time": gen_time,
        "serial": serial,
        "nonce": nonce,
        "tsa": tsa,
    }


def end_record(entries, checkpoints, head_seq, head_hash, redacted=None):
    """The last line; ``redacted`` (how many entries were redacted) in version 2 exports."""
    record = {
        "type": "end",
        "entries": entries,
        "checkpoints": checkpoints,
        "head_seq": head_seq,
        "head_hash": head_hash,
    }
    if redacted is not None:
        record["redacted"] = redacted
    return record


def _parse_optional_dt(value):
    return None if value in (None, "", False) else parse_datetime(value)


class ExportVerifier:
    """Verify an NDJSON export line by line.

    ``trusted_keys`` is an iterable of raw public keys given out of band. When it is given,
    only those keys are trusted (their validity periods are taken from the export's key
    records when present); when it is ``None``, the keys listed in the export are trusted,
    which only proves internal consistency. ``tsa_certificates`` (``asn1crypto`` certificates,
    see :func:`lib.timestamp.load_certificates`) are the TSA's (or its CA's) for checking the
    checkpoints' time-stamp tokens; without them a token's signature is checked with the
    certificate the token carries.
    """

    def __init__(self, trusted_keys=None, tsa_certificates=None):
        self.tsa_certificates = tsa_certificates or None
        self.trusted = None
        if trusted_keys is not None:
            self.trusted = {key_id(raw): raw for raw in trusted_keys}
        self.verifier = ChainVerifier({})
        self.keys_seen = []
        self.line_no = 0
        self.header_seen = False
        self.version = None
        self.end = None

    def _key(self, record):
        raw = parse_public_key(record["public_key"])
        kid = record["key_id"]
        if key_id(raw) != kid:
            raise ValueError(f"key record {kid} does not match its public key")
        self.keys_seen.append(record)
        if self.trusted is not None and kid not in self.trusted:
            return
        self.verifier.keys[kid] = KeyInfo(
            raw,
            _parse_optional_dt(record.get("valid_from")),
            _parse_optional_dt(record.get("valid_to")),
        )

    def _timestamp(self, record):
        """Check the time-stamp token of a checkpoint record, when it has one."""
        stamp = record.get("timestamp")
        if stamp is None:
            return True
        try:
            token = base64.b64decode(stamp["token"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"the time-stamp token is not base64: {exc}") from exc
        return self.verifier.timestamp(
            *(record[name] for name in ("seq_from", "seq_to", "head_hash", "ts", "key_id")),
            token,
            self.tsa_certificates,
            nonce=stamp.get("nonce"),
            serial=stamp.get("serial"),
            gen_time=stamp.get("gen_time"),
        )

    def feed_line(self, line):
        """Process one line; returns False once verification has failed."""
        verifier = self.verifier
        self.line_no += 1
        if verifier.failed:
            return False
        if isinstance(line, bytes):
            line = line.decode("utf-8")
        if not line.strip():
            return True
        try:
            record = json.loads(line)
            kind = record["type"]
            if self.end is not None:
                raise ValueError("data after the end record")
            if kind == "entry":
                return verifier.entry(
                    record["seq"],
                    record["prev_hash"],
                    record["hash"],
                    record["payload"].encode("utf-8"),
                )
            if kind == "redacted" and self.version == REDACTED_VERSION:
                return verifier.redacted_entry(record["seq"], record["prev_hash"], record["hash"])
            if kind == "checkpoint":
                return verifier.checkpoint(
                    record["seq_from"],
                    record["seq_to"],
                    record["head_hash"],
                    record["ts"],
                    record["key_id"],
                    record["signature"],
                ) and self._timestamp(record)
            if kind == "key":
                self._key(record)
            elif kind == "header":
                if self.header_seen or record.get("format") != FORMAT:
                    raise ValueError("not an audit_seal NDJSON export header")
                if record.get("v") not in VERSIONS:
                    raise ValueError(f"unsupported export version {record.get('v')!r}")
                self.header_seen = True
                self.version = record["v"]
            elif kind == "end":
                self.end = record
            else:
                raise ValueError(f"unknown record type {kind!r}")
            if not self.header_seen:
                raise ValueError("the export does not start with its header")
        except (
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            CanonicalError,
            KeyFormatError,
        ) as exc:
            return verifier.fail(verifier.expected_seq, f"line {self.line_no}: {exc}")
        return True

    def finish(self):
        verifier = self.verifier
        if not verifier.failed:
            if self.end is None:
                verifier.fail(verifier.expected_seq, "the export is truncated (no end record)")
            elif (
                self.end.get("entries") != verifier.entries
                or self.end.get("head_seq") != verifier.expected_seq - 1
                or self.end.get("head_hash") != verifier.head_hash
                or self.end.get("redacted", 0) != verifier.redacted
            ):
                verifier.fail(
                    verifier.expected_seq,
                    "the end record does not match the entries read (export truncated or edited)",
                )
        result = verifier.finish()
        result["redacted"] = verifier.redacted
        result["keys"] = [record["key_id"] for record in self.keys_seen]
        result["trusted_keys_given"] = self.trusted is not None
        result["tsa_certificates_given"] = self.tsa_certificates is not None
        return result


def verify_export(lines, trusted_keys=None, tsa_certificates=None):
    """Verify an iterable of NDJSON lines; returns the result dict."""
    export_verifier = ExportVerifier(trusted_keys, tsa_certificates)
    for line in lines:
        if not export_verifier.feed_line(line):
            break
    return export_verifier.finish()
