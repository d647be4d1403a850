"""JSON-2 as an integrator calls it: the user's API key, a bearer request (shared by the suite's
API tests)."""

import datetime
import json

from odoo.tests import get_db_name


def api_key(env, user, name="Integration"):
    """A new RPC API key of ``user`` valid for a day, as the user makes it in its preferences."""
    expiry = datetime.datetime.now() + datetime.timedelta(days=1)
    return env["res.users.apikeys"].with_user(user).sudo()._generate("rpc", name, expiry)


def post_json2(case, path, body, key):
    """POST ``body`` (JSON text as given, else encoded) to ``path`` (``/json/2/<model>/<method>``)
    with ``key`` from the HttpCase ``case``; returns the response."""
    return case.url_open(
        path,
        data=body if isinstance(body, str) else json.dumps(body),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"bearer {key}",
            "X-Odoo-Database": get_db_name(),
        },
    )
