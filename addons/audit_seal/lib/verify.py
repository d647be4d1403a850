"""Streaming verification of a sealed chain, shared by Odoo and the offline verifier.

Feed entries in sequence order and each checkpoint right after the entry it ends on
(:meth:`ChainVerifier.entry`, :meth:`ChainVerifier.checkpoint`), then call
:meth:`ChainVerifier.finish`. Memory does not grow with the number of entries. The first
problem stops verification and is reported with the sequence number of the first entry that
can no longer be trusted:

* an altered payload or stored hash, or a swapped entry: that entry;
* a missing entry: its (expected) sequence number;
* a checkpoint with a bad signature, an unknown key, a key outside its validity period or a
  head hash that does not match: the first entry the checkpoint covers (``seq_from``);
* entries not covered by any checkpoint: the first uncovered entry;
* a checkpoint's RFC 3161 time-stamp token that does not hold (:meth:`ChainVerifier.timestamp`,
  :func:`timestamp_problem`): the first entry the checkpoint covers.

An entry may also be given without its payload (:meth:`ChainVerifier.redacted_entry`: an
export for a user who may not read it). Its place in the chain is checked (sequence, previous
hash) and its stored hash is taken as given: the next entry's hash is computed over it and a
signed checkpoint covers it, so it cannot be changed without breaking the chain, but what it
hashes is not verified. Such entries are counted (``redacted``).
"""

import datetime

from .canonical import CanonicalError, format_datetime, parse_datetime
from .chain import GENESIS_HASH, checkpoint_message, entry_hash
from .keys import verify_signature

_HEX_DIGITS = frozenset("0123456789abcdef")


def _is_hash(value):
    """Whether ``value`` is a SHA-256 hash as the chain writes it (64 lowercase hex digits)."""
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX_DIGITS


class KeyInfo:
    """A public key trusted for checkpoints signed in ``[valid_from, valid_to)``."""

    __slots__ = ("raw", "valid_from", "valid_to")

    def __init__(self, raw, valid_from=None, valid_to=None):
        self.raw = raw
        self.valid_from = valid_from
        self.valid_to = valid_to

    def covers(self, when):
        if self.valid_from is not None and when < self.valid_from:
            return False
        if self.valid_to is not None and when >= self.valid_to:
            return False
        return True


