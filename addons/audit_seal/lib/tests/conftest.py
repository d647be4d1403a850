"""Helpers shared by the pure tests: build small signed chains and NDJSON exports."""

import datetime

import pytest
from audit_seal_lib import export
from audit_seal_lib.canonical import format_datetime
from audit_seal_lib.chain import GENESIS_HASH, chain_hashes, checkpoint_message, entry_payload
from audit_seal_lib.keys import (
    generate_private_key_pem,
    key_id,
    load_private_key_pem,
    public_b64,
    public_raw,
    sign,
)

T0 = datetime.datetime(2026, 1, 1, 8, 0, 0)


class Signer:
    def __init__(self):
        self.private = load_private_key_pem(generate_private_key_pem())
        self.raw = public_raw(self.private)
        self.key_id = key_id(self.raw)


def build_chain(signer, n, per_checkpoint=3):
    """Entries and checkpoints as dicts (the export record shapes)."""
    payloads = [
        entry_payload("demo.record", i, "create", 2, T0, {"name": f"R{i}", "qty": i * 1.5})
        for i in range(1, n + 1)
    ]
    hashes = chain_hashes(GENESIS_HASH, 1, payloads)
    entries, checkpoints = [], []
    prev = GENESIS_HASH
    for seq, (payload, hash_) in enumerate(zip(payloads, hashes, strict=True), start=1):
        entries.append(export.entry_record(seq, prev, hash_, payload))
        prev = hash_
    for start in range(1, n + 1, per_checkpoint):
        end = min(n, start + per_checkpoint - 1)
        ts = format_datetime(T0 + datetime.timedelta(minutes=end))
        message = checkpoint_message(start, end, hashes[end - 1], ts, signer.key_id)
        checkpoints.append(
            export.checkpoint_record(
                start, end, hashes[end - 1], ts, signer.key_id, sign(signer.private, message)
            )
        )
    return entries, checkpoints


def export_lines(signer, entries, checkpoints, end=True, valid_from=None, redact=()):
    """NDJSON lines of an export; the entries of ``redact`` (sequence numbers) without their
    payload, as an export for a user of another company writes them (version 2)."""
    version = export.REDACTED_VERSION if redact else export.VERSION
    lines = [export.dump_line(export.header_record("seal_pure", format_datetime(T0), version))]
    lines.append(
        export.dump_line(
            export.key_record(
                signer.key_id,
                public_b64(signer.raw),
                format_datetime(valid_from or T0),
                None,
                False,
            )
        )
    )
    by_end = {cp["seq_to"]: cp for cp in checkpoints}
    for entry in entries:
        if entry["seq"] in redact:
            entry = export.redacted_record(entry["seq"], entry["prev_hash"], entry["hash"])
        lines.append(export.dump_line(entry))
        if entry["seq"] in by_end:
            lines.append(export.dump_line(by_end.pop(entry["seq"])))
    for seq_to in sorted(by_end):  # checkpoints whose last entry is missing
        lines.append(export.dump_line(by_end[seq_to]))
    if end and entries:
        last = entries[-1]
        lines.append(
            export.dump_line(
                export.end_record(
                    len(entries),
                    len(checkpoints),
                    last["seq"],
                    last["hash"],
                    len(set(redact)) if redact else None,
                )
            )
        )
    return lines


@pytest.fixture(scope="session")
def signer():
    return Signer()


class _Helpers:
    T0 = T0
    Signer = Signer
    build_chain = staticmethod(build_chain)
    export_lines = staticmethod(export_lines)


@pytest.fixture(scope="session")
def seal():
    """Chain-building helpers (``seal.build_chain``, ``seal.export_lines``, ``seal.Signer``)."""
    return _Helpers
