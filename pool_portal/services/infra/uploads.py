"""Checking uploaded photos before anything is stored.

The type is decided by the file's CONTENT (magic bytes), never by its name or by the
browser's content type: a PDF or an HTML page named ``photo.jpg`` is refused. Errors are
translation keys (``incident.error.*``).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 5
IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}

ERROR_TYPE = "incident.error.photo_type"
ERROR_SIZE = "incident.error.photo_size"
ERROR_COUNT = "incident.error.photo_count"


@dataclass(frozen=True)
class CheckedImage:
    name: str  # the original file name, trimmed (shown only, never used as a path)
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


def _clean_name(name: str) -> str:
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable()).strip()[:255] or "photo"


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
        checked.append(CheckedImage(_clean_name(name), data, ext, IMAGE_TYPES[ext]))
    return ([], errors) if errors else (checked, [])
