"""Chain verification on pure data: every kind of tampering is reported at the right entry."""

import copy
import datetime
import json

import pytest
from audit_seal_lib.canonical import format_datetime
from audit_seal_lib.chain import GENESIS_HASH, checkpoint_message, entry_hash
from audit_seal_lib.export import verify_export
from audit_seal_lib.keys import sign


def run(seal, signer, entries, checkpoints, trusted=True, **kwargs):
    lines = seal.export_lines(signer, entries, checkpoints, **kwargs)
    return verify_export(lines, trusted_keys=[signer.raw] if trusted else None)


def test_intact_chain_verifies(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 10)
    result = run(seal, signer, entries, checkpoints)
    assert result["ok"], result
    assert (result["entries"], result["checkpoints"], result["head_seq"]) == (10, 4, 10)
    assert result["first_bad_seq"] is None


def test_entry_hash_binds_previous_hash_and_sequence(seal):
    payload = b'{"a":1}'
    base = entry_hash(GENESIS_HASH, 1, payload)
    assert base != entry_hash(GENESIS_HASH, 2, payload)
    assert base != entry_hash("1" + GENESIS_HASH[1:], 1, payload)
    assert len(base) == 64


def test_one_byte_of_payload_changed_is_found_at_its_entry(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 10)
    payload = entries[6]["payload"]
    entries[6]["payload"] = payload.replace('"R7"', '"R8"')
    result = run(seal, signer, entries, checkpoints)
    assert not result["ok"]
    assert result["first_bad_seq"] == 7
    assert "hash mismatch" in result["reason"]


def test_stored_hash_changed_is_found_at_its_entry(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 10)
    hash_ = entries[3]["hash"]
    entries[3]["hash"] = ("0" if hash_[0] != "0" else "1") + hash_[1:]
    result = run(seal, signer, entries, checkpoints)
    assert result["first_bad_seq"] == 4


def test_deleted_entry_is_reported_missing(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 10)
    del entries[4]
    result = run(seal, signer, entries, checkpoints)
    assert result["first_bad_seq"] == 5
    assert "missing" in result["reason"]


def test_deleted_last_entry_is_reported_missing(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 9)
    entries.pop()
    result = run(seal, signer, entries, checkpoints)
    assert result["first_bad_seq"] == 9
    assert "missing" in result["reason"]


def test_swapped_entries_are_found_at_the_first(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 10)
    a, b = entries[3], entries[4]
    entries[3], entries[4] = dict(b, seq=4), dict(a, seq=5)
    result = run(seal, signer, entries, checkpoints)
    assert result["first_bad_seq"] == 4


def test_rehashed_tail_is_caught_by_the_checkpoint(signer, seal):
    """An attacker rewrites entry 5 and recomputes every later hash: the signature catches it."""
    entries, checkpoints = seal.build_chain(signer, 9, per_checkpoint=3)
    entries[4]["payload"] = entries[4]["payload"].replace('"R5"', '"RX"')
    prev = entries[3]["hash"]
    for entry in entries[4:]:
        entry["prev_hash"] = prev
        entry["hash"] = prev = entry_hash(prev, entry["seq"], entry["payload"].encode())
    result = run(seal, signer, entries, checkpoints)
    assert result["first_bad_seq"] == 4  # checkpoint 4-6 no longer matches
    assert "head hash" in result["reason"]


def test_signature_byte_changed_is_found_at_checkpoint_start(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 10)
    sig = checkpoints[2]["signature"]
    checkpoints[2]["signature"] = ("A" if sig[0] != "A" else "B") + sig[1:]
    result = run(seal, signer, entries, checkpoints)
    assert result["first_bad_seq"] == 7
    assert "invalid signature" in result["reason"]


