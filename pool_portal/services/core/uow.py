"""The unit of work's effects: what must happen only after a commit (a mail, a file
deleted, a message to other workers) or only after a rollback (a file stored before
the transaction, deleted again).

The one transaction policy of the app:

- Services never commit. They take a session, read and write rows, and register what
  must follow with ``after_commit(db, effect)`` or ``on_rollback(db, effect)``.
- The caller's unit of work (``pool_portal.db.session_scope``; states reach it through
  ``states.shell.call``) commits once at the end. Only when that commit succeeded does
  it run the after-commit effects, in the order registered; when anything failed it
  rolls back, runs the rollback effects and re-raises. A failed transaction sends
  nothing.
- An effect is a plain callable with no arguments. It runs outside the transaction; if
  it must write (say, the time a mail was sent), it opens its own unit of work. An
  effect that raises is logged and never undoes what was committed, nor stops the
  effects after it.
- A long job that saves in batches (an import, bulk invitations) takes a unit-of-work
  factory and opens one unit per batch; it still never calls ``commit`` itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlmodel import Session

log = logging.getLogger(__name__)

Effect = Callable[[], object]
_AFTER_COMMIT = "pool_portal.after_commit"
_ON_ROLLBACK = "pool_portal.on_rollback"


def after_commit(db: Session, effect: Effect) -> None:
    """Run ``effect()`` once the unit of work of ``db`` has committed (never if it fails)."""
    db.info.setdefault(_AFTER_COMMIT, []).append(effect)


def on_rollback(db: Session, effect: Effect) -> None:
    """Run ``effect()`` if the unit of work of ``db`` rolls back (never if it commits)."""
    db.info.setdefault(_ON_ROLLBACK, []).append(effect)


def committed(db: Session) -> None:
    """For the unit of work: its commit succeeded; run the after-commit effects."""
    db.info.pop(_ON_ROLLBACK, None)
    _run(db.info.pop(_AFTER_COMMIT, []))


def rolled_back(db: Session) -> None:
    """For the unit of work: it rolled back; drop the after-commit effects and run the
    rollback ones."""
    db.info.pop(_AFTER_COMMIT, None)
    _run(db.info.pop(_ON_ROLLBACK, []))


def pending(db: Session) -> int:
    """How many after-commit effects wait (for tests)."""
    return len(db.info.get(_AFTER_COMMIT, []))


def _run(effects: list[Effect]) -> None:
    for effect in effects:
        try:
            effect()
        except Exception:  # an effect never undoes the transaction, nor stops the others
            log.exception("effect %r failed", effect)
