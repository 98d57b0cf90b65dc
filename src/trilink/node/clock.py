"""The node's clocks: wall-clock live time, or scenario time that runs N times faster or as fast as possible.

Only the shell reads clocks; the core takes ``now`` as an argument. A ``SimClock``
maps wall time to scenario time at a speed-up factor, or (``speed=None``, the
demo's ``--speed max``) is advanced explicitly by a driver that waits for the
nodes and the network to keep up.
"""

import asyncio
import time


class WallClock:
    """UTC epoch seconds from the system clock (live operation)."""

    def now(self) -> float:
        """Current UTC epoch seconds."""
        return time.time()

    async def sleep_until(self, t: float) -> None:
        """Sleep until the clock reads ``t``."""
        await asyncio.sleep(max(0.0, t - self.now()))


class SimClock:
    """Scenario time: ``start`` at creation, running ``speed`` times wall time, or stepped (speed None)."""

    def __init__(self, start: float, speed: float | None = 1.0) -> None:
        if speed is not None and not speed > 0.0:
            raise ValueError(f"speed must be > 0 (got {speed})")
        self.speed = speed
        self._start = start
        self._wall0 = time.monotonic()
        self._manual = start

    def now(self) -> float:
        """Current scenario time (UTC epoch seconds of the scenario)."""
        if self.speed is None:
            return self._manual
        return self._start + (time.monotonic() - self._wall0) * self.speed

    def advance_to(self, t: float) -> None:
        """Step a manual clock forward to ``t`` (never backwards)."""
        if self.speed is not None:
            raise RuntimeError("advance_to is only for a stepped clock (speed=None)")
        self._manual = max(self._manual, t)

    def rebase(self, t: float) -> None:
        """Make the clock read ``t`` now (after a pause, so waiting does not count as scenario time)."""
        self._start, self._wall0, self._manual = t, time.monotonic(), t

    async def sleep_until(self, t: float) -> None:
        """Wait until scenario time ``t`` (returns at once for a stepped clock)."""
        if self.speed is None:
            return
        await asyncio.sleep(max(0.0, (t - self.now()) / self.speed))