def test_resigned_with_unregistered_key_is_refused(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 10)
    rogue = seal.Signer()
    cp = checkpoints[1]
    cp["key_id"] = rogue.key_id
    message = checkpoint_message(
        cp["seq_from"], cp["seq_to"], cp["head_hash"], cp["ts"], rogue.key_id
    )
    cp["signature"] = sign(rogue.private, message)
    result = run(seal, signer, entries, checkpoints)
    assert result["first_bad_seq"] == 4
    assert "not registered" in result["reason"]


def test_export_key_list_is_not_trusted_when_keys_are_pinned(signer, seal):
    """A rogue key added to the export itself does not help when the verifier pins keys."""
    entries, checkpoints = seal.build_chain(signer, 3)
    rogue = seal.Signer()
    for cp in checkpoints:
        cp["key_id"] = rogue.key_id
        cp["signature"] = sign(
            rogue.private,
            checkpoint_message(
                cp["seq_from"], cp["seq_to"], cp["head_hash"], cp["ts"], rogue.key_id
            ),
        )
    assert run(seal, rogue, entries, checkpoints, trusted=False)["ok"]
    lines = seal.export_lines(rogue, entries, checkpoints)
    result = verify_export(lines, trusted_keys=[signer.raw])
    assert result["first_bad_seq"] == 1
    assert "not registered" in result["reason"]


def test_checkpoint_outside_key_validity_is_refused(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 6)
    result = run(
        seal, signer, entries, checkpoints, valid_from=seal.T0 + datetime.timedelta(minutes=5)
    )
    assert result["first_bad_seq"] == 1
    assert "validity" in result["reason"]


def test_entries_without_checkpoint_are_not_trusted(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 6)
    checkpoints.pop()
    result = run(seal, signer, entries, checkpoints)
    assert result["first_bad_seq"] == 4
    assert "not covered" in result["reason"]


def test_truncated_export_is_reported(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 6)
    result = run(seal, signer, entries, checkpoints, end=False)
    assert not result["ok"]
    assert "truncated" in result["reason"]


def test_malformed_line_is_reported_with_line_number(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 3)
    lines = seal.export_lines(signer, entries, checkpoints)
    lines.insert(3, b"{not json\n")
    result = verify_export(lines, trusted_keys=[signer.raw])
    assert not result["ok"]
    assert result["reason"].startswith("line 4:")


def test_verification_streams_without_keeping_entries(signer, seal):
    """The verifier only keeps its head: feeding a generator of 20,000 entries works."""
    entries, checkpoints = seal.build_chain(signer, 1)
    template = copy.deepcopy(entries[0])

    def lines():
        yield from seal.export_lines(signer, [], [])[:2]
        prev = GENESIS_HASH
        for seq in range(1, 20001):
            payload = template["payload"]
            hash_ = entry_hash(prev, seq, payload.encode())
            yield json.dumps(
                {"type": "entry", "seq": seq, "prev_hash": prev, "hash": hash_, "payload": payload}
            )
            prev = hash_
        ts = format_datetime(seal.T0)
        msg = checkpoint_message(1, 20000, prev, ts, signer.key_id)
        yield json.dumps(
            {
                "type": "checkpoint",
                "seq_from": 1,
                "seq_to": 20000,
                "head_hash": prev,
                "ts": ts,
                "key_id": signer.key_id,
                "signature": sign(signer.private, msg),
            }
        )
        yield json.dumps(
            {
                "type": "end",
                "entries": 20000,
                "checkpoints": 1,
                "head_seq": 20000,
                "head_hash": prev,
            }
        )

    result = verify_export(lines(), trusted_keys=[signer.raw])
    assert result["ok"], result
    assert result["entries"] == 20000


@pytest.mark.parametrize("field", ["seq_from", "seq_to"])
def test_checkpoint_range_edited_is_refused(signer, field, seal):
    entries, checkpoints = seal.build_chain(signer, 6)
    checkpoints[1][field] += 1
    result = run(seal, signer, entries, checkpoints)
    assert not result["ok"]
