#!/usr/bin/env python3
"""Fault: kill of the cron worker while it mails recall notices.

Every party gets an e-mail address and the other jobs are put off (a fresh database has
them all overdue: the job would wait behind them), then a recall of ``--lots`` catheter lots of the
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
parser.add_argument("--lots", type=int, default=14)
parser.add_argument("--kill-after", type=float, default=30, help="seconds into the job")
parser.add_argument("--finish-within", type=float, default=600)
args = parser.parse_args()

verdict = Verdict("kill of the cron worker while it mails notices")
with Harness() as h:
    # notices an interrupted earlier run of this script left queued would be sent first
    h.sql("UPDATE recall_notice SET send_queued = false WHERE send_queued RETURNING id")
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
        "recall.sign.wizard",
        "action_sign",
        ids=[wizard],
        context={"signature_password": h.meta["admin_password"]},
    )
    # a quiet cron worker: the fresh database's other jobs (all overdue) are put off a day,
    # and given back their times at the end (the next scenarios need them, such as the
    # holdings refresh of kill_worker_settle.py)
    put_off = h.sql(
        "UPDATE ir_cron c SET nextcall = now() + interval '1 day' FROM ir_cron o "
        "WHERE o.id = c.id AND c.id <> (SELECT res_id FROM ir_model_data WHERE module = "
        "'recall_mgmt' AND name = 'ir_cron_recall_send_notices') RETURNING c.id, o.nextcall"
    )
    # the notices' PDF is rendered by wkhtmltopdf, which fetches its assets from this server
    h.sql(
        "INSERT INTO ir_config_parameter (key, value) VALUES ('report.url', %s) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value RETURNING id",
        [h.server.url()],
    )
    time.sleep(5)
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
    offset = h.server.log.stat().st_size
    started = None
    deadline = time.time() + 600
    while time.time() < deadline and killed is None:
        if started is None:
            with open(h.server.log, encoding="utf-8", errors="replace") as handle:
                handle.seek(offset)
                if "Job 'Recall: send queued notices'" in handle.read():
                    started = time.time()
                    log("the sending job started")
        busy = h.sql(
            "SELECT application_name FROM pg_stat_activity WHERE datname = "
            "current_database() AND application_name LIKE 'odoo-%%' AND xact_start IS NOT "
            "NULL AND state <> 'idle'"
        )
        pids = {int(app.split("-")[1]) for (app,) in busy} & (
            crons or set(h.server.children()["cron"])
        )
        if started and time.time() - started > args.kill_after and pids:
            sent = h.sql(
                "SELECT count(*) FROM recall_notice WHERE campaign_id = %s AND state <> 'draft'",
                [campaign],
            )[0][0]
            killed = pids.pop()
            os.kill(killed, signal.SIGKILL)
            killed_at = time.time()
            log(
                f"killed the cron worker {killed} {args.kill_after:.0f} s into the job, "
                f"{sent} of {total} notices committed as sent"
            )
        time.sleep(0.2)
    verdict.check("the fault was injected (the job was part way)", killed is not None)
    if killed:
        h.check_serving(verdict, killed_at, 30, "the kill")
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
    h.sql(
        "UPDATE ir_cron c SET nextcall = v.nextcall FROM unnest(%s::int[], %s::timestamp[]) "
        "AS v(id, nextcall) WHERE c.id = v.id RETURNING c.id",
        [[row[0] for row in put_off], [row[1] for row in put_off]],
    )
raise SystemExit(verdict.finish())
