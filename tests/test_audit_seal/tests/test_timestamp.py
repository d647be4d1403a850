"""RFC 3161 time-stamps of checkpoints, against a local TSA (``openssl ts``) on 127.0.0.1."""

import base64
import datetime
import tempfile
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import config, mute_logger

from odoo.addons.audit_seal.lib import timestamp
from odoo.addons.audit_seal.lib.export import verify_export
from odoo.addons.audit_seal.lib.keys import parse_public_key
from odoo.addons.audit_seal.lib.tests.local_tsa import LocalTsa
from odoo.addons.audit_seal.models import audit_seal_checkpoint
from odoo.addons.audit_seal.models.audit_seal_key import CONFIG_KEY_FILE

from .common import write_key_file

CHECKPOINT_LOG = "odoo.addons.audit_seal.models.audit_seal_checkpoint"


@tagged("post_install", "-at_install")
class TestCheckpointTimestamps(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        key_dir = tempfile.TemporaryDirectory(prefix="audit_seal_tsa_")
        cls.addClassCleanup(key_dir.cleanup)
        cls.startClassPatcher(
            patch.dict(config.options, {CONFIG_KEY_FILE: write_key_file(key_dir.name)})
        )
        cls.tsa = LocalTsa().start()
        cls.addClassCleanup(cls.tsa.close)
        cls.manager = new_test_user(
            cls.env,
            login="seal_tsa_manager",
            password="seal_tsa_manager",
            groups="base.group_user,audit_seal.group_seal_manager",
        )
        cls.admin = cls.env.ref("base.user_admin")
        cls.Checkpoint = cls.env["audit.seal.checkpoint"]
        cls.Entry = cls.env["audit.seal.entry"]
        # the fixtures' sealed records (the manager's partner is in the sealed change log when
        # every addon is installed) are appended as their commit would: one checkpoint that
        # exists before every test, whatever is installed
        cls.env["audit.seal.test.record"].create({"name": "fixture"})
        cls.Entry._seal_run_pending()

    def setUp(self):
        super().setUp()
        self.tsa.mode = "ok"
        if self.tsa._server is None:
            self.tsa.start()

    # ------------------------------------------------------------------ helpers

    def configure(self, url=None, certificate="ca", from_now=True):
        """Save the Audit Seal settings as the administrator does. Switching on stamps the
        newest checkpoint too; ``from_now`` leaves it out, so that a test sees only the
        checkpoints it seals itself."""
        with Form(self.env["res.config.settings"].with_user(self.admin)) as form:
            form.audit_seal_tsa_url = self.tsa.url if url is None else url
            form.audit_seal_tsa_certificate = self.tsa.pem(certificate) if certificate else False
        form.record.execute()
        if from_now:
            self.env.cr.execute("SELECT coalesce(max(seq_to), 0) FROM audit_seal_checkpoint")
            self.env["ir.config_parameter"].set_param(
                audit_seal_checkpoint.PARAM_TSA_FROM_SEQ, str(self.env.cr.fetchone()[0])
            )

    def seal(self, name="Sterile pack 灭菌包"):
        """One sealing transaction; returns its checkpoint."""
        self.env["audit.seal.test.record"].create({"name": name})
        self.Entry._seal_run_pending()
        return self.Checkpoint.search([], limit=1)

    def stamp(self):
        """Run the stamping step as the cron does (its own cursors, here the test's)."""
        self.env.flush_all()
        stamped = self.Checkpoint._cron_seal_timestamp()
        self.env.invalidate_all()
        return stamped

    def sql(self, query, params=()):
        """As a DBA who switches the guards off for this transaction."""
        cr = self.env.cr
        cr.execute("SET LOCAL session_replication_role = replica")
        cr.execute(query, params)
        cr.execute("SET LOCAL session_replication_role = origin")
        self.env.invalidate_all()

    def verify(self):
        # what this transaction sealed is appended at its commit: append it now, as the commit
        # would (with every addon installed, the settings and the stamping are logged too)
        self.Entry._seal_run_pending()
        return self.Entry.with_user(self.manager).verify_chain()

    # ------------------------------------------------------------------ stamping

    def test_new_checkpoint_gets_a_token_that_verification_accepts(self):
        older = self.seal("before the TSA")
        self.seal("newest when switched on")
        self.configure(from_now=False)
        newest_at_switch_on = self.seal("after")
        before = fields.Datetime.now() - datetime.timedelta(seconds=2)
        self.stamp()
        after = fields.Datetime.now() + datetime.timedelta(seconds=1)
        checkpoint = newest_at_switch_on.with_user(self.manager)
        self.assertEqual(checkpoint.tsa_state, "stamped")
        self.assertTrue(before <= checkpoint.tsa_gen_time <= after, checkpoint.tsa_gen_time)
        self.assertIn("Audit Seal Test TSA", checkpoint.tsa_name)
        self.assertTrue(checkpoint.tsa_serial and checkpoint.tsa_nonce)
        self.assertEqual(checkpoint.tsa_attempts, 1)
        # the token is over exactly the bytes the checkpoint's signature covers
        info = timestamp.check_token(
            base64.b64decode(checkpoint.tsa_token),
            checkpoint._seal_message(),
            timestamp.load_certificates(self.tsa.pem("tsa")),
            nonce=checkpoint.tsa_nonce,
        )
        self.assertEqual(info.serial, checkpoint.tsa_serial)
        # the newest checkpoint when time-stamping was switched on is stamped, not the older ones
        self.assertEqual(self.Checkpoint.search([], limit=2)[1].tsa_state, "stamped")
        self.assertEqual(older.tsa_state, "none")
        self.assertFalse(older.tsa_token)
        result = self.verify()
        self.assertTrue(result["ok"], result["reason"])
        self.assertEqual(result["timestamps"], 2)

    def test_export_with_tokens_verifies_offline(self):
        self.configure()
        self.seal()
        self.seal()
        self.stamp()
        self.authenticate("seal_tsa_manager", "seal_tsa_manager")
        response = self.url_open("/audit_seal/export")
        self.assertEqual(response.status_code, 200)
        lines = response.content.splitlines()
        self.assertIn(b'"timestamp":{"gen_time"', b"".join(lines))
        keys = [parse_public_key(key.public_key) for key in self.env["audit.seal.key"].search([])]
        ca = timestamp.load_certificates(self.tsa.pem("ca"))
        result = verify_export(lines, trusted_keys=keys, tsa_certificates=ca)
        self.assertTrue(result["ok"], result["reason"])
        self.assertGreaterEqual(result["timestamps"], 2)
        other = LocalTsa()
        self.addCleanup(other.close)
        result = verify_export(lines, keys, timestamp.load_certificates(other.pem("ca")))
        self.assertFalse(result["ok"])
        self.assertIn("neither the configured TSA certificate", result["reason"])

    # ------------------------------------------------------------------ tampering

    def test_changed_token_is_reported_at_its_checkpoint(self):
        self.configure()
        checkpoint = self.seal()
        self.stamp()
        token = bytearray(base64.b64decode(checkpoint.tsa_token))
        token[-5] ^= 0x01  # inside the TSA's signature
        self.sql(
            "UPDATE audit_seal_checkpoint SET tsa_token = %s WHERE id = %s",
            [base64.b64encode(bytes(token)), checkpoint.id],
        )
        result = self.verify()
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_bad_seq"], checkpoint.seq_from)
        self.assertIn("time-stamp token does not hold", result["reason"])
        self.assertIn("TSA signature does not verify", result["reason"])

    def test_token_moved_to_another_checkpoint_or_retimed_is_reported(self):
        self.configure()
        first = self.seal()
        second = self.seal()
        self.stamp()
        self.sql(
            "UPDATE audit_seal_checkpoint SET tsa_gen_time = %s WHERE id = %s",
            [first.tsa_gen_time - datetime.timedelta(days=30), first.id],
        )
        result = self.verify()
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_bad_seq"], first.seq_from)
        self.assertIn("the ledger shows gen_time", result["reason"])
        self.sql(
            "UPDATE audit_seal_checkpoint c SET tsa_token = o.tsa_token, "
            "tsa_gen_time = o.tsa_gen_time, tsa_nonce = o.tsa_nonce, tsa_serial = o.tsa_serial "
            "FROM audit_seal_checkpoint o WHERE c.id = %s AND o.id = %s",
            [first.id, second.id],
        )
        result = self.verify()
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_bad_seq"], first.seq_from)
        self.assertIn("imprint is not the digest of this checkpoint", result["reason"])

    def test_recorded_token_cannot_be_changed_in_the_database(self):
        self.configure()
        checkpoint = self.seal()
        self.stamp()
        cr = self.env.cr
        for query in (
            "UPDATE audit_seal_checkpoint SET tsa_gen_time = tsa_gen_time - interval '1 day'",
            "UPDATE audit_seal_checkpoint SET tsa_token = NULL, tsa_gen_time = NULL",
            "UPDATE audit_seal_checkpoint SET head_hash = head_hash",
        ):
            with (
                self.subTest(query=query),
                mute_logger("odoo.sql_db"),
                self.assertRaisesRegex(Exception, "audit_seal"),
                cr.savepoint(),
            ):
                cr.execute(f"{query} WHERE id = %s", [checkpoint.id])

    # ------------------------------------------------------------------ TSA unavailable

    def test_unreachable_tsa_leaves_the_checkpoint_valid_then_a_later_run_stamps_it(self):
        self.configure()
        self.tsa.stop()
        checkpoint = self.seal()
        with mute_logger(CHECKPOINT_LOG):
            self.assertEqual(self.stamp(), 0)
        shown = checkpoint.with_user(self.manager).read(["tsa_state", "tsa_error", "tsa_token"])[0]
        self.assertEqual(shown["tsa_state"], "failed")
        self.assertIn("cannot be reached", shown["tsa_error"])
        self.assertFalse(shown["tsa_token"])
        result = self.verify()
        self.assertTrue(result["ok"], result["reason"])
        later = self.seal("sealed while the TSA is down")
        self.assertEqual(later.tsa_state, "pending")
        self.tsa.start()
        self.assertEqual(self.stamp(), 2)
        self.assertEqual(checkpoint.tsa_state, "stamped")
        self.assertEqual(checkpoint.tsa_attempts, 2)
        self.assertFalse(checkpoint.tsa_error)
        self.assertEqual(later.tsa_state, "stamped")
        self.assertEqual(self.verify()["timestamps"], 2)

    def test_tsa_errors_and_silence_are_recorded_failures(self):
        self.configure()
        checkpoint = self.seal()
        self.addCleanup(self.tsa.release)
        for mode, message in (
            ("http_error", "HTTP 503"),
            ("reject", "refused the request (rejection"),
            ("hang", "timed out"),
        ):
            self.tsa.mode = mode
            with (
                self.subTest(mode=mode),
                patch.object(audit_seal_checkpoint, "TSA_TIMEOUT", 0.5),
                mute_logger(CHECKPOINT_LOG),
            ):
                self.assertEqual(self.stamp(), 0)
                self.assertEqual(checkpoint.tsa_state, "failed")
                self.assertIn(message, checkpoint.tsa_error)
        self.tsa.release()

    def test_token_of_another_authority_is_not_stored(self):
        other = LocalTsa()
        self.addCleanup(other.close)
        self.configure()
        self.env["ir.config_parameter"].set_param(
            audit_seal_checkpoint.PARAM_TSA_CERTIFICATE, other.pem("ca")
        )
        checkpoint = self.seal()
        with mute_logger(CHECKPOINT_LOG):
            self.stamp()
        self.assertEqual(checkpoint.tsa_state, "failed")
        self.assertIn("neither the configured TSA certificate", checkpoint.tsa_error)
        self.assertFalse(checkpoint.tsa_token)

    # ------------------------------------------------------------------ who may set what

    def test_token_fields_are_refused_to_a_seal_manager_over_json2(self):
        self.configure()
        checkpoint = self.seal()
        key = (
            self.env["res.users.apikeys"]
            .with_user(self.manager)
            .sudo()
            ._generate(None, "Forger", datetime.datetime.now() + datetime.timedelta(days=1))
        )
        forged = {
            "tsa_token": base64.b64encode(b"forged").decode(),
            "tsa_gen_time": "2020-01-01 00:00:00",
            "tsa_name": "Forged TSA",
        }
        self.env.flush_all()
        with mute_logger("odoo.http"):
            response = self.url_open(
                "/json/2/audit.seal.checkpoint/write",
                json={"ids": [checkpoint.id], "vals": forged, "context": {"tsa": True}},
                method="POST",
                headers={
                    "Authorization": f"bearer {key}",
                    "X-Odoo-Database": self.env.cr.dbname,
                },
            )
        self.assertNotEqual(response.status_code, 200, response.text)
        self.assertIn("AccessError", response.text)
        self.env.invalidate_all()
        self.assertFalse(checkpoint.tsa_token or checkpoint.tsa_gen_time or checkpoint.tsa_name)
        # the stamping step is the only writer, whoever the caller and whatever the context
        for env in (self.env, self.env(context={"tsa": True}), self.env(user=self.admin)):
            with self.subTest(uid=env.uid), self.assertRaisesRegex(AccessError, "set by its"):
                checkpoint.with_env(env).sudo().write({"tsa_name": "Forged TSA"})

    def test_settings_refuse_a_bad_url_or_certificate(self):
        params = self.env["ir.config_parameter"]
        for url, certificate, message in (
            ("ftp://tsa.example.com/tsr", "ca", "URL “ftp://tsa.example.com/tsr” is not valid"),
            ("tsa.example.com", "ca", "URL “tsa.example.com” is not valid"),
        ):
            with self.subTest(url=url), self.assertRaisesRegex(ValidationError, message):
                self.configure(url, certificate)
        with self.assertRaisesRegex(ValidationError, "TSA certificate cannot be read"):
            with Form(self.env["res.config.settings"].with_user(self.admin)) as form:
                form.audit_seal_tsa_url = self.tsa.url
                form.audit_seal_tsa_certificate = "-----BEGIN CERTIFICATE-----\nAA==\n"
        self.assertFalse(params.get_param(audit_seal_checkpoint.PARAM_TSA_URL))
        self.assertFalse(params.get_param(audit_seal_checkpoint.PARAM_TSA_CERTIFICATE))
