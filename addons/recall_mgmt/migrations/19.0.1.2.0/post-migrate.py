import re


def migrate(cr, version):
    """A notice's delivery issue was stored as a sentence in the language of whoever sent the
    notice. It is now stored as facts (the kind of issue and what the mail servers answered)
    and written in the reader's language: turn the old sentences into those facts, keeping the
    servers' answers, and drop the old column."""
    cr.execute(
        "SELECT 1 FROM information_schema.columns "
        "WHERE table_name = 'recall_notice' AND column_name = 'delivery_issue'"
    )
    if not cr.fetchone():
        return
    cr.execute(
        "SELECT id, delivery_state, delivery_issue FROM recall_notice "
        "WHERE delivery_issue IS NOT NULL"
    )
    for notice_id, state, sentence in cr.fetchall():
        kind, detail = {"no_channel": ("no_channel", None), "delivered": ("drill", None)}.get(
            state, ("refused", sentence)
        )
        if kind == "refused":
            # the servers' answers were between the sentence's (full-width) brackets
            found = re.search(r"[(（](.*)[)）]", sentence, re.S)
            detail = found.group(1) if found else sentence
        cr.execute(
            "UPDATE recall_notice SET delivery_issue_kind = %s, delivery_issue_detail = %s "
            "WHERE id = %s",
            (kind, detail, notice_id),
        )
    cr.execute("ALTER TABLE recall_notice DROP COLUMN delivery_issue")
