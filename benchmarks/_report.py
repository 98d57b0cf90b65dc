"""Shared output of the benchmarks: the closing ``figure:`` lines and their docs/performance.md section."""

import platform
import re
from datetime import UTC, datetime
from pathlib import Path

PERFORMANCE_DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def figure(name: str, value: float) -> None:
    """Print one headline figure in the exact form the issues ask for."""
    print(f"figure: {name} = {value:.6g}")


def write_section(benchmark: str, markdown: str) -> None:
    """Replace (or append) this benchmark's section of docs/performance.md.

    The section lies between ``<!-- <benchmark>:start -->`` and ``<!-- <benchmark>:end -->``.
    """
    stamp = (f"_Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
             f"Python {platform.python_version()}, by `python benchmarks/{benchmark}.py`._\n\n")
    block = f"<!-- {benchmark}:start -->\n{stamp}{markdown.strip()}\n<!-- {benchmark}:end -->"
    text = PERFORMANCE_DOC.read_text(encoding="utf-8") if PERFORMANCE_DOC.exists() else (
        "# Performance\n\nEach section is written by the benchmark named in it.\n")
    pattern = re.compile(rf"<!-- {re.escape(benchmark)}:start -->.*?<!-- {re.escape(benchmark)}:end -->",
                         re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    PERFORMANCE_DOC.write_text(text, encoding="utf-8")
