from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Units reported destroyed or used before this version leave the consignees' holdings:
    each notice's latest quantity report of each lot is recorded as trace events (recording
    is idempotent: what is recorded already is not recorded twice)."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    notices = env["recall.notice"].search([("response_ids.kind", "=", "quantities")])
    latest = notices._recall_latest_reports()
    for notice in notices:
        reports = env["recall.response"].browse(
            [report.id for (notice_id, _lot_id), report in latest.items()
             if notice_id == notice.id]
        )
        notice._recall_record_fates(reports)
