"""Every addon has an Apps page (``static/description/index.html``) that Odoo shows as it is.

Without that file Odoo 19 renders the addon's README.md as reStructuredText
(``ir.module.module._get_desc``): docutils prints warnings on every install and the Apps page
shows mangled Markdown. With it, Odoo passes the file through ``html_sanitize``: a page whose
headings or text the sanitizer removes would lose them on the Apps page.
"""

import ast
import re
from pathlib import Path

import lxml.html
import pytest

ADDONS = Path(__file__).resolve().parents[2] / "addons"
ADDON_DIRS = sorted(path.parent for path in ADDONS.glob("*/__manifest__.py"))
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def index_html(addon):
    return addon / "static" / "description" / "index.html"


def display_name(addon):
    return ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))["name"]


def squash(text):
    return re.sub(r"\s+", " ", text).strip()


def body_of(html):
    """The page as Odoo parses it, before and after sanitizing: the <body> element."""
    return lxml.html.document_fromstring(html).body


def headings(element):
    return [(node.tag, squash(node.text_content())) for node in element.iter(*HEADINGS)]


def odoo_rendering(raw):
    """What ``ir.module.module._get_desc`` makes of the file (odoo/addons/base/models/
    ir_module.py): parsed as a document, serialised, then ``html_sanitize``."""
    tools = pytest.importorskip("odoo.tools", reason="html_sanitize needs Odoo importable")
    document = lxml.html.document_fromstring(raw)
    return str(tools.html_sanitize(lxml.html.tostring(document, encoding="unicode")))


def test_the_suite_has_addons():
    assert len(ADDON_DIRS) >= 12, ADDON_DIRS


@pytest.mark.parametrize("addon", ADDON_DIRS, ids=lambda path: path.name)
def test_addon_has_an_apps_page(addon):
    assert index_html(addon).is_file(), (
        f"{addon.name} has no static/description/index.html: Odoo renders its README.md as "
        "reStructuredText on the Apps page (docutils warnings, mangled Markdown). Write one."
    )


@pytest.mark.parametrize("addon", ADDON_DIRS, ids=lambda path: path.name)
def test_addon_has_an_icon(addon):
    """Odoo shows ``static/description/icon.png`` on the addon's card in Apps (and as the menu
    icon where ``web_icon`` names it); without it the card shows Odoo's generic icon."""
    icon = addon / "static" / "description" / "icon.png"
    assert icon.is_file(), f"{addon.name} has no static/description/icon.png"
    head = icon.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{icon} is not a PNG"
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    assert width == height and 100 <= width <= 256, f"{icon} is {width}x{height}"


@pytest.mark.parametrize("addon", ADDON_DIRS, ids=lambda path: path.name)
def test_apps_page_names_the_addon(addon):
    page = index_html(addon)
    if not page.is_file():
        pytest.fail(f"{addon.name} has no static/description/index.html")
    name = display_name(addon)
    body = body_of(page.read_text(encoding="utf-8"))
    assert any(text == name for _tag, text in headings(body)), (
        f"{page.relative_to(ADDONS)} has no heading naming the addon {name!r} "
        f"(its manifest name); headings: {headings(body)}"
    )


@pytest.mark.parametrize("addon", ADDON_DIRS, ids=lambda path: path.name)
def test_apps_page_survives_odoo_sanitizer(addon):
    page = index_html(addon)
    if not page.is_file():
        pytest.fail(f"{addon.name} has no static/description/index.html")
    raw = page.read_text(encoding="utf-8")
    before = body_of(raw)
    after = body_of(odoo_rendering(raw))
    where = page.relative_to(ADDONS)
    assert headings(before), f"{where} has no heading"
    assert len(squash(before.text_content())) > 300, f"{where} says almost nothing"
    assert headings(after) == headings(before), (
        f"html_sanitize changes the headings of {where}: {headings(before)} -> {headings(after)}"
    )
    assert squash(after.text_content()) == squash(before.text_content()), (
        f"html_sanitize removes text from {where} (scripts, styles or unknown tags?)"
    )
    for node in before.iter():
        for attribute in ("src", "href"):
            value = node.get(attribute) or ""
            assert "//" not in value, f"{where} loads or links an external asset: {value}"
        assert node.tag not in ("script", "style", "link", "iframe"), f"{where}: <{node.tag}>"
        assert node.get("style") is None, f"{where}: inline style on <{node.tag}>"
