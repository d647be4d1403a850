#!/usr/bin/env python3
"""Finish the demo once Odoo serves it: what the demo install cannot do without an HTTP server.

    python3 demo/udi_trace_demo/lib/finish_demo.py --url http://127.0.0.1:8069 --db udi_demo

Waits until the server answers (``--wait`` seconds), signs in as the demo administrator
(``admin`` / ``admin``) the way the web client does, and calls ``udi.demo``'s ``finish_demo``:
the recall notice mails of the demo get their PDF, rendered by wkhtmltopdf with the report's
style sheets served by this server. Running it again renders nothing twice. ``--base-url`` is
the address users open (sent as the ``Host`` of the requests): signing in there sets Odoo's
``web.base.url`` as signing in with the browser does. ``bin/demo`` and
``docker/docker-compose.yml`` run it. Plain Python (the standard library).
"""

# a command-line step of bin/demo: what it prints is its answer
# pylint: disable=print-used

import argparse
import http.cookiejar
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


class FinishError(Exception):
    """The demo could not be finished; the message says why and what to do."""


class WebClient:
    """The web client's JSON-RPC routes on ``url``, with its session cookie."""

    def __init__(self, url, base_url=None):
        self.url = url.rstrip("/")
        self.host = urllib.parse.urlsplit(base_url).netloc if base_url else None
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def post(self, path, payload):
        """POST ``payload`` (JSON) to ``path``; returns the decoded JSON answer."""
        headers = {"Content-Type": "application/json"}
        if self.host:
            headers["Host"] = self.host
        request = urllib.request.Request(
            self.url + path, json.dumps(payload).encode(), headers, method="POST"
        )
        with self.opener.open(request, timeout=600) as response:
            return json.load(response)

    def call(self, path, params):
        answer = self.post(path, {"jsonrpc": "2.0", "method": "call", "params": params})
        if answer.get("error"):
            error = answer["error"].get("data") or answer["error"]
            raise FinishError(error.get("message") or str(error))
        return answer["result"]

    def healthy(self):
        try:
            with self.opener.open(f"{self.url}/web/health", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False


def running(pid):
    """Whether process ``pid`` runs (signal 0 tests it without signalling)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it runs, as another user
    return True


def wait_for_server(client, timeout, server_pid=None):
    """Wait until the server answers Odoo's health check, at most ``timeout`` seconds (and no
    longer than the process ``server_pid`` runs)."""
    deadline = time.monotonic() + timeout
    while not client.healthy():
        if server_pid and not running(server_pid):
            raise FinishError(f"the server (process {server_pid}) stopped")
        if time.monotonic() > deadline:
            raise FinishError(f"no Odoo server answered at {client.url} within {timeout:.0f} s")
        time.sleep(1)


def finish(client, db, login="admin", password="admin"):
    """Sign in as ``login`` and finish the demo of ``db``; returns ``finish_demo``'s answer."""
    session = client.call(
        "/web/session/authenticate", {"db": db, "login": login, "password": password}
    )
    if not session.get("uid"):
        raise FinishError(f"{login} cannot sign in to {db}")
    return client.call(
        "/web/dataset/call_kw/udi.demo/finish_demo",
        {"model": "udi.demo", "method": "finish_demo", "args": [], "kwargs": {}},
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="where this script reaches the server")
    parser.add_argument("--db", required=True)
    parser.add_argument("--base-url", help="the address users open (default: --url)")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--wait", type=float, default=120, help="seconds to wait for the server")
    parser.add_argument("--server-pid", type=int, help="stop waiting when this process ends")
    args = parser.parse_args(argv)
    client = WebClient(args.url, args.base_url)
    try:
        wait_for_server(client, args.wait, args.server_pid)
        result = finish(client, args.db, args.login, args.password)
    except (FinishError, urllib.error.URLError, OSError, ValueError) as exc:
        print(
            f"finish_demo: {exc}. The demo's recall notice mails keep no PDF (print a notice "
            "from its form instead).",
            file=sys.stderr,
        )
        return 1
    print(f"Demo finished: {result['notice_pdfs']} recall notice PDF(s) rendered.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
