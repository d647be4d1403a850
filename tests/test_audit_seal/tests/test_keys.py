import os
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tools import config, mute_logger

from odoo.addons.audit_seal.lib.keys import key_id, load_private_key_pem, public_raw
from odoo.addons.audit_seal.models.audit_seal_key import CONFIG_KEY_FILE

from .common import SealCase, write_key_file


class TestKeys(SealCase):
    def _key_id_of(self, path):
        with open(path, "rb") as handle:
            return key_id(public_raw(load_private_key_pem(handle.read())))

    def test_configured_key_signs_and_is_registered(self):
        record = self.seal()
        checkpoint = self.Checkpoint.search([("seq_to", "=", self.entry_of(record).seq)])
        expected = self._key_id_of(self.key_path)
        self.assertEqual(checkpoint.key_id, expected)
        key = self.env["audit.seal.key"].search([("key_id", "=", expected)])
        self.assertEqual((key.state, key.is_demo), ("current", False))
        status = self.env["audit.seal.key"].get_signing_status()
        self.assertEqual((status["demo"], status["key_id"]), (False, expected))

    def test_rotation_retires_old_key_and_keeps_old_checkpoints_verifiable(self):
        self.seal(2)
        old_id = self._key_id_of(self.key_path)
        new_path = write_key_file(self.key_dir.name, "rotated.pem")
        with patch.dict(config.options, {CONFIG_KEY_FILE: new_path}):
            record = self.seal(2)
        new_id = self._key_id_of(new_path)
        keys = self.env["audit.seal.key"].search([("key_id", "in", [old_id, new_id])])
        by_id = {key.key_id: key for key in keys}
        self.assertTrue(by_id[old_id].valid_to)
        self.assertFalse(by_id[new_id].valid_to)
        self.assertLessEqual(by_id[old_id].valid_to, by_id[new_id].valid_from)
        checkpoint = self.Checkpoint.search([("seq_to", "=", self.entry_of(record[-1]).seq)])
        self.assertEqual(checkpoint.key_id, new_id)
        self.assertTrue(self.verify()["ok"])

    def test_retired_key_can_no_longer_sign(self):
        self.seal()
        with patch.dict(
            config.options, {CONFIG_KEY_FILE: write_key_file(self.key_dir.name, "k2.pem")}
        ):
            self.seal()
        before = self.head_seq()
        self.Record.create({"name": "signed with the retired key"})
        with self.assertRaisesRegex(UserError, "was retired"):
            self.env["audit.seal.entry"]._seal_run_pending()
        self.assertEqual(self.head_seq(), before)

    def test_unreadable_key_file_stops_sealing(self):
        missing = os.path.join(self.key_dir.name, "missing.pem")
        before = self.head_seq()
        with patch.dict(config.options, {CONFIG_KEY_FILE: missing}):
            self.Record.create({"name": "no key"})
            with self.assertRaisesRegex(UserError, "cannot read its signing key file"):
                self.env["audit.seal.entry"]._seal_run_pending()
            status = self.env["audit.seal.key"].get_signing_status()
        self.assertTrue(status["error"])
        self.assertEqual(self.head_seq(), before)

    def test_not_a_key_file_is_refused(self):
        bad = os.path.join(self.key_dir.name, "bad.pem")
        with open(bad, "w") as handle:
            handle.write("not a key")
        with patch.dict(config.options, {CONFIG_KEY_FILE: bad}):
            with self.assertRaisesRegex(UserError, "cannot use the signing key file"):
                self.env["audit.seal.key"]._seal_signer()

    def test_demo_mode_generates_a_key_outside_the_database(self):
        with (
            patch.dict(config.options, {CONFIG_KEY_FILE: False}),
            mute_logger("odoo.addons.audit_seal.models.audit_seal_key"),
        ):
            signer = self.env["audit.seal.key"]._seal_signer()
            status = self.env["audit.seal.key"].get_signing_status()
        self.assertTrue(signer.demo and status["demo"])
        self.assertTrue(os.path.exists(signer.path))
        self.assertTrue(signer.path.startswith(config.filestore(self.env.cr.dbname)))

    def test_private_key_is_never_exposed(self):
        self.seal()
        with open(self.key_path, "rb") as handle:
            pem = handle.read().decode()
        secret = pem.splitlines()[1]
        key_model = self.env["audit.seal.key"]
        self.assertFalse(
            [name for name in key_model._fields if "private" in name or "secret" in name]
        )
        data = repr(key_model.with_user(self.manager).search_read([]))
        data += repr(key_model.with_user(self.manager).get_signing_status())
        self.assertNotIn(secret, data)
        self.env.cr.execute("SELECT row_to_json(k)::text FROM audit_seal_key k")
        self.assertNotIn(secret, repr(self.env.cr.fetchall()))
        self.assertNotIn(secret, repr(key_model._seal_signer()))

    def test_public_keys_cannot_be_deleted_or_rewritten(self):
        self.seal()
        key = self.env["audit.seal.key"].search([], limit=1)
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            key.unlink()
        with self.assertRaisesSql("public key registry"):
            self.env.cr.execute(
                "UPDATE audit_seal_key SET valid_from = valid_from - interval '1 day'"
            )
        key.write({"note": "HSM-backed since 2026"})  # label and note stay editable
        self.env.flush_all()
