"""Barcode images for UDI labels: GS1 DataMatrix, GS1-128, GS1 Digital Link QR, HIBC.

Every function returns a :class:`Symbol`: a 1-bit PNG drawn with a whole number of pixels per
module (so bars and cells stay crisp when the PDF is printed), plus the size the symbol must be
printed at. Print it at exactly ``width_mm`` x ``height_mm`` and the X-dimension is ``module_mm``.

- GS1 DataMatrix: ``zxingcpp.create_barcode(..., gs1=True, force_square=True)``: FNC1 is
  encoded, so the symbol reads back with symbology identifier ``]d2`` and content type GS1;
  square ECC 200 only (left alone, zxing-cpp picks rectangular DMRE sizes for some data, which
  many healthcare scanners do not read). zxing-cpp ignores unknown keyword arguments silently,
  hence the check of ``content_type`` after encoding.
- GS1-128: encoded by ``python-barcode`` (FNC1 as its ``\\xf1`` character), drawn here.
- QR code: ``qrcode`` (error correction M), carrying the GS1 Digital Link URI.
- HIBC: plain DataMatrix / Code 128 (no FNC1) of HIBC data composed by :mod:`.hibc`.

GS1 data is given as ``(AI, value)`` pairs (see :func:`..compose.gs1_elements`), never as a
parenthesised string, so a lot containing ``(`` cannot be misread as an AI.
"""

import base64
import io
from dataclasses import dataclass

import barcode
import qrcode
import zxingcpp
from PIL import Image

from .errors import UdiError, _lt

# AIs whose length is predefined by their first two digits (GS1 General Specifications,
# figure 5.10.1-2): no FNC1 separator is needed after them.
_PREDEFINED_LENGTH_PREFIXES = frozenset(
    {
        "00",
        "01",
        "02",
        "03",
        "04",
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "20",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "41",
    }
)
_PYBARCODE_FNC1 = "\xf1"

# Default sizes, whole numbers of dots on 203 and 300 dpi label printers: DataMatrix X 0.5 mm
# (4 dots at 203 dpi), GS1-128 X 0.25 mm (2 dots; the GS1 healthcare minimum) and 8 mm bars,
# QR X 0.375 mm (3 dots). GS1 General Specifications, symbol specification table 7 (healthcare
# items not scanned at retail point of sale) admits all three.
DATAMATRIX_MODULE_MM = 0.5
GS1_128_MODULE_MM = 0.25
GS1_128_HEIGHT_MM = 8.0
GS1_128_QUIET_MODULES = 10
QR_MODULE_MM = 0.375
# Pixels per module of the PNG: 800 dpi and more at the sizes above, finer than label printers.
DATAMATRIX_PX = 16
LINEAR_PX = 8
QR_PX = 12


@dataclass(frozen=True)
class Symbol:
    """A rendered barcode and the size to print it at."""

    symbology: str  # "gs1_datamatrix", "datamatrix", "gs1_128", "code128", "qr"
    content: str  # what a scanner reads, without symbology identifier (FNC1 shown as ASCII 29)
    png: bytes
    width_modules: int  # quiet zones included
    height_modules: int
    module_mm: float
    height_mm: float = 0.0  # linear symbols: bar height chosen by the caller
    hri: str = ""  # human-readable text to print with it: "(01)..." for GS1, else the content

    @property
    def width_mm(self):
        return round(self.width_modules * self.module_mm, 2)

    @property
    def print_height_mm(self):
        return round(self.height_mm or self.height_modules * self.module_mm, 2)

    @property
    def data_uri(self):
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def image(self):
        """The symbol as a PIL image (for decoding it back)."""
        return Image.open(io.BytesIO(self.png))


def _png(image, px_per_module, module_mm):
    buffer = io.BytesIO()
    dpi = round(px_per_module / module_mm * 25.4)
    image.convert("1").save(buffer, format="PNG", optimize=True, dpi=(dpi, dpi))
    return buffer.getvalue()


def _zxing_image(symbol, px_per_module):
    """A zxing-cpp barcode as a PIL image with a one-module quiet zone, and its size in modules."""
    view = memoryview(zxingcpp.write_barcode_to_image(symbol, scale=px_per_module))
    height, width = view.shape
    image = Image.frombuffer("L", (width, height), view.tobytes(), "raw", "L", 0, 1)
    return image, width // px_per_module, height // px_per_module


def _check_elements(elements, gtin_first=True):
    if not elements or (gtin_first and elements[0][0] != "01"):
        raise UdiError("render_no_gtin", _lt("A GS1 UDI barcode starts with the GTIN, AI (01)."))
    for ai, value in elements:
        if not value:
            raise UdiError("render_empty_ai", _lt("AI (%(ai)s) has no value."), ai=ai)


def gs1_hri_escaped(elements):
    """``(AI)value`` text for zxing-cpp's GS1 mode, parentheses inside values escaped."""
    return "".join(
        "({}){}".format(ai, value.replace("(", "\\(").replace(")", "\\)")) for ai, value in elements
    )


def gs1_hri(elements):
    """The parenthesised human-readable form of ``(AI, value)`` pairs."""
    return "".join(f"({ai}){value}" for ai, value in elements)


def gs1_scan_content(elements):
    """What a scanner transmits after the symbology identifier: FNC1 as ASCII 29 after
    variable-length fields that are not last."""
    out = []
    for index, (ai, value) in enumerate(elements):
        out.append(ai + value)
        if ai[:2] not in _PREDEFINED_LENGTH_PREFIXES and index < len(elements) - 1:
            out.append("\x1d")
    return "".join(out)


