"""Checking uploaded files before anything is stored, and naming them.

The type is decided by the file's CONTENT (magic bytes), never by its name or by the
browser's content type: a PDF or an HTML page named ``photo.jpg`` is refused. The name
a file is stored and served under takes its extension from that detected type too
(``typed_name``): a JPEG uploaded as ``evil.html`` or ``x.png`` becomes ``evil.jpg`` /
``x.jpg``. Errors are translation keys (``incident.error.*``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 5
IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
FILE_TYPES = {"pdf": "application/pdf", **IMAGE_TYPES}  # what a shared document may be

ERROR_TYPE = "incident.error.photo_type"
ERROR_SIZE = "incident.error.photo_size"
ERROR_COUNT = "incident.error.photo_count"


@dataclass(frozen=True)
class CheckedImage:
    name: str  # the client's name with the detected type's extension (``typed_name``); never a path
    data: bytes
    ext: str  # jpg | png | webp, from the content
    content_type: str

    @property
    def size(self) -> int:
        return len(self.data)


def sniff(data: bytes) -> str | None:
    """ "jpg", "png" or "webp" from the first bytes, else None."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def file_kind(data: bytes) -> str | None:
    """ "pdf", "jpg", "png" or "webp" from the first bytes (never from the name), else None."""
    return "pdf" if data[:5] == b"%PDF-" else sniff(data)


_NOT_IN_NAME = re.compile(r"[^\w -]+")  # dots too: the only extension is the detected one


def typed_name(name: str, ext: str, fallback: str) -> str:
    """The name a file whose type ``ext`` was detected from its content is stored and
    served under: the client's name without its folder and without the extension it
    claimed (any other dot becomes "-"), letters, digits, spaces, "_" and "-" only, at
    most 200 characters, then ``.ext``; ``fallback`` when nothing is left.
    ``evil.html`` holding a JPEG is ``evil.jpg``; ``../../x.png.html`` holding a PDF is
    ``x-png.pdf``."""
    base = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"-{2,}", "-", _NOT_IN_NAME.sub("-", stem)).strip(" -_")[:200].strip(" -_")
    return f"{stem or fallback}.{ext}"


def check_images(files: list[tuple[str, bytes]]) -> tuple[list[CheckedImage], list[str]]:
    """Check every (name, bytes). Returns (images, []) when all are fine, else
    ([], error keys): too many files, a file over MAX_PHOTO_BYTES or empty, or a file
    that is not a JPEG/PNG/WebP image. One bad file refuses the whole batch."""
    files = list(files or [])
    errors: list[str] = []
    if len(files) > MAX_PHOTOS:
        errors.append(ERROR_COUNT)
    checked: list[CheckedImage] = []
    for name, data in files:
        data = bytes(data or b"")
        if len(data) > MAX_PHOTO_BYTES:
            if ERROR_SIZE not in errors:
                errors.append(ERROR_SIZE)
            continue
        ext = sniff(data)
        if ext is None:
            if ERROR_TYPE not in errors:
                errors.append(ERROR_TYPE)
            continue
        checked.append(CheckedImage(typed_name(name, ext, "photo"), data, ext, IMAGE_TYPES[ext]))
    return ([], errors) if errors else (checked, [])
