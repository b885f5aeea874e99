"""The CSV import page's display rows: the columns a file of a kind may have, and a
check's row errors in the viewer's language (``services.data_in.csv_import``)."""

from __future__ import annotations

from pool_portal.services.core.i18n import catalogue
from pool_portal.services.data_in import csv_import


def import_columns(kind: str) -> list[list[str]]:
    """[name, "required" | "", the allowed values joined by " | "] of each column."""
    required = set(csv_import.required_columns(kind))
    return [
        [name, "required" if name in required else "", " | ".join(csv_import.allowed_values(kind, name))]
        for name in csv_import.columns(kind)
    ]


def import_errors(result: csv_import.ImportResult, lang: str, limit: int) -> list[dict[str, str]]:
    """The first ``limit`` row errors: line, external id, field, the translated message
    and the values the field allows."""
    tr = catalogue(lang)
    return [
        {
            "line": str(e.line),
            "external_id": e.external_id,
            "field": e.field,
            "message": tr.get(csv_import.message_key(e.code), tr["import.error.invalid"]),
            "allowed": " | ".join(csv_import.allowed_values(result.kind, e.field)),
        }
        for e in result.errors[:limit]
    ]