def gs1_datamatrix(elements, module_mm=DATAMATRIX_MODULE_MM, px_per_module=DATAMATRIX_PX):
    """A GS1 DataMatrix (ECC 200, FNC1 in first position) of the ``(AI, value)`` pairs."""
    _check_elements(elements)
    try:
        symbol = zxingcpp.create_barcode(
            gs1_hri_escaped(elements),
            zxingcpp.BarcodeFormat.DataMatrix,
            gs1=True,
            force_square=True,
        )
    except ValueError as exc:
        raise UdiError(
            "render_failed",
            _lt("The GS1 DataMatrix cannot be encoded: %(reason)s"),
            reason=str(exc),
        ) from None
    if symbol.content_type != zxingcpp.ContentType.GS1:
        raise UdiError("render_not_gs1", _lt("The DataMatrix was not encoded in GS1 mode."))
    image, width, height = _zxing_image(symbol, px_per_module)
    return Symbol(
        "gs1_datamatrix",
        gs1_scan_content(elements),
        _png(image, px_per_module, module_mm),
        width,
        height,
        module_mm,
        hri=gs1_hri(elements),
    )


def datamatrix(text, module_mm=DATAMATRIX_MODULE_MM, px_per_module=DATAMATRIX_PX):
    """A plain DataMatrix (no FNC1), e.g. for HIBC data."""
    try:
        symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.DataMatrix, force_square=True)
    except ValueError as exc:
        raise UdiError(
            "render_failed", _lt("The DataMatrix cannot be encoded: %(reason)s"), reason=str(exc)
        ) from None
    image, width, height = _zxing_image(symbol, px_per_module)
    return Symbol(
        "datamatrix",
        text,
        _png(image, px_per_module, module_mm),
        width,
        height,
        module_mm,
        hri=text,
    )


def _draw_linear(modules, module_mm, height_mm, px_per_module, quiet_modules):
    """A bar pattern ("1" = bar) as a PIL image with quiet zones on both sides."""
    width = (len(modules) + 2 * quiet_modules) * px_per_module
    height = max(1, round(height_mm / module_mm * px_per_module))
    image = Image.new("L", (width, height), 255)
    x = quiet_modules * px_per_module
    for bit in modules:
        if bit == "1":
            image.paste(0, (x, 0, x + px_per_module, height))
        x += px_per_module
    return image


def _code128_symbol(symbology, code_class, data, content, hri, module_mm, height_mm, px_per_module):
    try:
        modules = code_class(data).build()[0]
    except (barcode.errors.BarcodeError, RuntimeError, KeyError) as exc:
        raise UdiError(
            "render_failed",
            _lt("The Code 128 symbol cannot be encoded: %(reason)s"),
            reason=str(exc),
        ) from None
    image = _draw_linear(modules, module_mm, height_mm, px_per_module, GS1_128_QUIET_MODULES)
    return Symbol(
        symbology,
        content,
        _png(image, px_per_module, module_mm),
        len(modules) + 2 * GS1_128_QUIET_MODULES,
        round(height_mm / module_mm),
        module_mm,
        height_mm,
        hri,
    )


def gs1_128(
    elements, module_mm=GS1_128_MODULE_MM, height_mm=GS1_128_HEIGHT_MM, px_per_module=LINEAR_PX
):
    """A GS1-128 symbol of the ``(AI, value)`` pairs (10-module quiet zones included); the
    first pair need not be the GTIN (second symbol of a split UDI)."""
    _check_elements(elements, gtin_first=False)
    content = gs1_scan_content(elements)
    data = content.replace("\x1d", _PYBARCODE_FNC1)
    return _code128_symbol(
        "gs1_128",
        barcode.codex.Gs1_128,
        data,
        content,
        gs1_hri(elements),
        module_mm,
        height_mm,
        px_per_module,
    )


def gs1_128_split(
    elements,
    max_width_mm,
    module_mm=GS1_128_MODULE_MM,
    height_mm=GS1_128_HEIGHT_MM,
    px_per_module=LINEAR_PX,
):
    """GS1-128 symbols no wider than ``max_width_mm``: one if it fits, else the elements split
    over several symbols at element boundaries, in order (GS1 allows a UDI over two GS1-128
    symbols; the GTIN comes first). Raises when a single element does not fit."""
    whole = gs1_128(elements, module_mm, height_mm, px_per_module)
    if whole.width_mm <= max_width_mm:
        return [whole]
    symbols, current = [], []
    for element in elements:
        candidate = current + [element]
        if current and gs1_128(candidate, module_mm, height_mm, 1).width_mm > max_width_mm:
            symbols.append(current)
            candidate = [element]
        current = candidate
    symbols.append(current)
    result = [gs1_128(part, module_mm, height_mm, px_per_module) for part in symbols]
    too_wide = [s for s in result if s.width_mm > max_width_mm]
    if too_wide:
        raise UdiError(
            "render_too_wide",
            _lt(
                "The GS1-128 symbol for %(content)s is %(width)s mm "
                "wide and does not fit in %(max)s mm."
            ),
            content=too_wide[0].content,
            width=too_wide[0].width_mm,
            max=max_width_mm,
        )
    return result


def code128(
    text, module_mm=GS1_128_MODULE_MM, height_mm=GS1_128_HEIGHT_MM, px_per_module=LINEAR_PX
):
    """A plain Code 128 symbol (no FNC1), e.g. for HIBC data."""
    return _code128_symbol(
        "code128", barcode.codex.Code128, text, text, text, module_mm, height_mm, px_per_module
    )


def qr_code(text, module_mm=QR_MODULE_MM, px_per_module=QR_PX):
    """A QR code (error correction M, 4-module quiet zone), e.g. of a GS1 Digital Link URI."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=px_per_module, border=4
    )
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image()
    size = code.modules_count + 8
    return Symbol(
        "qr", text, _png(image, px_per_module, module_mm), size, size, module_mm, hri=text
    )