class ChainVerifier:
    """Verify one chain from its first entry (``seq == 1``)."""

    def __init__(self, keys):
        self.keys = dict(keys)
        self.expected_seq = 1
        self.head_hash = GENESIS_HASH
        self.entries = 0
        self.checkpoints = 0
        self.covered_to = 0
        self.timestamps = 0
        self.first_bad_seq = None
        self.reason = None
        self.redacted = 0

    @property
    def failed(self):
        return self.first_bad_seq is not None

    def fail(self, seq, reason):
        if not self.failed:
            self.first_bad_seq = seq
            self.reason = reason
        return False

    def _misplaced(self, seq, prev_hash):
        """Fail for entry ``seq``, which does not come next or does not link to the head."""
        expected = self.expected_seq
        if seq != expected:
            if isinstance(seq, int) and seq > expected:
                return self.fail(
                    expected, f"entry {expected} is missing (the next entry found is {seq})"
                )
            return self.fail(
                expected, f"entry {seq!r} is duplicated or out of order (expected {expected})"
            )
        return self.fail(
            seq,
            f"entry {seq}: its previous hash does not match the hash of entry {seq - 1} "
            "(entry moved, swapped or inserted)",
        )

    def entry(self, seq, prev_hash, stored_hash, payload):
        """Check one entry; ``payload`` is the canonical bytes. Returns False on failure."""
        if self.failed:
            return False
        if seq != self.expected_seq or (prev_hash is not None and prev_hash != self.head_hash):
            return self._misplaced(seq, prev_hash)
        computed = entry_hash(self.head_hash, seq, payload)
        if computed != stored_hash:
            return self.fail(
                seq, f"entry {seq}: hash mismatch (its payload or its stored hash was altered)"
            )
        self.head_hash = computed
        self.expected_seq = seq + 1
        self.entries += 1
        return True

    def redacted_entry(self, seq, prev_hash, stored_hash):
        """Check one entry given without its payload: its sequence and its link to the
        previous entry; its stored hash becomes the head (see the module's docstring)."""
        if self.failed:
            return False
        if prev_hash is None or not _is_hash(prev_hash):
            return self.fail(
                self.expected_seq, f"redacted entry {seq!r}: its previous hash is missing"
            )
        if seq != self.expected_seq or prev_hash != self.head_hash:
            return self._misplaced(seq, prev_hash)
        if not _is_hash(stored_hash):
            return self.fail(seq, f"redacted entry {seq}: its hash is not 64 hex digits")
        self.head_hash = stored_hash
        self.expected_seq = seq + 1
        self.entries += 1
        self.redacted += 1
        return True

    def checkpoint(self, seq_from, seq_to, head_hash, ts, key_id, signature):
        """Check one checkpoint, given right after entry ``seq_to``."""
        if self.failed:
            return False
        head_seq = self.expected_seq - 1
        if seq_from != self.covered_to + 1:
            return self.fail(
                self.covered_to + 1,
                f"checkpoint {seq_from}-{seq_to} does not start right after the previous "
                f"checkpoint (which ends at {self.covered_to})",
            )
        if seq_to > head_seq:
            return self.fail(
                head_seq + 1,
                f"entry {head_seq + 1} is missing (checkpoint {seq_from}-{seq_to} covers it)",
            )
        if seq_to < head_seq or seq_to < seq_from:
            return self.fail(
                seq_from,
                f"checkpoint {seq_from}-{seq_to} does not end on the entry it follows ({head_seq})",
            )
        if head_hash != self.head_hash:
            return self.fail(
                seq_from,
                f"checkpoint {seq_from}-{seq_to}: its head hash does not match entry {seq_to}",
            )
        key = self.keys.get(key_id)
        if key is None:
            return self.fail(
                seq_from,
                f"checkpoint {seq_from}-{seq_to} is signed by key {key_id}, which is not "
                "registered (or not trusted)",
            )
        try:
            when = ts if isinstance(ts, datetime.datetime) else parse_datetime(ts)
        except CanonicalError:
            return self.fail(seq_from, f"checkpoint {seq_from}-{seq_to}: invalid time {ts!r}")
        if not key.covers(when):
            return self.fail(
                seq_from,
                f"checkpoint {seq_from}-{seq_to} was signed at {ts} by key {key_id}, "
                "outside that key's validity period",
            )
        message = checkpoint_message(seq_from, seq_to, head_hash, when, key_id)
        if not verify_signature(key.raw, message, signature):
            return self.fail(
                seq_from, f"checkpoint {seq_from}-{seq_to}: invalid signature (key {key_id})"
            )
        self.covered_to = seq_to
        self.checkpoints += 1
        return True

    def timestamp(self, seq_from, seq_to, head_hash, ts, key_id, token, trusted=None, **declared):
        """Check the time-stamp token of a checkpoint that :meth:`checkpoint` accepted.

        ``token`` is its DER bytes, ``trusted`` the TSA certificates given out of band (see
        :func:`timestamp_problem`), ``declared`` what the ledger says about it (``nonce``,
        ``serial``, ``gen_time``).
        """
        if self.failed:
            return False
        problem = timestamp_problem(
            seq_from, seq_to, head_hash, ts, key_id, token, trusted, declared
        )
        if problem:
            return self.fail(
                seq_from,
                f"checkpoint {seq_from}-{seq_to}: its time-stamp token does not hold: {problem}",
            )
        self.timestamps += 1
        return True

    def finish(self):
        """Final checks; returns the result dict."""
        head_seq = self.expected_seq - 1
        if not self.failed and self.covered_to < head_seq:
            self.fail(
                self.covered_to + 1,
                f"entries {self.covered_to + 1} to {head_seq} are not covered by a signed "
                "checkpoint",
            )
        return self.result()

    def result(self):
        return {
            "ok": not self.failed,
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "timestamps": self.timestamps,
            "first_bad_seq": self.first_bad_seq,
            "reason": self.reason or "",
            "head_seq": self.expected_seq - 1,
            "head_hash": self.head_hash,
        }


def timestamp_problem(seq_from, seq_to, head_hash, ts, key_id, token, trusted=None, declared=None):
    """Why a checkpoint's RFC 3161 token does not hold, or None when it does.

    The token must be over this checkpoint (its imprint is the SHA-256 of the very bytes the
    checkpoint signature covers), parse, and carry a TSA signature that verifies with one of
    the ``trusted`` certificates (``asn1crypto`` certificates: the TSA's own or its CA; without
    any, with the certificate the token carries). ``declared`` values the ledger shows next to
    the token (``nonce``, ``serial``, ``gen_time``) must be the token's own.

    Needs ``asn1crypto`` (imported here, so that chains without tokens verify without it).
    """
    from . import timestamp  # noqa: PLC0415

    try:
        when = ts if isinstance(ts, datetime.datetime) else parse_datetime(ts)
        message = checkpoint_message(seq_from, seq_to, head_hash, when, key_id)
        info = timestamp.check_token(token, message, trusted)
        token_says = {
            "nonce": info.nonce or "",
            "serial": info.serial,
            "gen_time": format_datetime(info.gen_time.replace(microsecond=0)),
        }
        for name, value in (declared or {}).items():
            if name == "gen_time" and value:
                value = value if isinstance(value, datetime.datetime) else parse_datetime(value)
                value = format_datetime(value.replace(microsecond=0))
            shown = "" if value in (None, False) else str(value)
            if shown != token_says[name]:
                said = token_says[name] or "(none)"
                return f"the ledger shows {name} {shown or '(none)'}, the token says {said}"
    except (timestamp.TimestampError, CanonicalError) as exc:
        return str(exc)
    return None
