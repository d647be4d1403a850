#!/usr/bin/env python3
"""Fault: kill of the cron worker while it mails recall notices.

Every party gets an e-mail address, then a recall of ``--lots`` catheter lots of the
background history (shipped to many hospitals and distributors: more notices than a recall
sends at once, so they are queued for the sending job) is approved and notified over JSON-2.
Once the job "Recall: send queued notices" has committed part of its work, the cron worker is
killed with SIGKILL. Then: the server answers, the job finishes the rest by itself (the prefork
master starts a new cron worker; the job is still triggered) within ``--finish-within``
seconds, every notice is sent and mailed once (none twice, none skipped), and the common checks
pass.
"""

import argparse
import os
import signal
import time

from common import Harness, Verdict, log

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--lots", type=int, default=12)
parser.add_argument("--finish-within", type=float, default=180)
args = parser.parse_args()

verdict = Verdict("kill of the cron worker while it mails notices")
with Harness() as h:
    h.sql(
        "UPDATE res_partner SET email = 'qa' || id || '@consignee.example.com' "
        "WHERE email IS NULL AND is_company RETURNING id"
    )
    lots = [
        row[0]
        for row in h.sql(
            "SELECT l.id FROM stock_lot l WHERE l.name LIKE 'CVC%%' ORDER BY l.id LIMIT %s",
            [args.lots],
        )
    ]
    nmpa = h.json2(
        "ir.model.data",
        "search_read",
        domain=[("module", "=", "recall_mgmt"), ("name", "=", "jurisdiction_nmpa")],
        fields=["res_id"],
    )[0]["res_id"]
    campaign = h.json2(
        "recall.campaign",
        "create",
        vals_list=[
            {
                "title": "Fault test: catheter hub",
                "reason": "Fault test of the sending job.",
                "recall_class": "2",
                "jurisdiction_ids": [(6, 0, [nmpa])],
                "lot_ids": [(6, 0, lots)],
            }
        ],
    )[0]
    h.json2("recall.campaign", "action_analyze_impact", ids=[campaign])
    wizard = h.json2("recall.campaign", "action_approve", ids=[campaign])["res_id"]
    h.json2(
        "recall.sign.wizard", "write", ids=[wizard], vals={"password": h.meta["admin_password"]}
    )
    h.json2("recall.sign.wizard", "action_sign", ids=[wizard])
    crons = set(h.server.children()["cron"])
    h.json2("recall.campaign", "action_notify", ids=[campaign])
    total = h.sql("SELECT count(*) FROM recall_notice WHERE campaign_id = %s", [campaign])[0][0]
    log(f"{total} notices queued")
    verdict.check(
        "the notices went to the sending job (more than sent at once)",
        total > 20,
        f"{total} notices",
    )
    killed = None
    deadline = time.time() + 180
    while time.time() < deadline and killed is None:
        sent = h.sql(
            "SELECT count(*) FROM recall_notice WHERE campaign_id = %s AND state <> 'draft'",
            [campaign],
        )[0][0]
        busy = h.sql(
            "SELECT application_name FROM pg_stat_activity WHERE datname = "
            "current_database() AND application_name LIKE 'odoo-%%' AND xact_start IS NOT "
            "NULL AND state <> 'idle'"
        )
        pids = {int(app.split("-")[1]) for (app,) in busy} & (
            crons or set(h.server.children()["cron"])
        )
        if sent and sent < total and pids:
            killed = pids.pop()
            os.kill(killed, signal.SIGKILL)
            killed_at = time.time()
            log(f"killed the cron worker {killed} after {sent} of {total} notices")
        elif sent >= total:
            break
        time.sleep(0.05)
    verdict.check("the fault was injected (the job was part way)", killed is not None)
    if killed:
        served = h.wait_serving(killed_at, 30)
        verdict.check(
            "the server answers again within 30 s",
            served,
            f"{served:.1f} s" if served else "no answer",
        )
        finished = None
        while time.time() < killed_at + args.finish_within:
            left = h.sql(
                "SELECT count(*) FROM recall_notice WHERE campaign_id = %s AND state = 'draft'",
                [campaign],
            )[0][0]
            if not left:
                finished = time.time() - killed_at
                break
            time.sleep(2)
        verdict.check(
            f"the job sends the rest by itself within {args.finish_within:.0f} s",
            finished,
            f"{finished:.0f} s" if finished else f"{left} still queued",
        )
    mailed = dict(
        h.sql(
            "SELECT n.id, (SELECT count(*) FROM mail_message mm WHERE mm.model = 'recall.notice' "
            "AND mm.res_id = n.id AND EXISTS (SELECT 1 FROM mail_notification mn WHERE "
            "mn.mail_message_id = mm.id AND mn.notification_type = 'email')) "
            "FROM recall_notice n WHERE n.campaign_id = %s AND n.state <> 'draft'",
            [campaign],
        )
    )
    verdict.check(
        "every sent notice was mailed exactly once",
        mailed and set(mailed.values()) == {1},
        f"{len(mailed)} sent; mails per notice {sorted(set(mailed.values()))}",
    )
    h.common_checks(verdict)
raise SystemExit(verdict.finish())
