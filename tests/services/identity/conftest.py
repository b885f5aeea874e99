"""The unit of work as the app runs it, for identity's services: commit, then the
after-commit effects; and the mails those effects send, captured instead of queued."""

from __future__ import annotations

import pytest

from pool_portal.services.core import uow
from pool_portal.services.identity import outgoing


@pytest.fixture
def outbox(monkeypatch) -> list[outgoing.Outgoing]:
    """The mails sent after a commit (``outgoing.send``), in order."""
    sent: list[outgoing.Outgoing] = []
    monkeypatch.setattr(outgoing, "send", sent.extend)
    return sent


@pytest.fixture
def commit():
    """``commit(db)``: what ``db.session_scope`` does at the end of a unit of work."""

    def run(db) -> None:
        db.commit()
        uow.committed(db)

    return run
