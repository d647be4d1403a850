from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..lib.errors import UdiError
from ..lib.parse import parse_udi


class UdiParser(models.AbstractModel):
    """Reads scanned UDIs. The public :meth:`parse` is the integration API (XML-RPC, JSON-2);
    :meth:`_parse_udi` is the same for server code that wants the dates as ``datetime.date``."""

    _name = "udi.parser"
    _description = "UDI Parser"

    @api.model
    @api.readonly
    def parse(self, code):
        """Parse a scanned or typed UDI (GS1 element string, human-readable form or Digital Link,
        HIBC primary / secondary / concatenated).

        :param str code: the text as the scanner sent it
        :return: dict with ``issuer`` ('gs1' | 'hibcc'), ``di``, ``lot``, ``serial``, ``expiry``
            and ``manufactured`` (ISO dates), ``quantity``, ``hri``, ``symbology``,
            ``hibc_link`` (link character of an HIBC secondary symbol), ``product_id`` (id of the
            product variant whose DI this is, when known and readable), ``packaging_level``,
            ``warnings`` (translated texts) and ``warning_codes``; absent values are False
        :raise ValidationError: the UDI is invalid; the message names the reason
        """
        if not self.env.user._is_internal():
            raise AccessError(self.env._("Only internal users can parse UDIs."))
        parsed = self._parse_udi(code)
        product, level = self._udi_find_product(parsed["di"])
        return {
            "issuer": parsed["issuer"],
            "di": parsed["di"] or False,
            "lot": parsed["lot"] or False,
            "serial": parsed["serial"] or False,
            "expiry": parsed["expiry"].isoformat() if parsed["expiry"] else False,
            "manufactured": (
                parsed["manufactured"].isoformat() if parsed["manufactured"] else False
            ),
            "quantity": parsed["quantity"] if parsed["quantity"] is not None else False,
            "hri": parsed["hri"],
            "symbology": parsed["symbology"] or False,
            "hibc_link": parsed["link"] or False,
            "product_id": product.id or False,
            "packaging_level": level.packaging_level or False,
            "warnings": [self._udi_message(warning) for warning in parsed["warnings"]],
            "warning_codes": [warning["code"] for warning in parsed["warnings"]],
        }

    @api.model
    def _parse_udi(self, code):
        """:func:`~..lib.parse.parse_udi` with today's date in the user's timezone; a
        :class:`UdiError` becomes a translated ValidationError."""
        try:
            return parse_udi(code, today=fields.Date.context_today(self))
        except UdiError as exc:
            raise ValidationError(self._udi_message(exc)) from None

    @api.model
    def _udi_message(self, error_or_warning):
        """The translated text of a :class:`UdiError` or of a parser warning dict."""
        if isinstance(error_or_warning, UdiError):
            message, params = error_or_warning.message, error_or_warning.params
        else:
            message, params = error_or_warning["message"], error_or_warning["params"]
        noun = params.get("what")
        if isinstance(noun, str):
            params = {**params, "what": self.env._(noun)}
        return self.env._(message, **params)

    @api.model
    def _udi_find_product(self, di):
        """The product variant and packaging level of ``di`` as the current user may see them
        (access rights and record rules apply), or empty recordsets."""
        product, level = self.env["product.product"], self.env["udi.di"]
        if not di or not level.has_access("read"):
            return product, level
        product, level = product._udi_find_by_di(di)
        if product and not product.has_access("read"):
            return self.env["product.product"], self.env["udi.di"]
        return product, level
