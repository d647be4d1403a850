"""Fields that only a model's workflow methods may set (21 CFR 11.10(e), 11.70).

``readonly=True`` stops a form, not ``write()`` over JSON-2 or XML-RPC, and a remote caller can
send any context it likes, so neither is a guard. The permission to write a guarded field is a
Python context variable instead: it is open only while a method decorated with :func:`workflow`
runs, and a remote caller can reach such a method only by calling it through its model, with the
checks the method makes (public buttons check the user's role, private ``_`` methods cannot be
called remotely at all).

The variable belongs to the running thread (or greenlet), so one request's workflow never opens
another request's writes.
"""

import contextvars
import functools
from contextlib import contextmanager

_WORKFLOW_DEPTH = contextvars.ContextVar("audit_seal_workflow_depth", default=0)


@contextmanager
def workflow_writes():
    """Open the guarded fields of every model for the duration of the block."""
    token = _WORKFLOW_DEPTH.set(_WORKFLOW_DEPTH.get() + 1)
    try:
        yield
    finally:
        _WORKFLOW_DEPTH.reset(token)


def in_workflow():
    """Whether a workflow method is running in this thread."""
    return _WORKFLOW_DEPTH.get() > 0


def workflow(method):
    """Decorate a model method that may set guarded fields (states, times, signatures)."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with workflow_writes():
            return method(*args, **kwargs)

    return wrapper
