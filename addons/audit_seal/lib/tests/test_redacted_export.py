"""Exports for a user of another company: entries without payload, linkage still verified.

Entry ``n``'s hash is computed over the hash of entry ``n - 1``, and signed checkpoints cover
the head: an entry given by its hashes alone keeps its place in the chain. The verifier checks
that place (sequence, previous hash) and reports how many entries it could not read.
"""

import json

from audit_seal_lib import export
from audit_seal_lib.keys import public_pem

from .test_verify_cli import _run


def _verify(seal, signer, entries, checkpoints, **kwargs):
    lines = seal.export_lines(signer, entries, checkpoints, **kwargs)
    return export.verify_export(lines, trusted_keys=[signer.raw])


def test_redacted_entries_verify_by_their_hashes_and_are_counted(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 7)
    result = _verify(seal, signer, entries, checkpoints, redact={2, 3, 6})
    assert result["ok"], result["reason"]
    assert (result["entries"], result["redacted"], result["checkpoints"]) == (7, 3, 3)
    assert result["head_hash"] == entries[-1]["hash"]
    full = _verify(seal, signer, entries, checkpoints)
    assert (full["ok"], full["redacted"]) == (True, 0)


def test_redacted_lines_carry_no_payload(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 3)
    lines = seal.export_lines(signer, entries, checkpoints, redact={2})
    records = [json.loads(line) for line in lines]
    assert records[0]["v"] == export.REDACTED_VERSION
    redacted = [record for record in records if record["type"] == "redacted"]
    assert redacted == [
        {
            "type": "redacted",
            "seq": 2,
            "prev_hash": entries[0]["hash"],
            "hash": entries[1]["hash"],
        }
    ]
    # the names as they stand in the payloads, quotes included: a hash (hex) or a signature
    # (base64) can hold the two letters by chance, never a quote
    names = {
        json.loads(record["payload"])["data"]["name"] for record in records if "payload" in record
    }
    assert names == {"R1", "R3"}


def test_changed_hash_of_a_redacted_entry_breaks_the_chain(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 6)
    entries[1]["hash"] = "a" * 64  # the next entry's hash is computed over it
    result = _verify(seal, signer, entries, checkpoints, redact={2})
    assert not result["ok"]
    assert result["first_bad_seq"] == 3


def test_changed_hash_of_a_redacted_head_fails_its_checkpoint(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 3, per_checkpoint=3)
    entries[2]["hash"] = "b" * 64
    result = _verify(seal, signer, entries, checkpoints, redact={3}, end=False)
    assert not result["ok"]
    assert "head hash does not match" in result["reason"]


def test_redacted_entry_out_of_place_is_found(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 5)
    entries[2]["prev_hash"] = entries[0]["hash"]
    result = _verify(seal, signer, entries, checkpoints, redact={3})
    assert (result["ok"], result["first_bad_seq"]) == (False, 3)
    assert "previous hash" in result["reason"]


def test_redacted_line_in_a_version_1_export_is_refused(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 3)
    lines = seal.export_lines(signer, entries, checkpoints)
    line = export.dump_line(export.redacted_record(2, entries[0]["hash"], entries[1]["hash"]))
    lines[3] = line  # header, key, entry 1, entry 2
    result = export.verify_export(lines, trusted_keys=[signer.raw])
    assert not result["ok"]
    assert "unknown record type 'redacted'" in result["reason"]


def test_end_record_must_count_the_redacted_entries(signer, seal):
    entries, checkpoints = seal.build_chain(signer, 4)
    lines = seal.export_lines(signer, entries, checkpoints, redact={2})
    end = json.loads(lines[-1])
    end["redacted"] = 0
    lines[-1] = export.dump_line(end)
    result = export.verify_export(lines, trusted_keys=[signer.raw])
    assert not result["ok"]
    assert "end record does not match" in result["reason"]


def test_cli_reports_redacted_entries(tmp_path, signer, seal):
    entries, checkpoints = seal.build_chain(signer, 5)
    path = tmp_path / "chain.ndjson"
    path.write_bytes(b"".join(seal.export_lines(signer, entries, checkpoints, redact={1, 4})))
    pub = tmp_path / "pub.pem"
    pub.write_bytes(public_pem(signer.raw))
    result = _run(["verify", str(path), "--trusted-key", str(pub)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: 5 entries" in result.stdout
    assert "REDACTED: 2 of the entries" in result.stdout
    result = _run(["verify", str(path), "--trusted-key", str(pub), "--json"])
    assert json.loads(result.stdout)["redacted"] == 2
