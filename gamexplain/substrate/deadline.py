"""One clock per query: the deadline every long-running step of an algorithm reads.

A query that takes ``time_limit`` opens a scope (:func:`limit`) holding the instant, on
the monotonic clock, at which its time runs out. Every step that can take long — compiling
a ReLU network to pieces, the MILP certification, variable elimination, CP-SAT, the
frontier and hitting-set loops — calls :func:`check`, which raises :class:`OutOfTime`
once the instant has passed; the query catches it and returns what it has, marked
``status="time_limit"``. The instant lives in a context variable, so the per-feature
primitives need no extra argument and their caches never see it: a computation cut by
:class:`OutOfTime` raises instead of returning, so nothing partial is ever cached.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar

__all__ = ["OutOfTime", "check", "expired", "limit", "limit_at", "remaining"]

_INSTANT: ContextVar[float | None] = ContextVar("gamexplain_deadline", default=None)


class OutOfTime(Exception):
    """The current deadline passed; raised by :func:`check`, caught by the query.

    Deliberately not a :class:`~gamexplain.errors.GamExplainError`: it never leaves a
    public function.
    """


@contextmanager
def limit_at(instant: float | None) -> Iterator[None]:
    """Run the block with the deadline ``instant`` (``time.monotonic()`` seconds).

    A scope inside another keeps the earlier of the two instants; None adds no limit.
    """
    outer = _INSTANT.get()
    if instant is None:
        yield
        return
    token = _INSTANT.set(instant if outer is None else min(outer, instant))
    try:
        yield
    finally:
        _INSTANT.reset(token)


def limit(seconds: float | None) -> AbstractContextManager[None]:
    """:func:`limit_at` ``seconds`` from now (None: no limit)."""
    return limit_at(None if seconds is None else time.monotonic() + seconds)


def remaining() -> float | None:
    """Seconds left before the current deadline (never negative), None when unlimited."""
    instant = _INSTANT.get()
    return None if instant is None else max(0.0, instant - time.monotonic())


def expired() -> bool:
    """Whether the current deadline has passed."""
    instant = _INSTANT.get()
    return instant is not None and time.monotonic() > instant


def check() -> None:
    """Raise :class:`OutOfTime` when the current deadline has passed."""
    if expired():
        raise OutOfTime
