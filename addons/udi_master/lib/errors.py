def _lt(message):
    """Mark ``message`` for translation extraction; Odoo's extractor collects ``_lt("...")`` calls.

    The Odoo layer translates the message when it turns a :class:`UdiError` into a user error.
    """
    return message


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
