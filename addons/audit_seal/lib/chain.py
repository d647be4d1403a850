"""Hash chain and checkpoint messages (version 1).

* An entry's *payload* is the canonical JSON of its envelope (:func:`entry_payload`). Envelope
  version 2 (``"v": 2``, every entry appended since audit_seal 19.0.1.2.0) holds the sealed
  record's company (``"company"``: its id, or ``null`` for a record without company); version 1
  envelopes (entries appended before) have no ``"company"`` key.
* ``entry_hash = SHA-256(prev_hash (32 raw bytes) || seq (8 bytes, big-endian) || payload)``,
  written as 64 lowercase hex digits. The first entry (``seq == 1``) chains on
  :data:`GENESIS_HASH` (64 zeros).
* A checkpoint signs, with Ed25519, the canonical JSON of
  ``{"type": "audit_seal.checkpoint", "v": 1, "seq_from", "seq_to", "head_hash", "ts",
  "key_id"}``; ``head_hash`` is the hash of entry ``seq_to``. Checkpoints are contiguous:
  each starts right after the previous one ends.
"""

import hashlib

from .canonical import canonical_json, format_datetime

GENESIS_HASH = "0" * 64
#: version of the checkpoint message, and of the first entry envelope (without company)
PAYLOAD_VERSION = 1
#: version of the entry envelopes appended now: with the sealed record's company
ENVELOPE_VERSION = 2
ENVELOPE_VERSIONS = (PAYLOAD_VERSION, ENVELOPE_VERSION)
CHECKPOINT_TYPE = "audit_seal.checkpoint"


def entry_payload(model, res_id, op, uid, ts, data, company=None, version=ENVELOPE_VERSION):
    """Canonical bytes of one ledger entry's envelope.

    ``op`` is ``"create"`` (a record sealed at creation) or ``"purge"`` (the record was deleted
    after its retention date); ``data`` is the record's sealed values (a dict); ``company`` the
    id of the record's company (``None`` when it has none). ``version=1`` gives the envelope of
    entries appended before the company was sealed (no ``"company"`` key).
    """
    envelope = {
        "v": version,
        "model": model,
        "res_id": res_id,
        "op": op,
        "uid": uid,
        "ts": ts,
        "data": data,
    }
    if version == ENVELOPE_VERSION:
        envelope["company"] = company
    elif version != PAYLOAD_VERSION or company is not None:
        raise ValueError(f"envelope version {version!r} cannot hold company {company!r}")
    return canonical_json(envelope)


def entry_hash(prev_hash, seq, payload):
    """SHA-256 over (previous hash, sequence, canonical payload), as hex."""
    if len(prev_hash) != 64:
        raise ValueError(f"previous hash must be 64 hex digits, got {prev_hash!r}")
    if seq < 1 or seq >= 1 << 63:
        raise ValueError(f"sequence out of range: {seq!r}")
    digest = hashlib.sha256(bytes.fromhex(prev_hash))
    digest.update(seq.to_bytes(8, "big"))
    digest.update(payload)
    return digest.hexdigest()


def checkpoint_message(seq_from, seq_to, head_hash, ts, key_id):
    """The exact bytes an Ed25519 checkpoint signature covers."""
    if not isinstance(ts, str):
        ts = format_datetime(ts)
    return canonical_json(
        {
            "type": CHECKPOINT_TYPE,
            "v": PAYLOAD_VERSION,
            "seq_from": seq_from,
            "seq_to": seq_to,
            "head_hash": head_hash,
            "ts": ts,
            "key_id": key_id,
        }
    )


def iter_chain_hashes(prev_hash, first_seq, payloads):
    """Hashes of consecutive entries ``first_seq, first_seq + 1, ...`` after ``prev_hash``,
    one at a time (the same as calling :func:`entry_hash` entry after entry, without
    converting each hash back from hex)."""
    if len(prev_hash) != 64:
        raise ValueError(f"previous hash must be 64 hex digits, got {prev_hash!r}")
    if first_seq < 1:
        raise ValueError(f"sequence out of range: {first_seq!r}")
    sha256 = hashlib.sha256
    prev = bytes.fromhex(prev_hash)
    for seq, payload in enumerate(payloads, first_seq):
        if seq >= 1 << 63:
            raise ValueError(f"sequence out of range: {seq!r}")
        digest = sha256(prev)
        digest.update(seq.to_bytes(8, "big"))
        digest.update(payload)
        prev = digest.digest()
        yield prev.hex()


def chain_hashes(prev_hash, first_seq, payloads):
    """Hashes of consecutive entries ``first_seq, first_seq + 1, ...`` after ``prev_hash``."""
    return list(iter_chain_hashes(prev_hash, first_seq, payloads))
