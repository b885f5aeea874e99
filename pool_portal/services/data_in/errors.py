"""The errors of data pushed from outside (the integration API, the CSV import): a
``FieldError`` names the field, a code and an English message; ``Rejected`` refuses a
record with its field errors (nothing written); ``NotFound`` is a record the tenant
does not have. The API turns them into problem details, the import page into
translated messages per row."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str  # a dotted path in the record: "site_external_id", "lines.0.quantity"
    code: str  # "missing", "unknown_reference", pydantic's error type...
    message: str  # English; the import page shows a translation of the code


class Rejected(Exception):
    """The record was refused; nothing was written."""

    def __init__(self, errors: list[FieldError], status: int = 422, detail: str | None = None):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors, self.status, self.detail = errors, status, detail


class NotFound(Exception):
    pass


def field_errors(errors: list[dict], drop_prefix: tuple[str, ...] = ()) -> list[FieldError]:
    """Pydantic's errors (``ValidationError.errors()``, FastAPI's too) as FieldErrors:
    the loc joined with dots, without a leading ``drop_prefix`` part ("body"...)."""
    out = []
    for err in errors:
        loc = list(err.get("loc") or ())
        if loc and loc[0] in drop_prefix:
            loc = loc[1:]
        if err.get("type") == "json_invalid":  # its loc is a character position
            loc = []
        out.append(
            FieldError(
                ".".join(str(p) for p in loc) or "body",
                str(err.get("type") or "invalid"),
                str(err.get("msg") or "invalid value"),
            )
        )
    return out
