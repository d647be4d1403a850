"""A real local webhook receiver (http.server in a thread) that checks each delivery's signature
with the receiver sample of the docs, run as written there."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from odoo.tools.misc import file_path

SAMPLE_HEADING = "### Receiver sample"


def sample_code(path="trace_events/readme/WEBHOOKS.md"):
    """The Python code block under the receiver sample heading of a doc file, verbatim."""
    text = Path(file_path(path)).read_text(encoding="utf-8")
    section = text[text.index(SAMPLE_HEADING) :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def load_sample():
    """The sample's functions ({name: object}), executed exactly as the docs print them."""
    namespace = {"__name__": "webhook_receiver_sample"}
    exec(compile(sample_code(), "readme/WEBHOOKS.md", "exec"), namespace)  # noqa: S102
    return namespace


class Receiver:
    """Answers each POST with the next status of ``answers`` (200 once they run out); "hang"
    holds the request until the receiver stops. Records (headers, body, verified) per call."""

    def __init__(self, answers=(), keys=None, secret=None):
        self.answers = list(answers)
        self.keys = keys
        self.secret = secret
        self.calls = []
        self.release = threading.Event()
        self.verify = load_sample()["verify"]
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                verified = receiver.verify(
                    self.headers, body, keys=receiver.keys, secret=receiver.secret
                )
                receiver.calls.append(
                    {"headers": dict(self.headers), "body": body, "verified": verified}
                )
                answer = receiver.answers.pop(0) if receiver.answers else 200
                if answer == "hang":
                    receiver.release.wait(30)
                    return
                self.send_response(answer)
                if 300 <= answer < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def perform_jobs(trap, env):
    """Run the trapped jobs in the test's environment: a job queued during an HTTP request
    (a button, a JSON-2 call) holds that request's cursor, closed once it answered."""
    jobs, trap.enqueued_jobs = trap.enqueued_jobs, []
    for job in sorted(jobs, key=lambda job: job.priority):
        records = job.recordset.with_env(env)
        getattr(records, job.method_name)(*job.args, **job.kwargs)
