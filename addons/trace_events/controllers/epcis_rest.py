"""GS1's EPCIS 2.0 REST bindings, served by Odoo controllers under ``/epcis``.

Why Odoo controllers and not OCA ``fastapi``: one authentication path (Odoo API keys as bearer
tokens, the same keys as JSON-2), one request dispatch (the API call log sees every request),
no second WSGI stack and its dependency chain; GS1's own ``openapi.json`` is the published
contract, served as it is at the interface's root (``GET /epcis/``).

Every answer carries the GS1 headers (versions, extensions); errors are RFC 7807 problem
bodies with GS1's ``epcisException:`` types and the status codes the openapi gives.
"""

import functools
import json
import logging
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from werkzeug.exceptions import Unauthorized

from odoo import fields, http
from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError, ValidationError
from odoo.http import SessionExpiredException, request

from ..lib import epcis, epcis_rest
from ..lib.cbv import BIZ_STEPS, DISPOSITIONS, bare_term
from ..lib.epcis_rest import QueryError
from ..models.trace_event_epcis import MAX_EVENTS_PARAM

_logger = logging.getLogger(__name__)

BASE = "/epcis"
OPENAPI_PATH = Path(__file__).resolve().parent.parent / "data" / "epcis" / "rest" / "openapi.json"
#: setting capping the size of one POST /capture body, and its default (bytes)
MAX_BYTES_PARAM = "trace_events.capture_max_bytes"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_URL_LENGTH = 8192
JSON_TYPES = ("application/json", "application/ld+json")
COMMON_HEADERS = {
    "GS1-EPCIS-Version": epcis_rest.EPCIS_VERSION,
    "GS1-EPCIS-Min": epcis_rest.EPCIS_VERSION,
    "GS1-EPCIS-Max": epcis_rest.EPCIS_VERSION,
    "GS1-CBV-Version": epcis_rest.CBV_VERSION,
    "GS1-CBV-Min": epcis_rest.CBV_VERSION,
    "GS1-CBV-Max": epcis_rest.CBV_VERSION,
    "GS1-Extensions": f"{epcis.EXT_PREFIX}={epcis.EXT_NAMESPACE}",
    "GS1-EPC-Format": "Never_Translates",  # captured events come back as sent
}
TITLES = {
    400: "Invalid request",
    401: "Unauthorised request",
    403: "Access to resource forbidden",
    404: "Resource not found",
    406: "Not acceptable",
    409: "A resource with the provided identifier already exists.",
    413: "Request too large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    500: "A server-side error occurred",
    501: "Functionality not supported by server",
}


def _version(text):
    try:
        return tuple(int(part) for part in text.strip().split("."))
    except (AttributeError, ValueError):
        return None


def _event_type(value):
    """``value`` if it names an event type this repository stores, else 404."""
    if value not in epcis_rest.EVENT_TYPES:
        raise QueryError(
            "NoSuchResourceException",
            404,
            "%(type)s is not an event type this repository stores.",
            type=value,
        )
    return value


def _biz_step(value):
    """The CBV business step ``value`` names (bare word or URI), else 404."""
    term = bare_term(value, "BizStep")
    if not term:
        raise QueryError(
            "NoSuchResourceException", 404, "%(step)s is not a CBV business step.", step=value
        )
    return term


def _disposition(value):
    """The CBV disposition ``value`` names (bare word or URI), else 404."""
    term = bare_term(value, "Disp")
    if not term:
        raise QueryError(
            "NoSuchResourceException", 404, "%(disp)s is not a CBV disposition.", disp=value
        )
    return term


def _route(paths, methods, readonly=True):
    """An EPCIS route: JSON over HTTP, API key checked in :func:`rest`, no session cookie,
    every call in the API call log (``api_log``: the key is checked here, not by Odoo's
    ``auth='bearer'``, which the log would recognise by itself)."""
    return http.route(
        [BASE + path for path in paths],
        type="http",
        auth="none",
        methods=[*methods, "OPTIONS"],
        csrf=False,
        readonly=readonly,
        save_session=False,
        api_log=True,
    )


def rest(func):
    """Negotiate, authenticate, run, and turn every refusal into GS1's problem body; the
    time spent here is in the ``Server-Timing`` header (what the benchmark reads)."""

    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        started = time.perf_counter()
        response = self._rest_call(func, args, kwargs)
        elapsed = (time.perf_counter() - started) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
        return response

    return wrapper


