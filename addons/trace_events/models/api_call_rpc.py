"""Log the calls of the legacy RPC endpoints: ``/xmlrpc/2/object``, ``/xmlrpc/object`` and
``/jsonrpc`` (service ``object``).

Odoo serves them outside ``ir.http``'s dispatch of model methods: ``dispatch_rpc`` hands the
request to ``odoo.service.model.dispatch``, which checks the password or API key, opens its own
cursor, calls the method through ``call_kw`` and commits. Odoo has no hook there, so this module
wraps both functions of ``odoo.service.model`` once per process (as ``audit_seal`` wraps the
cursor's commit), and logs only for databases where ``trace_events`` is installed:

* ``dispatch``: the call's start, its user, its API key, and, when it fails (wrong password,
  missing method, error in the method, failed commit), a log row through a cursor of its own;
* ``call_kw`` (inside the call's transaction): the row of a successful call, in that
  transaction, sealed with the ledger entries of the call's sealed changes.

``ir.http`` gives the request's address and path (``_trace_api_note_rpc_request``) before Odoo
hides the request from the RPC service (``borrow_request``).
"""

import functools
import inspect
import logging
import threading
import time
from datetime import datetime

from odoo import api
from odoo.modules.registry import Registry
from odoo.service import model as service_model

from .api_call_log import describe_arguments

LOG_MODEL = "trace.api.call.log"
_logger = logging.getLogger(__name__)
_local = threading.local()
_install_lock = threading.Lock()


def note_rpc_request(httprequest, endpoint_path):
    """Remember the HTTP side of the RPC call this thread is about to dispatch."""
    _local.http = {
        "url": httprequest.url,
        "endpoint": endpoint_path,
        "http_method": httprequest.method,
        "remote_addr": httprequest.remote_addr,
        "request_size": httprequest.content_length or 0,
    }


def install():
    """Wrap ``dispatch`` and ``call_kw`` of ``odoo.service.model`` (once; thread-safe)."""
    with _install_lock:
        if not getattr(service_model.dispatch, "_trace_api_log", False):
            service_model.dispatch = _wrap_dispatch(service_model.dispatch)
        if not getattr(service_model.call_kw, "_trace_api_log", False):
            service_model.call_kw = _wrap_call_kw(service_model.call_kw)


def _http_side():
    http = getattr(_local, "http", None)
    _local.http = None
    if http and http["url"] == getattr(threading.current_thread(), "url", None):
        return http
    return {"endpoint": "/xmlrpc/2/object"}


def _start_info(method, params):
    db, uid, _secret, model, method_ = params[:5]
    http = _http_side()
    rest = params[5:]
    if method == "execute":  # execute(db, uid, secret, model, method, *args)
        args, kwargs = list(rest), {}
    else:  # execute_kw(db, uid, secret, model, method, args, kwargs)
        args = rest[0] if rest and isinstance(rest[0], list) else []
        kwargs = rest[1] if len(rest) > 1 and isinstance(rest[1], dict) else {}
    return {
        "db": db,
        "uid": _int_or_none(uid),
        "protocol": "jsonrpc" if http["endpoint"] == "/jsonrpc" else "xmlrpc",
        "endpoint": http["endpoint"],
        "http_method": http.get("http_method", "POST"),
        "remote_addr": http.get("remote_addr"),
        "request_size": http.get("request_size", 0),
        "model_name": str(model)[:128],
        "method_name": str(method_)[:128],
        "arguments": describe_arguments(
            [(f"args[{i}]", value) for i, value in enumerate(args)] + list(kwargs.items())
        ),
        "context": kwargs.get("context") if isinstance(kwargs, dict) else None,
        "call_date": datetime.now(),
        "start": time.perf_counter(),
    }


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _wrap_dispatch(dispatch):
    @functools.wraps(dispatch)
    def trace_api_dispatch(method, params):
        if method not in ("execute", "execute_kw") or len(params) < 5:
            return dispatch(method, params)
        info = _start_info(method, params)
        secret = params[2]
        _local.call = (info, secret)
        try:
            return dispatch(method, params)
        except Exception as exc:
            _log_failure(info, secret, exc)
            raise
        finally:
            _local.call = None

    trace_api_dispatch._trace_api_log = True
    return trace_api_dispatch


def _log_failure(info, secret, exc):
    """Log a failed call through a cursor of its own (its transaction was rolled back)."""
    db = info["db"]
    if db not in Registry.registries:
        return
    registry = Registry(db)
    if LOG_MODEL not in registry:
        return
    try:
        with registry.cursor() as cr:
            log_model = api.Environment(cr, api.SUPERUSER_ID, {})[LOG_MODEL]
            log_model._api_log_create(info, _rpc_status(exc), exc, None, secret)
    except Exception:
        _logger.exception("trace_events: the API call log failed for %s", info.get("endpoint"))


def _rpc_status(exc):
    """The HTTP status an XML-RPC fault travels with (always 200: the fault is in the body);
    kept 0 so that the row says the call failed by its exception."""
    return 0


def _wrap_call_kw(call_kw):
    @functools.wraps(call_kw)
    def trace_api_call_kw(model, name, args, kwargs):
        call = getattr(_local, "call", None)
        if call is None or LOG_MODEL not in model.env.registry:
            return call_kw(model, name, args, kwargs)
        info, secret = call
        info["arguments"] = _named_arguments(model, name, args, kwargs) or info["arguments"]
        result = call_kw(model, name, args, kwargs)
        log_model = model.env[LOG_MODEL]
        info["api_key_id"], info["api_key_name"] = log_model.sudo()._api_log_key(
            info["uid"], secret
        )
        log_model._api_log_in_transaction(info, status=200, result=result)
        return result

    trace_api_call_kw._trace_api_log = True
    return trace_api_call_kw


def _named_arguments(model, name, args, kwargs):
    """Arguments by the method's own parameter names (``ids`` for the records)."""
    method = getattr(type(model), name, None)
    if not callable(method):
        return None
    try:
        params = list(inspect.signature(method).parameters)[1:]
    except (TypeError, ValueError):
        return None
    positional = list(args)
    names = []
    if not getattr(method, "_api_model", False) and positional:
        names.append(("ids", positional.pop(0)))
    for index, value in enumerate(positional):
        names.append((params[index] if index < len(params) else f"args[{index}]", value))
    names.extend(kwargs.items())
    return describe_arguments(names)
