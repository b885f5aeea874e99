"""CSV import of clients, sites, assets and remarks: parse, check every row, dry run,
commit all or nothing.

A file has a header row naming its columns: ``external_id`` plus the fields of the
kind (the same as the integration API's, see ``columns``). Each row goes through the
same upsert as the API (``services.data_in.upserts.upsert``): one place for the
rules, and the import is idempotent by external id (importing a file again updates
the same records, never duplicates them).

A dry run makes every check of the commit (the upsert's own, with ``dry_run``) and
writes nothing, so it reports what a commit would do, per-row errors and how many
records would be created and updated, without holding the database's write lock. A
commit writes everything in one unit of work, and only when no row has an error; a
dry run, or a file with errors, leaves its unit by the rollback path, so nothing is
ever half-written. (Rows of one file never refer to each other: a file holds one
kind, and references go to other kinds, so checking each row against the database
is exact.)

UTF-8 (with or without the byte-order mark spreadsheets write), comma or semicolon
separated; an empty cell means "no value" (the field's default).
"""

from __future__ import annotations

import csv
import enum
import io
import logging
import time
import typing
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session

from pool_portal.db import session_scope
from pool_portal.services.core import audit, record_rules
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.core.scope import Viewer
from pool_portal.services.data_in import upserts
from pool_portal.services.data_in.errors import Rejected
from pool_portal.services.data_in.kinds import KINDS
from pool_portal.services.infra import storage
from pool_portal.settings import get_settings

log = logging.getLogger(__name__)

IMPORT_KINDS = ("clients", "sites", "assets", "remarks")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
PROGRESS_EVERY = 50
# Why a file could not be read at all (the page shows "import.file.<code>").
FILE_ERRORS = (
    "too_large",
    "encoding",
    "not_csv",
    "empty",
    "unknown_columns",
    "missing_columns",
    "duplicate_columns",
    "too_many_rows",
    "conflict",
    "database",
)
# Nothing was written and the same file may simply be tried again (the database was busy).
RETRY_ERRORS = ("database",)
# The codes of row errors this module and the integration service give (besides pydantic's).
ROW_ERRORS = (
    "missing",
    "duplicate_in_file",
    "extra_cells",
    "unknown_reference",
    "other_site",
    "number_taken",
    "external_id",
)
_EXTRA = "\x00extra"  # never a column name (a NUL refuses the file)


@dataclass(frozen=True)
class RowError:
    line: int  # the line of the file (the header is line 1)
    external_id: str
    field: str
    code: str  # the page translates message_key(code)
    message: str  # English


def message_key(code: str) -> str:
    """The catalogue key of a row error's message: "import.error.<code>", or a
    cross-field rule's own (services.record_rules, the same text staff editing shows)."""
    return record_rules.KEYS.get(code) or f"import.error.{code}"


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""  # a code: the file could not be read at all ("import.file.<code>")
    file_detail: str = ""  # e.g. the unknown column names
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error


class ImportFileError(ValueError):
    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


def columns(kind: str) -> list[str]:
    """The header a file of ``kind`` may have; ``required_columns`` must be there."""
    return ["external_id", *KINDS[kind].schema_in.model_fields]


def required_columns(kind: str) -> list[str]:
    fields = KINDS[kind].schema_in.model_fields
    return ["external_id", *(name for name, f in fields.items() if f.is_required())]


