"""Waiting for the password throttle (``services/identity/throttle.py``) off the event
loop: an attempt on an account that another attempt is checking right now (on this
worker or another) waits for it, then gets the answer the throttle gives after it, so
parallel tries are checked one by one, each after the back-off of the one before."""

from __future__ import annotations

import asyncio
import time

from pool_portal.db import in_unit_of_work
from pool_portal.services.identity import throttle

WAIT_S = 15.0  # a checked password takes well under a second; then the attempt is refused
POLL_S = 0.05


async def enter(kind: str, email: str, ip: str | None) -> throttle.Gate:
    """``OPEN`` (the caller must ``finish`` or ``release`` it) or ``THROTTLED``; each
    step its own committed unit of work, so the account is held across workers."""
    deadline = time.monotonic() + WAIT_S
    while True:
        give_up = time.monotonic() >= deadline
        gate = await asyncio.to_thread(in_unit_of_work, throttle.enter, kind, email, ip, give_up=give_up)
        if gate.outcome != throttle.BUSY:
            return gate
        await asyncio.sleep(POLL_S)


async def release(gate: throttle.Gate) -> None:
    """Give the gate back when no result was recorded (the check failed to run)."""
    await asyncio.to_thread(in_unit_of_work, throttle.release, gate)
