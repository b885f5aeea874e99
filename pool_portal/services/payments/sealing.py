"""The providers' keys at rest: sealed with Fernet (AES-128-CBC + HMAC-SHA256, from
``cryptography``) under a key derived from PORTAL_SECRET_KEY by HKDF-SHA256 with a
purpose of its own, so the signing of links and the sealing of keys never share a key.

A sealed key is opened only to talk to the provider, in the worker that does; it is
never put in a read model, a state var, a log line or an API answer. Only its last four
characters are kept in clear, to show which key is set. If PORTAL_SECRET_KEY changes,
the sealed keys no longer open (``KeyUnreadable``) and staff enter them again."""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from pool_portal.settings import get_settings

_INFO = b"pool-portal/payments/provider-keys/v1"


class KeyUnreadable(Exception):
    """The sealed value does not open with the current PORTAL_SECRET_KEY."""


@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str) -> str:
    """A Fernet token of ``value`` (text, safe to store)."""
    return _fernet(get_settings().get_secret_key()).encrypt(value.encode()).decode("ascii")


def unseal(token: str | None) -> str:
    """The value sealed in ``token``; KeyUnreadable when it cannot be opened."""
    if not token:
        raise KeyUnreadable("nothing sealed")
    try:
        return _fernet(get_settings().get_secret_key()).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise KeyUnreadable("sealed with another PORTAL_SECRET_KEY") from exc


def last4(value: str) -> str:
    """What is shown of a key once saved: its last four characters."""
    return value.strip()[-4:]
