from odoo import models


class RecallCampaign(models.Model):
    _inherit = "recall.campaign"

    def _recall_nmpa_recall_section(self):
        """The recall event report quotes the answers given on the recall: overseas recall and
        estimated completion (recall_mgmt inferred the first from the jurisdictions and left
        the second blank)."""
        section = super()._recall_nmpa_recall_section()
        for row in section["rows"]:
            if row["key"] == "completion":
                completion = self.recall_estimated_completion
                row["value"] = completion.isoformat() if completion else ""
                row["required"] = True
            elif row["key"] == "overseas":
                if self.recall_overseas == "yes":
                    row["value"] = "是 " + (self.recall_overseas_detail or "")
                else:
                    row["value"] = "否" if self.recall_overseas == "no" else ""
                row["required"] = True
        return section
