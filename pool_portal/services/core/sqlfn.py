"""Two small SQL expressions that each backend spells its own (cheapest) way.

- ``month_text(col)``: "YYYY-MM" of a date or timestamp column. PostgreSQL:
  ``to_char(col, 'YYYY-MM')``; SQLite stores dates and timestamps as ISO text, so the
  first seven characters are the month (``substr``), several times cheaper per row
  than ``strftime``, which parses the text first.
- ``ci_like(col, pattern)``: case-insensitive LIKE with ``\\`` as the escape.
  PostgreSQL: ``ILIKE``. SQLite's LIKE is already case-insensitive for ASCII, and its
  ``lower()`` folds only ASCII too, so ``col LIKE p`` means exactly what SQLAlchemy's
  generic ``lower(col) LIKE lower(p)`` means, without two function calls per row.
"""

from __future__ import annotations

from sqlalchemy import Boolean, String, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class month_text(FunctionElement):  # noqa: N801 - reads like the SQL function it is
    type = String()
    name = "month_text"
    inherit_cache = True


@compiles(month_text)
def _month_text_default(element, compiler, **kw) -> str:
    (col,) = list(element.clauses)
    return f"to_char({compiler.process(col, **kw)}, 'YYYY-MM')"


@compiles(month_text, "sqlite")
def _month_text_sqlite(element, compiler, **kw) -> str:
    (col,) = list(element.clauses)
    return f"substr({compiler.process(col, **kw)}, 1, 7)"


class _CILike(FunctionElement):
    type = Boolean()
    name = "ci_like"
    inherit_cache = True


@compiles(_CILike)
def _ci_like_default(element, compiler, **kw) -> str:
    col, pattern = list(element.clauses)
    return f"{compiler.process(col, **kw)} ILIKE {compiler.process(pattern, **kw)} ESCAPE '\\'"


@compiles(_CILike, "sqlite")
def _ci_like_sqlite(element, compiler, **kw) -> str:
    col, pattern = list(element.clauses)
    return f"{compiler.process(col, **kw)} LIKE {compiler.process(pattern, **kw)} ESCAPE '\\'"


def ci_like(column, pattern: str):
    """``column`` matches ``pattern`` (with % and _ wildcards, \\ escapes), any case."""
    return _CILike(column, literal(pattern, String()))


def contains_pattern(text: str) -> str:
    """A LIKE pattern that finds ``text`` anywhere, its ``%``, ``_`` and ``\\`` taken
    literally (for ``ci_like``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
