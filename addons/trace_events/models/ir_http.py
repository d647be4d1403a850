import functools
import re
import time
from datetime import datetime

from werkzeug.exceptions import BadRequest, HTTPException

from odoo import models
from odoo.http import request

from . import api_call_rpc
from .api_call_log import describe_arguments

#: the legacy RPC routes, logged by ``api_call_rpc`` around the RPC service itself
RPC_ENDPOINTS = ("xmlrpc_1", "xmlrpc_2", "jsonrpc")
BEARER = re.compile(r"^bearer\s+(.+)$", re.IGNORECASE)


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        result = super()._pre_dispatch(rule, args)
        if rule.endpoint.routing.get("type") == "json2" and request.httprequest.content_length:
            cls._trace_read_json2_body()
        cls._trace_api_log_arguments(args)
        return result

    # ------------------------------------------------------------------ API call log

    @classmethod
    def _authenticate(cls, endpoint):
        cls._trace_api_log_start(endpoint)
        return super()._authenticate(endpoint)

    @classmethod
    def _dispatch(cls, endpoint):
        result = super()._dispatch(endpoint)
        info = getattr(request, "_trace_api_call", None)
        if info is not None:
            info["result"] = result
        return result

    @classmethod
    def _post_dispatch(cls, response):
        result = super()._post_dispatch(response)
        info = getattr(request, "_trace_api_call", None)
        if info is not None:
            cls._trace_api_log_identify(info)
            request.env["trace.api.call.log"]._api_log_in_transaction(
                info, status=response.status_code, result=info.pop("result", None)
            )
        return result

    @classmethod
    def _handle_error(cls, exception):
        response = super()._handle_error(exception)
        info = getattr(request, "_trace_api_call", None)
        if info is not None:
            if isinstance(exception, HTTPException) and exception.code:
                status = exception.code
            else:
                status = getattr(response, "status_code", 500)
            # the call's transaction is rolled back when its cursor closes, right after this:
            # the row is written then, through a cursor of its own (which also checks the API
            # key against its hash: the authentication may have failed)
            info.pop("result", None)
            info["uid"] = request.env.uid
            match = BEARER.match(request.httprequest.headers.get("Authorization") or "")
            log = functools.partial(
                request.env["trace.api.call.log"]._api_log_separately,
                info,
                status=status,
                exception=exception,
                secret=match.group(1) if match else None,
            )
            cr = request.env.cr
            if getattr(cr, "_closed", False):
                log()
            else:
                cr.postrollback.add(log)
        return response

    @classmethod
    def _trace_api_log_counts(cls, endpoint):
        """Whether calls of ``endpoint`` are API calls: JSON-2, routes authenticated by API key
        (``auth='bearer'``: the EPCIS REST interface) and routes declared with
        ``api_log=True``. The web client's own routes (``/web/dataset/...``) are not."""
        routing = endpoint.routing
        return (
            routing.get("type") == "json2"
            or routing.get("auth") == "bearer"
            or bool(routing.get("api_log"))
        )

    @classmethod
    def _trace_api_log_start(cls, endpoint):
        """Note the start of an API call (once: a retried transaction keeps the first start)."""
        httprequest = request.httprequest
        if getattr(getattr(endpoint, "func", endpoint), "__name__", "") in RPC_ENDPOINTS:
            api_call_rpc.note_rpc_request(httprequest, httprequest.path)
            return
        if getattr(request, "_trace_api_call", None) is not None:
            return
        if not cls._trace_api_log_counts(endpoint):
            return
        request._trace_api_call = {
            "protocol": "json2" if endpoint.routing.get("type") == "json2" else "http",
            "endpoint": httprequest.path[:255],
            "http_method": httprequest.method,
            "remote_addr": httprequest.remote_addr,  # the client's, behind a proxy in proxy_mode
            "request_size": httprequest.content_length or 0,
            "call_date": datetime.now(),
            "start": time.perf_counter(),
        }

    @classmethod
    def _trace_api_log_arguments(cls, args):
        """Model, method and argument names and sizes of the call (never their values)."""
        info = getattr(request, "_trace_api_call", None)
        if info is None:
            return
        if info["protocol"] == "json2":
            info["model_name"] = args.get("__model__")
            info["method_name"] = args.get("__method__")
            try:
                data = request.get_json_data() if request.httprequest.content_length else {}
            except ValueError:
                data = None
            if isinstance(data, dict):
                info["arguments"] = describe_arguments(sorted(data.items()))
                info["context"] = data.get("context")
        else:
            named = [(name, value) for name, value in args.items() if not name.startswith("_")]
            named += sorted(request.httprequest.args.items())
            info["arguments"] = describe_arguments(named)

    @classmethod
    def _trace_api_log_identify(cls, info):
        """The user and the API key of the call (the key's id and name, never the key)."""
        info["uid"] = request.env.uid
        header = request.httprequest.headers.get("Authorization") or ""
        match = BEARER.match(header)
        if info["uid"] and match:
            info["api_key_id"], info["api_key_name"] = (
                request.env["trace.api.call.log"]
                .sudo()
                ._api_log_key(info["uid"], match.group(1), verify=False)
            )

    @classmethod
    def _trace_read_json2_body(cls):
        """Read the body of a JSON-2 request (``/json/2/<model>/<method>``) before Odoo's
        dispatcher does, and answer 400 when it is nested too deeply to be read.

        Python's JSON parser raises ``RecursionError`` (not ``ValueError``) on arrays and
        objects nested about a thousand levels deep; Odoo's JSON-2 dispatcher only turns
        ``ValueError`` into a 400, so such a body would end in a 500 ("Internal Server Error")
        without a word of what is wrong. The body is parsed once, here: the dispatcher is given
        the parsed value. Bodies that are not JSON at all are left to the dispatcher, which
        answers 400 naming the parse error. Shallower nesting reaches the called method, which
        checks its own arguments (capture refuses events nested deeper than EPCIS allows).
        """
        try:
            data = request.get_json_data()
        except RecursionError:
            raise BadRequest(
                request.env._(
                    "The request body cannot be read: its JSON arrays and objects are nested "
                    "too deeply (about a thousand levels or more). Nothing was done; send the "
                    "data with less nesting."
                )
            ) from None
        except ValueError:
            return  # not JSON: the dispatcher answers 400 with the parser's message
        # the dispatcher reads the body through this request's get_json_data(): parsed once
        request.get_json_data = lambda: data
