import json
import subprocess
import sys
from pathlib import Path

import pytest
from implant_registry_lib.keyring import Keyring, KeyringError, read_keyring

SCRIPT = Path(__file__).resolve().parent.parent / "keyring.py"


def test_round_trip_and_ciphertext_hides_the_value():
    keyring = Keyring.generate()
    data_key = keyring.new_data_key()
    wrapped = keyring.wrap(data_key)
    assert wrapped.startswith(f"kid.{keyring.current}.")
    ciphertext = Keyring.encrypt(data_key, "RJ-2026-000417", "patient_ref")
    assert "RJ-2026" not in ciphertext
    assert Keyring.decrypt(keyring.unwrap(wrapped), ciphertext, "patient_ref") == "RJ-2026-000417"
    # the field name is bound: a ciphertext moved to another field does not decrypt
    with pytest.raises(KeyringError):
        Keyring.decrypt(data_key, ciphertext, "patient_contact")


def test_rotation_keeps_old_data_keys_readable_and_tokens_stable():
    old = Keyring.generate()
    wrapped = old.wrap(b"k" * 32)
    new = old.rotated("k2099")
    assert new.current == "k2099"
    assert new.unwrap(wrapped) == b"k" * 32
    assert new.wrap(b"k" * 32).startswith("kid.k2099.")
    assert new.token(7, "RJ-1") == old.token(7, " rj-1 ")
    assert new.token(7, "RJ-1") != new.token(8, "RJ-1")
    without_old = Keyring("k2099", {"k2099": new.keys["k2099"]}, new.token_key)
    with pytest.raises(KeyringError, match="not in the keyring"):
        without_old.unwrap(wrapped)


def test_tampered_values_are_refused():
    keyring = Keyring.generate()
    wrapped = keyring.wrap(b"k" * 32)
    head, body = wrapped.rsplit(".", 1)
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(KeyringError):
        keyring.unwrap(f"{head}.{flipped}")
    with pytest.raises(KeyringError):
        keyring.unwrap("nonsense")
    with pytest.raises(KeyringError):
        Keyring.loads('{"current": "a", "keys": {"a": "c2hvcnQ="}, "token_key": "x"}')


def test_command_line_new_and_rotate(tmp_path):
    path = tmp_path / "keyring.json"
    subprocess.run([sys.executable, str(SCRIPT), "new", str(path)], check=True)
    first = read_keyring(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    # new refuses to overwrite an existing keyring
    assert subprocess.run([sys.executable, str(SCRIPT), "new", str(path)]).returncode != 0
    subprocess.run([sys.executable, str(SCRIPT), "rotate", str(path)], check=True)
    second = read_keyring(path)
    assert second.current != first.current
    assert set(second.keys) == set(first.keys) | {second.current}
    assert second.token_key == first.token_key
    assert set(json.loads(path.read_text())) == {"current", "keys", "token_key"}