class EpcisRestController(http.Controller):
    # ================================================================== plumbing

    def _rest_call(self, func, args, kwargs):
        try:
            self._check_request()
            if request.httprequest.method == "OPTIONS":
                return self._answer(None, 204, {"Allow": self._allowed()})
            self._authenticate()
            return func(self, *args, **kwargs)
        except QueryError as exc:
            return self._problem(exc.status, exc.kind, str(exc), getattr(exc, "headers", None))
        except (AccessError, AccessDenied) as exc:
            return self._problem(403, "SecurityException", str(exc.args[0] if exc.args else exc))
        except MissingError as exc:
            return self._problem(404, "NoSuchResourceException", str(exc.args[0]))
        except (UserError, ValidationError) as exc:
            return self._problem(400, "ValidationException", str(exc.args[0]))

    def _check_request(self):
        headers = request.httprequest.headers
        if len(request.httprequest.full_path) > MAX_URL_LENGTH:
            raise QueryError(
                "URITooLongException",
                414,
                "The URL is longer than %(max)s characters.",
                max=MAX_URL_LENGTH,
            )
        ours = _version(epcis_rest.EPCIS_VERSION)
        for name in ("GS1-EPCIS-Version", "GS1-EPCIS-Min", "GS1-CBV-Version", "GS1-CBV-Min"):
            if headers.get(name) and (_version(headers[name]) or (99,))[:2] > ours[:2]:
                raise QueryError(
                    "NotAcceptableException",
                    406,
                    "%(header)s: %(value)s asks for a version this repository does not speak "
                    "(it speaks EPCIS and CBV %(ours)s).",
                    header=name,
                    value=headers[name],
                    ours=epcis_rest.EPCIS_VERSION,
                )
        for name in ("GS1-EPCIS-Max", "GS1-CBV-Max"):
            if headers.get(name) and (_version(headers[name]) or (0,))[:2] < ours[:2]:
                raise QueryError(
                    "NotAcceptableException",
                    406,
                    "%(header)s: %(value)s excludes EPCIS and CBV %(ours)s, the versions this "
                    "repository speaks.",
                    header=name,
                    value=headers[name],
                    ours=epcis_rest.EPCIS_VERSION,
                )
        if self._content_type() is None:
            raise QueryError(
                "NotAcceptableException",
                406,
                "This repository answers application/json or application/ld+json "
                "(Accept: %(accept)s).",
                accept=headers.get("Accept"),
            )

    def _content_type(self):
        accept = request.httprequest.accept_mimetypes
        if not accept or not request.httprequest.headers.get("Accept"):
            return "application/json"
        if accept.best_match(["application/problem+json"]) and not accept.best_match(JSON_TYPES):
            return "application/json"
        return accept.best_match(JSON_TYPES)

    def _allowed(self):
        """The methods the requested resource answers (for OPTIONS)."""
        httprequest = request.httprequest
        adapter = request.env["ir.http"].routing_map().bind_to_environ(httprequest.environ)
        methods = set(adapter.allowed_methods(httprequest.path)) - {"HEAD"}
        return ", ".join(sorted(methods))

    def _authenticate(self):
        try:
            request.env["ir.http"]._auth_method_bearer()
        except (Unauthorized, AccessDenied, SessionExpiredException):
            raise QueryError(
                "SecurityException",
                401,
                "Send an Odoo API key as 'Authorization: Bearer <key>' (the key is missing, "
                "expired or wrong).",
            ) from None

    def _answer(self, body, status=200, headers=None, content_type=None):
        all_headers = dict(COMMON_HEADERS, **(headers or {}))
        if body is not None:
            content_type = content_type or self._content_type() or "application/json"
            all_headers["Content-Type"] = f"{content_type}; charset=utf-8"
            data = json.dumps(body, ensure_ascii=False)
        else:
            data = b""
        return request.make_response(data, headers=list(all_headers.items()), status=status)

    def _problem(self, status, kind, detail, headers=None):
        body = epcis_rest.problem(kind, status, TITLES.get(status, "Error"), detail=detail)
        if status == 401:
            headers = dict(headers or {}, **{"WWW-Authenticate": 'Bearer realm="EPCIS"'})
        return self._answer(body, status, headers, content_type="application/problem+json")

    def _params(self):
        """The query string as ``{name: value}`` (a name given twice: values joined by |)."""
        args = request.httprequest.args
        return {name: "|".join(args.getlist(name)) for name in args}

    def _page_headers(self, token):
        if not token:
            return {}
        args = request.httprequest.args.to_dict(flat=False)
        args["nextPageToken"] = [token]
        url = f"{request.httprequest.base_url}?{urlencode(args, doseq=True)}"
        return {"Link": f'<{url}>; rel="next"', "GS1-Next-Page-Token": token}

    def _rest(self):
        return request.env["trace.epcis.rest"]

    # ================================================================== discovery

    @http.route(
        [BASE, BASE + "/", BASE + "/openapi.json"],
        type="http",
        auth="none",
        methods=["GET"],
        csrf=False,
        readonly=True,
        save_session=False,
    )
    def epcis_openapi(self, **kwargs):
        """GS1's openapi.json, the published contract of this interface, as GS1 publishes it
        (with this server's address in ``servers``)."""
        document = json.loads(OPENAPI_PATH.read_text())
        document["servers"] = [{"url": request.httprequest.host_url.rstrip("/") + BASE}]
        return self._answer(document, content_type="application/json")

    # ================================================================== capture

    @_route(["/capture"], ["POST"], readonly=False)
    @rest
    def epcis_capture(self, **kwargs):
        """Receive an EPCIS document: 202 and the URL of its capture job."""
        document, behaviour, text = self._capture_document()
        job = request.env["trace.epcis.capture.job"]._epcis_start(document, behaviour, text)
        return self._answer(None, 202, {"Location": f"{BASE}/capture/{job.name}"})

    def _capture_document(self):
        httprequest = request.httprequest
        max_events = request.env["trace.event"].sudo()._epcis_capture_limits()[0]
        max_bytes = self._max_bytes()
        limits = {
            "GS1-EPCIS-Capture-Limit": str(max_events),
            "GS1-EPCIS-Capture-File-Size-Limit": str(max_bytes),
        }
        if httprequest.mimetype not in JSON_TYPES:
            raise QueryError(
                "UnsupportedMediaTypeException",
                415,
                "Send the EPCIS document as application/json or application/ld+json, not %(type)s.",
                type=httprequest.mimetype or "(none)",
            )
        if (httprequest.content_length or 0) > max_bytes:
            raise _TooLarge(
                limits,
                "The document is larger than %(max)s bytes (setting %(param)s).",
                max=max_bytes,
                param=MAX_BYTES_PARAM,
            )
        text = httprequest.get_data(cache=False) or b"null"
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):
            raise QueryError("ValidationException", 400, "The body is not JSON.") from None
        if isinstance(document, dict) and document.get("type") == "EPCISQueryDocument":
            results = (document.get("epcisBody") or {}).get("queryResults") or {}
            event_list = (results.get("resultsBody") or {}).get("eventList")
            document = dict(document, type="EPCISDocument", epcisBody={"eventList": event_list})
            text = None  # not the document the job captures
        if not isinstance(document, dict) or document.get("type") != "EPCISDocument":
            raise QueryError(
                "ValidationException",
                400,
                "The body is not an EPCIS document (type EPCISDocument).",
            )
        events = (document.get("epcisBody") or {}).get("eventList")
        if not isinstance(events, list):
            raise QueryError("ValidationException", 400, "The document has no epcisBody.eventList.")
        if len(events) > max_events:
            raise _TooLarge(
                limits,
                "%(count)s events were sent; at most %(max)s are captured at a time "
                "(setting %(param)s). Send them in smaller documents.",
                count=len(events),
                max=max_events,
                param=MAX_EVENTS_PARAM,
            )
        behaviour = httprequest.headers.get("GS1-Capture-Error-Behaviour", "rollback")
        if behaviour not in ("rollback", "proceed"):
            raise QueryError(
                "ValidationException",
                400,
                "GS1-Capture-Error-Behaviour: %(value)s is not supported; use rollback or proceed.",
                value=behaviour,
            )
        return document, behaviour, text

    def _max_bytes(self):
        value = request.env["ir.config_parameter"].sudo().get_param(MAX_BYTES_PARAM)
        try:
            return int(value) if value and int(value) > 0 else DEFAULT_MAX_BYTES
        except ValueError:
            return DEFAULT_MAX_BYTES

    @_route(["/capture"], ["GET"])
    @rest
    def epcis_capture_jobs(self, **kwargs):
        params = self._params()
        epcis_rest.check_names(
            {k: v for k, v in params.items() if k not in ("perPage", "nextPageToken")}
        )
        query = epcis_rest.parse_query(params)
        domain = []
        if query.get("nextPageToken"):
            domain = [("id", "<", epcis_rest.read_token(query, query["nextPageToken"])[1])]
        per_page = query.get("perPage", epcis_rest.DEFAULT_PER_PAGE)
        jobs = request.env["trace.epcis.capture.job"].search(domain, limit=per_page + 1)
        token = None
        if len(jobs) > per_page:
            jobs = jobs[:per_page]
            token = epcis_rest.make_token(query, "", jobs[-1].id)
        return self._answer(
            [job._epcis_rest_values() for job in jobs], headers=self._page_headers(token)
        )

    @_route(["/capture/<string:capture_id>"], ["GET"])
    @rest
    def epcis_capture_job(self, capture_id, **kwargs):
        job = request.env["trace.epcis.capture.job"].search([("name", "=", capture_id)], limit=1)
        if not job:
            raise QueryError(
                "NoSuchResourceException", 404, "There is no capture job %(id)s.", id=capture_id
            )
        return self._answer(job._epcis_rest_values())

    # ================================================================== events

    def _events(self, extra=None, query_name="SimpleEventQuery", params=None):
        params = self._params() if params is None else params
        for name in extra or {}:
            if name in params:
                raise QueryError(
                    "QueryParameterException",
                    400,
                    "%(name)s is given by the resource's path; remove it from the query string.",
                    name=name,
                )
        query = epcis_rest.parse_query(params)
        events, token = self._rest()._rest_search(query, extra)
        document = self._rest()._rest_document(
            events, query_name=query_name, descending=query.get("orderDirection") == "DESC"
        )
        return self._answer(document, headers=self._page_headers(token))

    @_route(["/events"], ["GET"])
    @rest
    def epcis_events(self, **kwargs):
        return self._events()

    @_route(["/events"], ["POST"], readonly=False)
    @rest
    def epcis_event_create(self, **kwargs):
        """Capture one event at once (not queued): ``201`` and its URL, ``409`` when its
        eventID is stored already."""
        event = self._json_body()
        if not isinstance(event, dict):
            raise QueryError("ValidationException", 400, "The body must be one EPCIS event.")
        context = event.pop("@context", None) or [epcis.GS1_CONTEXT]
        document = {
            "@context": context,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": epcis.format_time(fields.Datetime.now()),
            "epcisBody": {"eventList": [event]},
        }
        result = request.env["trace.event"].import_epcis(document)
        if result.get("duplicates"):
            raise QueryError(
                "ResourceAlreadyExistsException",
                409,
                "The event %(id)s is stored already.",
                id=result["duplicates"][0],
            )
        stored = request.env["trace.event"].browse(result["event_ids"][:1])
        uid = stored.event_uid if stored else event.get("eventID", "")
        return self._answer(None, 201, {"Location": f"{BASE}/events/{quote(uid, safe='')}"})

    @_route(["/events/<path:event_id>"], ["GET"])
    @rest
    def epcis_event(self, event_id, **kwargs):
        query = epcis_rest.parse_query({"EQ_eventID": [event_id]})
        events, _token = self._rest()._rest_search(query)
        if not events:
            raise QueryError(
                "NoSuchResourceException",
                404,
                "There is no event %(id)s you may read.",
                id=event_id,
            )
        return self._answer(self._rest()._rest_document(events))

    @_route(["/eventTypes"], ["GET"])
    @rest
    def epcis_event_types(self, **kwargs):
        return self._answer(self._rest()._rest_collection(sorted(epcis_rest.EVENT_TYPES)))

    @_route(["/eventTypes/<string:event_type>/events"], ["GET"])
    @rest
    def epcis_event_type_events(self, event_type, **kwargs):
        return self._events({"eventType": [_event_type(event_type)]})

    @_route(["/eventTypes/<string:event_type>"], ["GET"])
    @rest
    def epcis_event_type(self, event_type, **kwargs):
        _event_type(event_type)
        return self._sub_resources()

    def _sub_resources(self):
        """The sub-resources of a single element (HATEOAS discovery): its ``events``."""
        return self._answer(self._rest()._rest_collection(["events"]))

    def _paging(self):
        """The parsed ``perPage`` and ``nextPageToken`` of a listing that takes nothing else."""
        params = self._params()
        others = sorted(set(params) - {"perPage", "nextPageToken"})
        if others:
            raise QueryError(
                "QueryParameterException",
                400,
                "This resource takes only perPage and nextPageToken (got %(names)s).",
                names=", ".join(others),
            )
        return epcis_rest.parse_query(params)

    @_route(["/epcs"], ["GET"])
    @rest
    def epcis_epcs(self, **kwargs):
        """The EPCs and EPC classes of the events the caller sees, paged in URI order."""
        query = self._paging()
        members = self._rest()._rest_epcs()
        if query.get("nextPageToken"):
            after = epcis_rest.read_token(query, query["nextPageToken"])[0]
            members = [member for member in members if member > after]
        per_page = query.get("perPage", epcis_rest.DEFAULT_PER_PAGE)
        token = None
        if len(members) > per_page:
            members = members[:per_page]
            token = epcis_rest.make_token(query, members[-1], 0)
        return self._answer(
            self._rest()._rest_collection(members), headers=self._page_headers(token)
        )

    def _epc_parameter(self, epc):
        try:
            ref = epcis.parse_object_uri(epc)
        except epcis.EpcisError:
            raise QueryError(
                "QueryParameterException",
                400,
                "%(epc)s is not an EPC or EPC class this "
                "repository reads (GS1 Digital Link or EPC URN).",
                epc=epc,
            ) from None
        return "MATCH_anyEPCClass" if ref["kind"] == "lot" else "MATCH_anyEPC"

    @_route(["/epcs/<path:epc>/events"], ["GET"])
    @rest
    def epcis_epc_events(self, epc, **kwargs):
        return self._events({self._epc_parameter(epc): [epc]})

    @_route(["/epcs/<path:epc>"], ["GET"])
    @rest
    def epcis_epc(self, epc, **kwargs):
        if not self._rest()._rest_known(self._epc_parameter(epc), [epc]):
            raise QueryError(
                "NoSuchResourceException",
                404,
                "No event you may read names the EPC %(epc)s.",
                epc=epc,
            )
        return self._sub_resources()

    @_route(["/bizSteps"], ["GET"])
    @rest
    def epcis_biz_steps(self, **kwargs):
        return self._answer(self._rest()._rest_collection(list(BIZ_STEPS)))

    @_route(["/bizSteps/<string:step>"], ["GET"])
    @rest
    def epcis_biz_step(self, step, **kwargs):
        _biz_step(step)
        return self._sub_resources()

    @_route(["/bizSteps/<string:step>/events"], ["GET"])
    @rest
    def epcis_biz_step_events(self, step, **kwargs):
        return self._events({"EQ_bizStep": [_biz_step(step)]})

    @_route(["/dispositions"], ["GET"])
    @rest
    def epcis_dispositions(self, **kwargs):
        return self._answer(self._rest()._rest_collection(list(DISPOSITIONS)))

    @_route(["/dispositions/<string:disposition>"], ["GET"])
    @rest
    def epcis_disposition(self, disposition, **kwargs):
        _disposition(disposition)
        return self._sub_resources()

    @_route(["/dispositions/<string:disposition>/events"], ["GET"])
    @rest
    def epcis_disposition_events(self, disposition, **kwargs):
        return self._events({"EQ_disposition": [_disposition(disposition)]})

    @_route(["/bizLocations", "/readPoints"], ["GET"])
    @rest
    def epcis_places(self, **kwargs):
        name = (
            "EQ_readPoint" if request.httprequest.path.endswith("readPoints") else "EQ_bizLocation"
        )
        return self._answer(self._rest()._rest_collection(self._rest()._rest_places(name)))

    @_route(["/bizLocations/<path:place>/events", "/readPoints/<path:place>/events"], ["GET"])
    @rest
    def epcis_place_events(self, place, **kwargs):
        name = "EQ_readPoint" if "/readPoints/" in request.httprequest.path else "EQ_bizLocation"
        return self._events({name: [place]})

    @_route(["/bizLocations/<path:place>", "/readPoints/<path:place>"], ["GET"])
    @rest
    def epcis_place(self, place, **kwargs):
        name = "EQ_readPoint" if "/readPoints/" in request.httprequest.path else "EQ_bizLocation"
        if not self._rest()._rest_known(name, [place]):
            raise QueryError(
                "NoSuchResourceException",
                404,
                "No event you may read has %(place)s as its %(dimension)s.",
                place=place,
                dimension=name.removeprefix("EQ_"),
            )
        return self._sub_resources()

    # ================================================================== paging

    @_route(["/nextPageToken/<string:token>"], ["DELETE"])
    @rest
    def epcis_next_page_token(self, token, **kwargs):
        """GS1's optional release of a page token: this repository keeps no state behind its
        tokens (each one carries the position after the page it ends), so there is nothing to
        release and no token to invalidate; the openapi's answer for that is 501."""
        raise QueryError(
            "ImplementationException",
            501,
            "This repository keeps no state behind a nextPageToken (the token itself says where "
            "the next page starts), so there is nothing to release: stop following it.",
        )

    # ================================================================== named queries

    @_route(["/queries"], ["GET", "POST"], readonly=False)
    @rest
    def epcis_queries(self, **kwargs):
        Query = request.env["trace.epcis.query"]
        if request.httprequest.method == "GET":
            queries = Query.sudo().search([("user_id", "=", request.env.uid)])
            return self._answer([query._epcis_rest_values() for query in queries])
        body = self._json_body()
        if not isinstance(body, dict):
            raise QueryError("QueryValidationException", 400, 'Send {"name": ..., "query": {...}}.')
        query = Query._epcis_create(body.get("name"), body.get("query"))
        return self._answer(
            query._epcis_rest_values(), 201, {"Location": f"{BASE}/queries/{quote(query.name)}"}
        )

    def _json_body(self):
        if request.httprequest.mimetype not in JSON_TYPES:
            raise QueryError(
                "UnsupportedMediaTypeException", 415, "Send the body as application/json."
            )
        try:
            return json.loads(request.httprequest.get_data() or b"null")
        except (ValueError, RecursionError):
            raise QueryError("ValidationException", 400, "The body is not JSON.") from None

    @_route(["/queries/<string:name>"], ["GET", "DELETE"], readonly=False)
    @rest
    def epcis_query(self, name, **kwargs):
        query = request.env["trace.epcis.query"]._epcis_get(name)
        if request.httprequest.method == "DELETE":
            query.unlink()
            return self._answer(None, 204)
        return self._answer(query._epcis_rest_values())

    @_route(["/queries/<string:name>/events"], ["GET"])
    @rest
    def epcis_query_events(self, name, **kwargs):
        query = request.env["trace.epcis.query"]._epcis_get(name)
        params = self._params()
        paging = {key: params.pop(key) for key in ("perPage", "nextPageToken") if key in params}
        if params:
            raise QueryError(
                "QueryParameterException",
                400,
                "A named query takes only perPage and nextPageToken (got %(names)s).",
                names=", ".join(sorted(params)),
            )
        return self._events(query_name=query.name, params=dict(query.query, **paging))

    @_route(["/queries/<string:name>/subscriptions"], ["GET", "POST"], readonly=False)
    @rest
    def epcis_subscriptions(self, name, **kwargs):
        query = request.env["trace.epcis.query"]._epcis_get(name)
        if request.httprequest.method == "GET":
            return self._answer([sub._epcis_rest_values() for sub in query.subscription_ids])
        subscription = request.env["trace.epcis.subscription"]._epcis_create(
            query, self._json_body()
        )
        return self._answer(
            subscription._epcis_rest_values(),
            201,
            {"Location": f"{BASE}/queries/{quote(query.name)}/subscriptions/{subscription.name}"},
        )

    @_route(
        ["/queries/<string:name>/subscriptions/<string:subscription_id>"],
        ["GET", "DELETE"],
        readonly=False,
    )
    @rest
    def epcis_subscription(self, name, subscription_id, **kwargs):
        query = request.env["trace.epcis.query"]._epcis_get(name)
        subscription = query.subscription_ids.filtered(lambda sub: sub.name == subscription_id)
        if not subscription:
            raise QueryError(
                "NoSuchResourceException",
                404,
                "Query %(name)s has no subscription %(id)s.",
                name=name,
                id=subscription_id,
            )
        if request.httprequest.method == "DELETE":
            subscription.unlink()
            return self._answer(None, 204)
        return self._answer(subscription._epcis_rest_values())


class _TooLarge(QueryError):
    def __init__(self, headers, message, **params):
        super().__init__("CaptureLimitExceededException", 413, message, **params)
        self.headers = headers
