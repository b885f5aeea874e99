"""Admin → Import: a CSV of clients, sites, assets or remarks; a dry run that lists
every row's errors and what would be created or updated; then Commit (all or
nothing). The rules are in services/data_in/csv_import.py; this state reads the
upload with a size cap, keeps the file in private storage between the dry run and the
commit, and runs both (``csv_import.run_stashed``, in the app's units of work) in a
background task that reports progress. The display rows come from
presentation/data_in.py."""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from pool_portal.presentation.data_in import import_columns, import_errors
from pool_portal.services.core.i18n import normalise_language
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.data_in import csv_import
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import StaffPage

log = logging.getLogger(__name__)

# A failure that wrote nothing and may be tried again as it is: it does not block Commit.
RETRY_KEYS = tuple(f"import.file.{code}" for code in (*csv_import.RETRY_ERRORS, "failed"))
SHOWN_ERRORS = 200  # the page lists this many; the count says how many there are
PROGRESS_POLL_S = 0.25


class ImportState(StaffPage):
    kind: str = "clients"
    columns: list[list[str]] = []  # [name, "required" | "", allowed values]
    phase: str = ""  # "" | checking | checked | committing | done
    file_name: str = ""
    file_error: str = ""  # a catalogue key
    file_detail: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    error_count: int = 0
    errors: list[dict[str, str]] = []
    progress_done: int = 0
    progress_total: int = 0
    _file_key: str = ""

    def _on_refused(self) -> None:
        super()._on_refused()
        self._reset_result()

    def _reset_result(self) -> None:
        if self._file_key:
            csv_import.discard(self._file_key)
        self._file_key = ""
        self.phase, self.file_name, self.file_error, self.file_detail = "", "", "", ""
        self.rows = self.created = self.updated = self.error_count = 0
        self.errors = []
        self.progress_done = self.progress_total = 0

    def _set_kind(self, kind: str) -> None:
        self.kind = kind if kind in csv_import.IMPORT_KINDS else "clients"
        self.columns = import_columns(self.kind)

    @staff_event(OFFICE_WORK)
    async def load_import(self):
        await self._load_shell()
        if self.phase not in ("checking", "committing"):
            self._reset_result()
        self._set_kind(str(self.router.url.query_parameters.get("kind", self.kind)))

    @staff_event(OFFICE_WORK)
    def choose_kind(self, kind: str):
        if self.phase in ("checking", "committing"):
            return
        self._reset_result()
        self._set_kind(str(kind))

    @staff_event(OFFICE_WORK)
    async def upload_file(self, files: list[rx.UploadFile]):
        """Read the file (at most one byte past the limit), keep it privately and start
        the dry run."""
        if self.phase in ("checking", "committing"):
            return
        self._reset_result()
        chosen = list(files or [])[:1]
        if not chosen:
            self.file_error = "import.file.none"
            return
        data = await asyncio.to_thread(chosen[0].file.read, csv_import.MAX_BYTES + 1)
        self.file_name = (chosen[0].name or "file.csv").replace("\\", "/").rsplit("/", 1)[-1][:120]
        if len(data) > csv_import.MAX_BYTES:
            self.file_error, self.file_detail = "import.file.too_large", str(csv_import.MAX_BYTES // (1024 * 1024))
            return
        self._file_key = await asyncio.to_thread(csv_import.stash, data)
        self.phase = "checking"
        return [rx.clear_selected_files("import-file"), ImportState.run_import(False)]

    def _can_commit(self) -> bool:
        return (
            self.phase == "checked"
            and not self.error_count
            and bool(self._file_key)
            and (not self.file_error or self.file_error in RETRY_KEYS)
        )

    @staff_event(OFFICE_WORK)
    def commit_import(self):
        if not self._can_commit():
            return
        self.phase, self.file_error = "committing", ""
        return ImportState.run_import(True)

    @staff_event(OFFICE_WORK)
    def start_over(self):
        if self.phase in ("checking", "committing"):
            return
        self._reset_result()

    @staff_event(OFFICE_WORK, background=True)
    async def run_import(self, commit: bool):
        """The dry run (commit=False) or the commit of the kept file, off the event
        loop, with the progress bar kept current meanwhile."""
        v = viewer()
        async with self:
            expected = "committing" if commit is True else "checking"
            if self.phase != expected or not self._file_key:
                return
            key, kind, lang = self._file_key, self.kind, normalise_language(self.lang)
        progress = {"done": 0, "total": 0}

        def report(done: int, total: int) -> None:
            progress["done"], progress["total"] = done, total

        task = asyncio.create_task(
            asyncio.to_thread(csv_import.run_stashed, v, key, kind, commit=commit is True, progress=report)
        )
        while not task.done():
            await asyncio.wait({task}, timeout=PROGRESS_POLL_S)
            async with self:
                self.progress_done, self.progress_total = progress["done"], progress["total"]
        try:
            result = task.result()
        except Exception:  # noqa: BLE001 - whatever went wrong, the tab must not stay stuck
            log.exception("CSV import of %s failed", kind)
            result = csv_import.ImportResult(kind, file_error="failed")
        async with self:
            if self._file_key != key:  # started over meanwhile
                return
            self._show(result, lang, commit is True)
            if result is not None and result.committed:
                csv_import.discard(key)
                self._file_key = ""

    def _show(self, result: csv_import.ImportResult | None, lang: str, commit: bool = False) -> None:
        if result is None:
            self.phase, self.file_error = "", "import.file.gone"
            return
        if f"import.file.{result.file_error}" in RETRY_KEYS:
            # Nothing was written: back to where the user can try again. A failed commit
            # keeps its dry run (Commit again); a failed check wants the file again.
            if commit:
                self.phase = "checked"
            else:
                self._reset_result()
            self.file_error = f"import.file.{result.file_error}"
            return
        self.rows, self.created, self.updated = result.rows, result.created, result.updated
        self.error_count = len(result.errors)
        self.file_error = f"import.file.{result.file_error}" if result.file_error else ""
        self.file_detail = result.file_detail
        self.errors = import_errors(result, lang, SHOWN_ERRORS)
        self.progress_done = self.progress_total = result.rows
        self.phase = "done" if result.committed else "checked"
