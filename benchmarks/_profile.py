"""Run a benchmark process's coroutine on the shell's event loop, optionally under cProfile.

Set ``TRILINK_BENCH_PROFILE=DIR`` to get ``DIR/<name>.prof`` per process (read with
``python -m pstats``); unset, the coroutine just runs.
"""

import cProfile
import os
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from trilink.net.loop import run

PROFILE_ENV = "TRILINK_BENCH_PROFILE"
T = TypeVar("T")


def profiled(name: str, coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on the shell's loop; under cProfile into $TRILINK_BENCH_PROFILE/<name>.prof if set."""
    out = os.environ.get(PROFILE_ENV)
    if not out:
        return run(coro)
    profile = cProfile.Profile()
    profile.enable()
    try:
        return run(coro)
    finally:
        profile.disable()
        profile.dump_stats(Path(out) / f"{name}.prof")
