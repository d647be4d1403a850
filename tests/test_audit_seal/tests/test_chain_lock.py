"""The chain lock's wait is bounded: a transaction holding it cannot block every worker.

Another real connection holds the chain lock; a sealing request (the web client's save, a JSON-RPC
``call_kw``) waits at most ``audit_seal.chain_lock_timeout_ms`` per try, is retried by Odoo's
request loop, and then either gets through (the lock was released meanwhile) or answers "the
audit ledger is busy" with nothing written. Committers outside a request (cron, queue_job) get
the retryable ``LockNotAvailable`` from their commit, within the bound, with nothing written.
"""

import json
import tempfile
import threading
import time
from unittest.mock import patch

import psycopg2.errors

from odoo.service import model as service_model
from odoo.sql_db import db_connect
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import get_db_name
from odoo.tools import config, mute_logger

from odoo.addons.audit_seal.models.audit_seal_entry import CHAIN_LOCK_KEY, PARAM_LOCK_TIMEOUT
from odoo.addons.audit_seal.models.audit_seal_key import CONFIG_KEY_FILE

from .common import RealCommitCase, write_key_file

BOUND_MS = 400
#: Odoo's request loop with two tries and short pauses, to keep the test short
TRIES = 2


class LockHolder:
    """A real connection of its own that takes the chain lock and keeps its transaction."""

    def __init__(self):
        self.cr = db_connect(get_db_name()).cursor()
        # the test's own transaction must not hold the lock (an append in setUpClass would
        # until the class ends): fail instead of waiting for ever
        self.cr.execute("SET LOCAL lock_timeout = '10s'")
        self.cr.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])

    def release(self):
        if not self.cr.closed:
            self.cr.rollback()
            self.cr.close()


@tagged("post_install", "-at_install")
class TestChainLockBoundOverHttp(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        key_dir = tempfile.TemporaryDirectory(prefix="audit_seal_lock_")
        cls.addClassCleanup(key_dir.cleanup)
        cls.startClassPatcher(
            patch.dict(config.options, {CONFIG_KEY_FILE: write_key_file(key_dir.name)})
        )
        new_test_user(
            cls.env,
            login="seal_lock_manager",
            password="seal_lock_manager",
            groups="base.group_user,audit_seal.group_seal_manager",
        )
        cls.env["ir.config_parameter"].sudo().set_param(PARAM_LOCK_TIMEOUT, str(BOUND_MS))
        # nothing sealed here: the append's lock would be held by the class's transaction (each
        # test's savepoint, rolled back at its end, releases the lock its request took)
        cls.Entry = cls.env["audit.seal.entry"]
        cls.startClassPatcher(
            patch.object(service_model, "MAX_TRIES_ON_CONCURRENCY_FAILURE", TRIES)
        )
        cls.startClassPatcher(patch.object(service_model.random, "uniform", lambda a, b: 0.2))

    def save_record(self, name):
        """The web client's form save of a new sealed record; returns the JSON-RPC answer."""
        response = self.url_open(
            "/web/dataset/call_kw/audit.seal.test.record/web_save",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "model": "audit.seal.test.record",
                        "method": "web_save",
                        "args": [[], {"name": name}],
                        "kwargs": {"specification": {"name": {}}, "context": {"lang": "en_US"}},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
        return response.json()

    def head(self):
        self.env.cr.execute("SELECT coalesce(max(seq), 0) FROM audit_seal_entry")
        return self.env.cr.fetchone()[0]

    def test_a_held_lock_fails_the_save_within_the_bound_with_a_clear_message(self):
        self.authenticate("seal_lock_manager", "seal_lock_manager")
        head = self.head()
        holder = LockHolder()
        self.addCleanup(holder.release)
        start = time.monotonic()
        with mute_logger("odoo.http", "odoo.addons.audit_seal.chain_lock", "odoo.sql_db"):
            answer = self.save_record("waits for the lock")
        elapsed = time.monotonic() - start
        holder.release()
        error = answer.get("error")
        self.assertTrue(error, answer)
        self.assertEqual(error["data"]["name"], "odoo.exceptions.LockError")
        self.assertIn("The audit ledger is busy", error["data"]["message"])
        self.assertIn("0.4 seconds", error["data"]["message"])
        # Odoo's request loop tried twice, each waiting the bound (0.4 s), with a pause of
        # 0.2 s between: retried, and bounded (not the holder's whole transaction)
        self.assertGreaterEqual(elapsed, TRIES * BOUND_MS / 1000)
        self.assertLess(elapsed, 1.0 * TRIES + 3)
        self.assertFalse(
            self.env["audit.seal.test.record"].search([("name", "=", "waits for the lock")])
        )
        self.assertEqual(self.head(), head, "nothing appended")
        result = self.Entry.verify_chain()
        self.assertTrue(result["ok"], result)

    def test_the_retry_gets_through_once_the_lock_is_released(self):
        self.authenticate("seal_lock_manager", "seal_lock_manager")
        head = self.head()
        holder = LockHolder()
        self.addCleanup(holder.release)
        # released during the first try's wait or the pause after it
        timer = threading.Timer(0.5, holder.release)
        timer.start()
        self.addCleanup(timer.cancel)
        with mute_logger("odoo.addons.audit_seal.chain_lock", "odoo.sql_db"):
            answer = self.save_record("retried")
        self.assertNotIn("error", answer)
        record = self.env["audit.seal.test.record"].browse(answer["result"][0]["id"])
        self.assertEqual(record.name, "retried")
        self.env.cr.execute(
            "SELECT res_model, res_id FROM audit_seal_entry WHERE seq > %s ORDER BY seq", [head]
        )
        self.assertEqual(self.env.cr.fetchall(), [("audit.seal.test.record", record.id)])
        result = self.Entry.verify_chain()
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["head_seq"], head + 1)


@tagged("post_install", "-at_install")
class TestChainLockBoundAtCommit(RealCommitCase):
    """A cron job or a queue_job job appends at its own commit: the commit fails within the
    bound with the retryable ``LockNotAvailable`` (queue_job postpones the job on it), and
    nothing of its transaction is written. Commits for real, then cleans up."""

    def test_commit_fails_within_the_bound_and_writes_nothing(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT coalesce(max(seq), 0) FROM audit_seal_entry")
            head = cr.fetchone()[0]
        holder = LockHolder()
        self.addCleanup(holder.release)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            with patch.object(
                type(env["audit.seal.entry"]), "_seal_lock_timeout", return_value=BOUND_MS
            ):
                env["audit.seal.test.record"].create({"name": "committed by a job"})
                start = time.monotonic()
                with (
                    mute_logger("odoo.addons.audit_seal.chain_lock", "odoo.sql_db"),
                    self.assertRaises(psycopg2.errors.LockNotAvailable) as caught,
                ):
                    cr.commit()  # pylint: disable=invalid-commit
                elapsed = time.monotonic() - start
            cr.rollback()
        holder.release()
        self.assertIn(caught.exception.pgcode, service_model.PG_CONCURRENCY_ERRORS_TO_RETRY)
        self.assertLess(elapsed, BOUND_MS / 1000 + 2)
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT (SELECT count(*) FROM audit_seal_test_record WHERE name = %s),"
                " (SELECT coalesce(max(seq), 0) FROM audit_seal_entry)",
                ["committed by a job"],
            )
            self.assertEqual(cr.fetchone(), (0, head))
            result = self._env(cr)["audit.seal.entry"].verify_chain()
            self.assertTrue(result["ok"], result)
