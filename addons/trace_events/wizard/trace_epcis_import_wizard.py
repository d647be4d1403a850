import base64

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class TraceEpcisImportWizard(models.TransientModel):
    """Upload an EPCIS 2.0 JSON-LD document and capture its events (all or nothing)."""

    _name = "trace.epcis.import.wizard"
    _description = "Import EPCIS 2.0 Events"

    file = fields.Binary(string="EPCIS document", required=True)
    filename = fields.Char()
    state = fields.Selection([("draft", "Upload"), ("done", "Imported")], default="draft")
    created_count = fields.Integer(string="Events stored", readonly=True)
    duplicate_count = fields.Integer(string="Already stored", readonly=True)
    duplicates = fields.Text(string="Event IDs already stored", readonly=True)
    correction_count = fields.Integer(string="Error declarations", readonly=True)
    waiting_count = fields.Integer(
        string="Waiting in the EPCIS inbox",
        readonly=True,
        help="Events naming a UDI-DI or GLN not recorded yet: stored once it exists.",
    )
    event_ids = fields.Many2many("trace.event", string="Events", readonly=True)

    @api.constrains("filename")
    def _check_filename(self):
        for wizard in self.filtered("filename"):
            if not wizard.filename.lower().endswith((".json", ".jsonld")):
                raise ValidationError(
                    self.env._(
                        "%(name)s is not an EPCIS JSON document: choose a .jsonld or .json file.",
                        name=wizard.filename,
                    )
                )

    def action_import(self):
        self.ensure_one()
        try:
            text = base64.b64decode(self.file or b"").decode("utf-8-sig")
        except (ValueError, UnicodeDecodeError):
            raise UserError(self.env._("The file is not UTF-8 text.")) from None
        result = self.env["trace.event"].import_epcis(text)
        self.write(
            {
                "state": "done",
                "created_count": result["created"],
                "duplicate_count": len(result["duplicates"]),
                "duplicates": "\n".join(result["duplicates"]),
                "correction_count": len(result["corrections"]),
                "waiting_count": result.get("waiting", 0),
                "event_ids": [(6, 0, result["event_ids"] + result["corrections"])],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Import EPCIS 2.0 Events"),
        }

    def action_view_events(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "trace.event",
            "name": self.env._("Imported Events"),
            "view_mode": "list,form",
            "domain": [("id", "in", self.event_ids.ids)],
        }
