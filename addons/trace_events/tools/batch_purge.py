"""Retention purges in batches, shared by the API call log and the webhook delivery log.

A purge deletes the records of a domain a batch at a time (oldest ids first). Run by its cron,
each batch is committed with the cron's progress (``ir.cron._commit_progress``), so that a
purge of millions of rows neither holds one long transaction nor outlives the cron's time
budget: when the budget is spent, the purge stops and the next run goes on. Called outside a
cron (a test, a shell), nothing is committed.
"""


def commit_batch(env, processed):
    """Commit a batch when running as the cron; False when the cron's time is up."""
    if not env.context.get("ir_cron_progress_id"):
        return True
    return env["ir.cron"]._commit_progress(processed) > 0


def purge_in_batches(model, domain, purge, batch_size):
    """Delete the records of ``model`` matching ``domain`` with ``purge(batch)``, in batches.

    Returns ``(purged, finished)``: the number of records purged, and False when the cron's
    time ran out before the domain was empty.
    """
    purged = 0
    while True:
        batch = model.search(domain, limit=batch_size, order="id")
        if not batch:
            return purged, True
        purge(batch)
        purged += len(batch)
        if not commit_batch(model.env, len(batch)):
            return purged, False
