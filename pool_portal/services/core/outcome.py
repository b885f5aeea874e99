"""What a service answers besides its result: errors are ``{field: translation key}``
(never English text), empty when all went well; a record outside the caller's tenant
answers exactly like an unknown one, with ``NOT_FOUND``."""

from __future__ import annotations

Errors = dict[str, str]
NOT_FOUND = "admin.error.not_found"
