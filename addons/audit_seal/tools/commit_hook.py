"""Run the ledger append at the real COMMIT of a cursor, not at every flush.

Odoo runs its pre-commit callbacks (``cr.precommit``) in ``cr.flush()``, and every flushing
savepoint (``with cr.savepoint():``, used all over Odoo: mail, reports, imports, ...) flushes
the cursor when it opens and when it is released. An append registered as a pre-commit callback
therefore ran at the first savepoint after a sealed record was created, took the chain lock
there and held it until the transaction ended, so that every other sealing transaction waited
for the rest of this one's business work (a PDF rendered, mails queued, ...).

Odoo has no callback for "after the last flush, right before COMMIT", so this module wraps the
``commit`` and ``rollback`` of the cursor class on first use (``Cursor`` in production,
``TestCursor`` for HTTP tests):

* ``commit``: flush as Odoo would, then append what is pending (which flushes nothing new; the
  loop covers a pre-commit callback that creates sealed records), then Odoo's own commit;
* ``rollback``: forget what is pending.

What is pending lives on the cursor object itself, not in ``cr.precommit.data``: a savepoint
rolled back clears the latter entirely (``_FlushingSavepoint.rollback`` → ``cr.clear()``),
which would drop records created before that savepoint. Records created inside a savepoint that
was rolled back must be left out at the append: ``Savepoint.rollback`` is wrapped too, to tell
the append that some queued rows may be gone (it then keeps the existing ones only, at the
cost of one query that the usual transaction, without such a rollback, does not pay).

Requests (HTTP, JSON-2, XML-RPC) run in Odoo's retry loop (``odoo.service.model.retrying``),
which retries a transaction that failed with a concurrency error (LOCK_NOT_AVAILABLE,
SERIALIZATION_FAILURE) but commits outside of it: an append at that commit could not be retried.
:func:`install_retrying` wraps the loop so that the append runs at the end of each try, before
Odoo's last flush and commit; when the chain lock's bounded wait failed on every try, the caller
gets a clear "the ledger is busy" error instead of a database traceback. Other committers (cron,
queue_job, scripts) append at their commit as before: queue_job postpones a job whose commit
failed with LOCK_NOT_AVAILABLE, a cron job is rolled back and runs again at its next call.
"""

import functools
import threading

import psycopg2.errors

from odoo.sql_db import Savepoint

PENDING_ATTRIBUTE = "_audit_seal_pending"
#: attribute set on the ``LockNotAvailable`` of a chain lock wait that reached its bound
CHAIN_BUSY_ATTRIBUTE = "audit_seal_chain_busy"
#: commit iterations at most (a pre-commit callback creating sealed records needs a second one)
MAX_ROUNDS = 10

_install_lock = threading.Lock()


class _Pending:
    """What a cursor's transaction queued: ``data`` (the caller's), the ``append`` function
    that seals it, and whether a savepoint was rolled back since the first record was queued."""

    __slots__ = ("append", "data", "savepoint_rolled_back")

    def __init__(self, data, append):
        self.data = data
        self.append = append
        self.savepoint_rolled_back = False


def get_pending(cr):
    """What is pending on ``cr`` (None when nothing is). ``Cursor.__getattr__`` forwards to the
    psycopg2 cursor, so the instance dictionary is read directly."""
    pending = vars(cr).get(PENDING_ATTRIBUTE)
    return pending.data if pending is not None else None


def set_pending(cr, data, append):
    """Attach ``data`` to ``cr``; ``append(cr, data, savepoint_rolled_back)`` runs at its
    commit."""
    install(type(cr))
    vars(cr)[PENDING_ATTRIBUTE] = _Pending(data, append)


def install(cursor_class):
    """Wrap ``commit`` and ``rollback`` of ``cursor_class``, and ``Savepoint.rollback`` (once
    each; thread-safe)."""
    if getattr(cursor_class.commit, "_audit_seal", False):
        return
    with _install_lock:
        if not getattr(Savepoint.rollback, "_audit_seal", False):
            Savepoint.rollback = _wrap_savepoint_rollback(Savepoint.rollback)
        if getattr(cursor_class.commit, "_audit_seal", False):
            return
        cursor_class.commit = _wrap_commit(cursor_class.commit)
        cursor_class.rollback = _wrap_rollback(cursor_class.rollback)


def run_pending(cr):
    """Flush ``cr`` and append what is pending, as its commit will (without committing)."""
    for _round in range(MAX_ROUNDS):
        cr.flush()
        if PENDING_ATTRIBUTE not in vars(cr):
            return
        pending = vars(cr).pop(PENDING_ATTRIBUTE)
        pending.append(cr, pending.data, pending.savepoint_rolled_back)
    raise RuntimeError("audit_seal: sealed records kept appearing during the commit")


def _wrap_commit(commit):
    @functools.wraps(commit)
    def audit_seal_commit(self):
        if PENDING_ATTRIBUTE in vars(self):
            run_pending(self)
        return commit(self)

    audit_seal_commit._audit_seal = True
    return audit_seal_commit


def _wrap_rollback(rollback):
    @functools.wraps(rollback)
    def audit_seal_rollback(self):
        vars(self).pop(PENDING_ATTRIBUTE, None)
        return rollback(self)

    audit_seal_rollback._audit_seal = True
    return audit_seal_rollback


def _wrap_savepoint_rollback(rollback):
    @functools.wraps(rollback)
    def audit_seal_savepoint_rollback(self):
        # ``_cr`` may also be a bare psycopg2 cursor (TestCursor's own savepoint): no queue
        pending = getattr(self._cr, "__dict__", {}).get(PENDING_ATTRIBUTE)
        if pending is not None:
            pending.savepoint_rolled_back = True
        return rollback(self)

    audit_seal_savepoint_rollback._audit_seal = True
    return audit_seal_savepoint_rollback


def mark_chain_busy(exc):
    """Mark ``exc`` (a ``LockNotAvailable``) as the chain lock's wait reaching its bound."""
    setattr(exc, CHAIN_BUSY_ATTRIBUTE, True)


def is_chain_busy(exc):
    return getattr(exc, CHAIN_BUSY_ATTRIBUTE, False)


def install_retrying():
    """Wrap ``odoo.service.model.retrying`` (once; thread-safe). Without anything pending the
    wrapper only calls the function."""
    from odoo.service import model as service_model  # noqa: PLC0415 - patched, not used

    with _install_lock:
        if not getattr(service_model.retrying, "_audit_seal", False):
            service_model.retrying = _wrap_retrying(service_model.retrying)


def _wrap_retrying(retrying):
    @functools.wraps(retrying)
    def audit_seal_retrying(func, env):
        def call_then_append():
            result = func()
            cr = env.cr
            if not cr._closed and PENDING_ATTRIBUTE in vars(cr):
                run_pending(cr)  # inside the try: a chain lock timeout is retried
            return result

        try:
            return retrying(call_then_append, env)
        except psycopg2.errors.LockNotAvailable as exc:
            if not is_chain_busy(exc):
                raise
            raise env["audit.seal.entry"]._seal_busy_error() from exc

    audit_seal_retrying._audit_seal = True
    return audit_seal_retrying
