"""The offline verifier command runs without Odoo, as a script and as ``python3 -m``."""

import json
import os
import subprocess
import sys
from pathlib import Path

from audit_seal_lib.keys import public_pem

LIB = Path(__file__).resolve().parent.parent
# Fail if anything tries to import Odoo: the verifier must run on a machine without it.
BLOCK_ODOO = "import sys; sys.modules['odoo'] = None; "


def _run(args, cwd=None):
    env = dict(os.environ, PYTHONPATH="")
    code = (
        BLOCK_ODOO
        + "import runpy, sys; sys.argv = sys.argv[1:]; "
        + "runpy.run_path(sys.argv[0], run_name='__main__')"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(LIB / "verify_cli.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        check=False,
    )


def _write(seal, tmp_path, signer, entries, checkpoints):
    export = tmp_path / "chain.ndjson"
    export.write_bytes(b"".join(seal.export_lines(signer, entries, checkpoints)))
    pub = tmp_path / "pub.pem"
    pub.write_bytes(public_pem(signer.raw))
    return export, pub


def test_cli_accepts_intact_export(tmp_path, signer, seal):
    export, pub = _write(seal, tmp_path, signer, *seal.build_chain(signer, 5))
    result = _run(["verify", str(export), "--trusted-key", str(pub), "--json"])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] and data["entries"] == 5


def test_cli_reports_tampered_entry_and_exits_1(tmp_path, signer, seal):
    entries, checkpoints = seal.build_chain(signer, 5)
    entries[2]["payload"] = entries[2]["payload"].replace("R3", "R9")
    export, pub = _write(seal, tmp_path, signer, entries, checkpoints)
    result = _run(["verify", str(export), "--trusted-key", str(pub)])
    assert result.returncode == 1
    assert "FAILED at entry 3" in result.stdout


def test_cli_runs_as_module_from_the_addon_folder(tmp_path, signer, seal):
    export, pub = _write(seal, tmp_path, signer, *seal.build_chain(signer, 4))
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            BLOCK_ODOO + "import runpy, sys; sys.argv = sys.argv[1:]; "
            "runpy.run_module('lib.verify_cli', run_name='__main__', alter_sys=True)",
            "verify_cli",
            "verify",
            str(export),
            "--trusted-key",
            str(pub),
        ],
        capture_output=True,
        text=True,
        cwd=LIB.parent,
        env=dict(os.environ, PYTHONPATH=str(LIB.parent)),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: 4 entries")


def test_cli_keygen_and_pubkey(tmp_path, seal):
    key = tmp_path / "k.pem"
    result = _run(["keygen", str(key)])
    assert result.returncode == 0, result.stderr
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert _run(["keygen", str(key)]).returncode == 2  # never overwrites a key
    pub = _run(["pubkey", str(key)])
    assert pub.returncode == 0 and "BEGIN PUBLIC KEY" in pub.stdout


def test_cli_rejects_unreadable_trusted_key(tmp_path, signer, seal):
    export, _pub = _write(seal, tmp_path, signer, *seal.build_chain(signer, 2))
    result = _run(["verify", str(export), "--trusted-key", "not-a-key"])
    assert result.returncode == 2
