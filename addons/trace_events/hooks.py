def post_init_hook(env):
    """Record the history that exists before the addon: events for past done movements."""
    env["trace.event"]._trace_backfill()
