"""Time sources and the lazy event scheduler.

Every asynchronous object (MRS command, OCP task, BMS job) is a set of events on one
scheduler. Events fire lazily: each request first runs every event whose due time has
passed, in due-time order, so state is always computed from elapsed time and a speed
factor of 0 still walks objects through their states in order.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone


class Clock:
    """Wall clock in epoch seconds."""

    def now(self) -> float:
        return time.time()


class ManualClock(Clock):
    """Clock that only moves when a test says so."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds


EventAction = Callable[[float], None]


class Scheduler:
    """Min-heap of (due time, insertion order, action); actions receive their due time."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._heap: list[tuple[float, int, EventAction]] = []
        self._order = itertools.count()

    def at(self, due: float, action: EventAction) -> None:
        heapq.heappush(self._heap, (due, next(self._order), action))

    def run_due(self) -> int:
        """Fire every event that is due; events may schedule further (possibly due) events."""
        now = self.clock.now()
        fired = 0
        while self._heap and self._heap[0][0] <= now:
            due, _, action = heapq.heappop(self._heap)
            action(due)
            fired += 1
        return fired

    def pending(self) -> int:
        return len(self._heap)

    def clear(self) -> None:
        self._heap.clear()


def to_datetime(epoch: float, offset_hours: float = 0) -> datetime:
    return datetime.fromtimestamp(epoch, timezone(timedelta(hours=offset_hours)))


def iso_millis(epoch: float, offset_hours: float = 0) -> str:
    """ISO-8601 with milliseconds and numeric offset, e.g. 2021-03-02T10:29:04.849+08:00."""
    return to_datetime(epoch, offset_hours).isoformat(timespec="milliseconds")


def iso_millis_z(epoch: float) -> str:
    """ISO-8601 UTC with milliseconds and Z, e.g. 2019-04-25T20:04:47.591Z (BMS jobs)."""
    return to_datetime(epoch).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def iso_seconds_z(epoch: float) -> str:
    return to_datetime(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_micros_z(epoch: float) -> str:
    return to_datetime(epoch).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
