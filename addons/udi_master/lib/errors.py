def _lt(message):
    """Mark ``message`` for translation extraction; Odoo's extractor collects ``_lt("...")`` calls.

    The Odoo layer translates the message when it turns a :class:`UdiError` into a user error.
    """
    return message


# The nouns passed as the ``what`` parameter of messages, marked for translation: the Odoo layer
# translates that parameter along with the message (see ``udi.parser._udi_message``).
WHAT_NOUNS = (
    _lt("lot"),
    _lt("serial"),
    _lt("serial number"),
    _lt("date"),
    _lt("manufacture date"),
    _lt("expiry date"),
    _lt("quantity"),
    _lt("link character"),
)


class UdiError(ValueError):
    """A UDI value is invalid.

    ``code`` is stable (for tests and API clients); ``message`` is English text marked with
    :func:`_lt` that the Odoo layer translates; ``params`` fill its ``%(name)s`` placeholders.
    """

    def __init__(self, code, message, **params):
        self.code = code
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)
