"""demo/udi_trace_demo/lib/finish_demo.py, the step bin/demo runs once the server answers."""

import importlib.util
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "demo/udi_trace_demo/lib/finish_demo.py"
spec = importlib.util.spec_from_file_location("finish_demo", SCRIPT)
finish_demo = importlib.util.module_from_spec(spec)
spec.loader.exec_module(finish_demo)


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_no_server_is_reported_and_fails(capsys):
    url = f"http://127.0.0.1:{closed_port()}"
    assert finish_demo.main(["--url", url, "--db", "demo", "--wait", "0"]) == 1
    assert f"no Odoo server answered at {url}" in capsys.readouterr().err


def test_waiting_stops_when_the_server_process_ends():
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    client = finish_demo.WebClient(f"http://127.0.0.1:{closed_port()}")
    started = time.monotonic()
    with pytest.raises(finish_demo.FinishError, match="stopped"):
        finish_demo.wait_for_server(client, 60, server_pid=int(ended.stdout))
    assert time.monotonic() - started < 10


def test_requests_name_the_address_users_open():
    client = finish_demo.WebClient("http://odoo:8069", "http://localhost:8069")
    assert (client.url, client.host) == ("http://odoo:8069", "localhost:8069")
