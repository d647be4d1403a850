from werkzeug.exceptions import BadRequest

from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        result = super()._pre_dispatch(rule, args)
        if rule.endpoint.routing.get("type") == "json2" and request.httprequest.content_length:
            cls._trace_read_json2_body()
        return result

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
