"""Evidence files (destruction certificates, photos): which files are accepted, read without
Odoo. A file is recognised by its first bytes, and its name must say the same."""

import base64
import binascii

from .inputs import PortalInputError, _lt

#: accepted types: (mimetype, file name suffixes, first bytes)
EVIDENCE_TYPES = (
    ("application/pdf", (".pdf",), (b"%PDF-",)),
    ("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",)),
    ("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",)),
)
EVIDENCE_MAX_MB = 10
EVIDENCE_MAX_FILES = 10


def base_name(name):
    """The file name without the folders a browser or client may send (``C:\\x\\a.pdf``)."""
    return (name or "").replace("\\", "/").rsplit("/", 1)[-1]


def evidence_mimetype(name, content):
    """The mimetype of an accepted evidence file, or ``None`` when its content is not PDF, PNG
    or JPEG, or its name does not end as that type's names do (case aside)."""
    for mimetype, suffixes, magics in EVIDENCE_TYPES:
        if any(content.startswith(magic) for magic in magics):
            return mimetype if name.lower().endswith(suffixes) else None
    return None


def size_limit_mb(setting, default=EVIDENCE_MAX_MB):
    """The size limit per file in MB from its setting's text (at least 0.1 MB); ``default``
    when the setting is not set or not a number."""
    if not setting:
        return default
    try:
        return max(float(setting), 0.1)
    except ValueError:
        return default


def decode_files(files):
    """``[(name, bytes)]`` of the files an API caller sends as ``[{"name", "content"}]``, the
    content in base64; the first file that is not so is refused."""
    if not isinstance(files, (list, tuple)):
        raise PortalInputError(_lt("Give the files as a list of {name, content}."))
    decoded = []
    for position, entry in enumerate(files, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("content"), str):
            raise PortalInputError(
                _lt("File %(row)s: give its name and its content in base64."), row=position
            )
        try:
            content = base64.b64decode(entry["content"], validate=True)
        except (binascii.Error, ValueError):
            raise PortalInputError(
                _lt("File %(row)s: the content is not base64."), row=position
            ) from None
        decoded.append((str(entry.get("name") or ""), content))
    return decoded
