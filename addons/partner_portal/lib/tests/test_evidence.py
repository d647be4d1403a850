"""Evidence files without Odoo: which files are accepted, their names, the size setting, and
the files an API caller sends in base64."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from partner_portal_lib import evidence
from partner_portal_lib.inputs import PortalInputError

PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 8


@pytest.mark.parametrize(
    ("name", "content", "mimetype"),
    [
        ("certificate.pdf", PDF, "application/pdf"),
        ("CERTIFICATE.PDF", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.JPEG", JPEG, "image/jpeg"),
    ],
)
def test_pdf_png_and_jpeg_files_are_recognised(name, content, mimetype):
    assert evidence.evidence_mimetype(name, content) == mimetype


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("certificate.pdf", b"<html>not a pdf</html>"),
        ("photo.png", PDF),
        ("certificate.pdf.exe", PDF),
        ("certificate", PDF),
        ("page.html", b"%PDF-<script>"),
    ],
)
def test_content_and_name_must_say_the_same_accepted_type(name, content):
    assert evidence.evidence_mimetype(name, content) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("C:\\Users\\zhang\\cert.pdf", "cert.pdf"),
        ("/tmp/x/cert.pdf", "cert.pdf"),
        ("cert.pdf", "cert.pdf"),
        (None, ""),
    ],
)
def test_base_name_drops_the_folders(name, expected):
    assert evidence.base_name(name) == expected


@given(st.text())
def test_base_name_never_keeps_a_folder_separator(name):
    result = evidence.base_name(name)
    assert "/" not in result and "\\" not in result


@pytest.mark.parametrize(
    ("setting", "expected"),
    [(None, 10), ("", 10), ("25", 25.0), ("0.5", 0.5), ("0", 0.1), ("-3", 0.1), ("ten", 10)],
)
def test_size_limit_setting(setting, expected):
    assert evidence.size_limit_mb(setting) == expected


def test_decode_files_gives_names_and_bytes():
    files = [
        {"name": "cert.pdf", "content": base64.b64encode(PDF).decode()},
        {"content": base64.b64encode(PNG).decode()},
    ]
    assert evidence.decode_files(files) == [("cert.pdf", PDF), ("", PNG)]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"name": "cert.pdf"}, "Give the files as a list of {name, content}."),
        ([{"name": "cert.pdf"}], "File 1: give its name and its content in base64."),
        ([{"content": "JVBERi0="}, "cert.pdf"], "File 2: give its name and its content in base64."),
        ([{"name": "cert.pdf", "content": "not base64!"}], "File 1: the content is not base64."),
    ],
)
def test_decode_files_refusals(files, expected):
    with pytest.raises(PortalInputError) as info:
        evidence.decode_files(files)
    assert info.value.message % info.value.params == expected


@given(st.binary(max_size=200), st.text(max_size=20))
def test_decode_files_reads_back_what_was_encoded(content, name):
    files = [{"name": name, "content": base64.b64encode(content).decode()}]
    assert evidence.decode_files(files) == [(name, content)]
