"""Private file storage. Files live under PORTAL_DATA_DIR/files, never in a public
folder; they reach a browser only through a route that authorises the session.

Keys are generated here (a folder and a random name), so a key from the database can
never point outside the storage folder; keys that do not look like ours are refused.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path

from pool_portal.settings import get_settings

KEY = re.compile(r"^[a-z]+/[A-Za-z0-9_-]{16,64}\.[a-z0-9]{1,5}$")


class StorageError(Exception):
    pass


def _root() -> Path:
    return get_settings().files_dir


def save(data: bytes, folder: str, extension: str) -> str:
    """Store ``data``; return its key (``folder/random.ext``)."""
    if not re.fullmatch(r"[a-z]+", folder) or not re.fullmatch(r"[a-z0-9]{1,5}", extension):
        raise StorageError("bad folder or extension")
    key = f"{folder}/{secrets.token_urlsafe(18)}.{extension}"
    target = _root() / key
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)
    return key


def read(key: str) -> bytes:
    if not KEY.fullmatch(key or ""):
        raise StorageError("not a storage key")
    path = _root() / key
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise StorageError("missing file") from exc