def read_rows(kind: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: cell}) of every non-empty row, or ImportFileError."""
    if len(data) > MAX_BYTES:
        raise ImportFileError("too_large", str(MAX_BYTES // (1024 * 1024)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("encoding") from None
    if "\x00" in text:
        raise ImportFileError("not_csv")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header:
            raise ImportFileError("empty")
        names = [h.strip().lower() for h in header]
        unknown = [n for n in names if n not in columns(kind)]
        if unknown:
            raise ImportFileError("unknown_columns", ", ".join(unknown)[:300])
        missing = [n for n in required_columns(kind) if n not in names]
        if missing:
            raise ImportFileError("missing_columns", ", ".join(missing))
        if len(set(names)) != len(names):
            raise ImportFileError("duplicate_columns")
        out = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(out) >= MAX_ROWS:
                raise ImportFileError("too_many_rows", str(MAX_ROWS))
            row = dict(zip(names, cells, strict=False))  # a short row: its last cells are empty
            if len(cells) > len(names):
                row[_EXTRA] = "1"  # reported as an error of the row
            out.append((reader.line_num, row))
    except csv.Error as exc:
        raise ImportFileError("not_csv", str(exc)[:200]) from None
    return out


def _check_caller(viewer: Viewer, kind: str) -> None:
    if not viewer.is_staff or viewer.role not in OFFICE_WORK or viewer.read_only:
        raise PermissionError("only ADMIN and OFFICE staff import data")
    if kind not in IMPORT_KINDS:
        raise ValueError(f"cannot import {kind!r}")


UnitOfWork = Callable[[], AbstractContextManager[Session]]


class _NothingToKeep(Exception):
    """Leaves the unit of work of a dry run, or of a file with errors, by its rollback."""


def run(
    unit_of_work: UnitOfWork,
    viewer: Viewer,
    kind: str,
    data: bytes,
    *,
    commit: bool,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a CSV file of ``kind`` for the viewer's tenant. ``commit=False`` is the
    dry run. ``unit_of_work()`` gives the unit (``db.session_scope``); the rows are
    checked and written in it, and it commits only when ``commit`` and every row is
    good: otherwise it is rolled back, and so is it when the database fails (reported
    as the file error "conflict" or "database"). ``progress(done, total)`` is called
    every few rows (from this thread)."""
    _check_caller(viewer, kind)
    result = ImportResult(kind=kind)
    try:
        rows = read_rows(kind, data)
    except ImportFileError as exc:
        result.file_error, result.file_detail = exc.code, exc.detail
        return result
    result.rows = len(rows)
    try:
        with unit_of_work() as db:
            _import(db, viewer.tenant_id, kind, rows, result, progress, dry_run=not commit)
            if not (commit and result.ok):
                raise _NothingToKeep
            audit.record(
                db,
                f"import.{kind}",
                tenant_id=viewer.tenant_id,
                actor_kind="staff",
                actor_id=viewer.user_id,
                target_type="import",
                rows=result.rows,
                created=result.created,
                updated=result.updated,
            )
        result.committed = True
    except _NothingToKeep:
        pass
    except IntegrityError:  # someone else wrote the same records meanwhile
        result.file_error = "conflict"
    except SQLAlchemyError:  # e.g. SQLite's "database is locked": rolled back, nothing written
        log.warning("CSV import of %s for tenant %s failed in the database", kind, viewer.tenant_id, exc_info=True)
        result.file_error = "database"
    return result


def run_stashed(
    viewer: Viewer,
    key: str,
    kind: str,
    *,
    commit: bool,
    progress: Callable[[int, int], None] | None = None,
    unit_of_work: UnitOfWork = session_scope,
) -> ImportResult | None:
    """``run`` on the file kept by ``stash`` (the import page's dry run and commit), in
    the app's units of work; None when the kept file is gone."""
    data = unstash(key)
    if data is None:
        return None
    return run(unit_of_work, viewer, kind, data, commit=commit, progress=progress)


def _import(db, tenant_id: int, kind: str, rows, result: ImportResult, progress, *, dry_run: bool) -> None:
    seen: dict[str, int] = {}
    refs: dict = {}
    for done, (line, row) in enumerate(rows, start=1):
        external_id = (row.pop("external_id", "") or "").strip()
        if row.pop(_EXTRA, None):
            result.errors.append(RowError(line, external_id, "", "extra_cells", "the row has more cells than columns"))
        elif not external_id:
            result.errors.append(RowError(line, "", "external_id", "missing", "external_id is empty"))
        elif external_id in seen:
            result.errors.append(
                RowError(line, external_id, "external_id", "duplicate_in_file", f"also on line {seen[external_id]}")
            )
        else:
            seen[external_id] = line
            values = {name: cell.strip() for name, cell in row.items() if cell.strip()}
            try:
                done_row = upserts.upsert(db, tenant_id, kind, external_id, values, dry_run=dry_run, refs=refs)
            except Rejected as exc:
                result.errors += [RowError(line, external_id, e.field, e.code, e.message) for e in exc.errors]
            else:
                if done_row.created:
                    result.created += 1
                else:
                    result.updated += 1
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(rows)):
            progress(done, len(rows))


# -- the file between the dry run and the commit --------------------------------------------------
# Kept in private storage (every worker shares it), never in the tab's state.
STASH_FOLDER = "imports"
STASH_MAX_AGE_S = 24 * 3600


def stash(data: bytes) -> str:
    """Keep an uploaded file until it is committed; returns its storage key. Files
    left by abandoned imports are removed after a day."""
    _discard_stale()
    return storage.save(data, STASH_FOLDER, "csv")


def unstash(key: str) -> bytes | None:
    if not key.startswith(STASH_FOLDER + "/"):
        return None
    try:
        return storage.read(key)
    except storage.StorageError:
        return None


def discard(key: str) -> None:
    if key.startswith(STASH_FOLDER + "/"):
        try:
            storage.delete_local(key)
        except storage.StorageError:
            pass


def _discard_stale() -> None:
    folder = get_settings().files_dir / STASH_FOLDER
    cutoff = time.time() - STASH_MAX_AGE_S
    for path in folder.glob("*.csv") if folder.is_dir() else ():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def allowed_values(kind: str, name: str) -> list[str]:
    """The codes a column accepts when it is a choice (severity, status...), else []."""
    info = KINDS[kind].schema_in.model_fields.get(name)
    if info is None:
        return []
    for candidate in (info.annotation, *typing.get_args(info.annotation)):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return [m.value for m in candidate]
    return []
