"""Reading the project's TOML files (networks, scenarios) with errors as ``file:line: message``.

tomllib and msgspec do not report the line of a *semantic* error (an unknown
key, a value out of range), only of a syntax error; ``line_of`` finds the line a
msgspec path such as ``$.launch[1].site`` refers to, so every configuration
error can name its line.
"""

import re
from pathlib import Path
from typing import TypeVar

import msgspec

T = TypeVar("T")

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"']+)\s*=")
_SEGMENT = re.compile(r"\.([A-Za-z0-9_\-]+)|\[(\d+)\]")
_TOML_SYNTAX_LINE = re.compile(r"\(at line (\d+), column \d+\)")


class ConfigError(ValueError):
    """A configuration problem located in a file: ``str()`` is ``file:line: message``."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
        self.message = message


def path_segments(path: str) -> list[str | int]:
    """``$.launch[1].site`` → ``["launch", 1, "site"]``."""
    return [key if key else int(index) for key, index in _SEGMENT.findall(path)]


def line_of(text: str, path: str | list[str | int]) -> int:
    """Best line number (1-based) in TOML ``text`` for the value at a msgspec error path."""
    segments = path_segments(path) if isinstance(path, str) else list(path)
    lines = text.splitlines()
    # Find the table section: the n-th [[a.b]] header, or the [a.b] header.
    table: list[str] = []
    index_seen: dict[str, int] = {}
    best = 1
    start, end = 0, len(lines)
    keys: list[str] = []
    i = 0
    while i < len(segments):
        seg = segments[i]
        if isinstance(seg, str):
            keys.append(seg)
            nxt = segments[i + 1] if i + 1 < len(segments) else None
            name = ".".join([*table, seg])
            if isinstance(nxt, int):
                found = _nth_header(lines, name, nxt, array=True)
                if found is not None:
                    table = [*table, seg]
                    start, end = found, _section_end(lines, found)
                    best = found + 1
                    index_seen[name] = nxt
                    i += 2
                    continue
                # an inline array: the key line inside the current section
                key_line = _key_line(lines, seg, start, end)
                return key_line + 1 if key_line is not None else best
            found = _nth_header(lines, name, 0, array=False)
            if found is not None:
                table = [*table, seg]
                start, end = found, _section_end(lines, found)
                best = found + 1
                i += 1
                continue
            key_line = _key_line(lines, seg, start, end)
            return key_line + 1 if key_line is not None else best
        i += 1
    return best


def _nth_header(lines: list[str], name: str, n: int, *, array: bool) -> int | None:
    count = 0
    for number, line in enumerate(lines):
        match = _HEADER.match(line)
        if not match:
            continue
        is_array = match.group(1) == "[["
        header = match.group(2).replace(" ", "").replace('"', "").replace("'", "")
        if header == name and is_array == array:
            if count == n:
                return number
            count += 1
    return None


def _section_end(lines: list[str], header_line: int) -> int:
    for number in range(header_line + 1, len(lines)):
        if _HEADER.match(lines[number]):
            return number
    return len(lines)


def _key_line(lines: list[str], key: str, start: int, end: int) -> int | None:
    if start == 0:
        end = _section_end(lines, -1) if end == len(lines) else end
        end = min(end, next((k for k, ln in enumerate(lines) if _HEADER.match(ln)), len(lines)))
    for number in range(start, end):
        match = _KEY.match(lines[number])
        if match and match.group(1).strip("\"'") == key:
            return number
    return None


def decode_toml(data: bytes, typ: type[T], source: str) -> T:
    """Decode TOML bytes into ``typ`` (a msgspec Struct); ConfigError with the line on failure."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(source, 1, f"not UTF-8 text ({exc.reason})") from None
    try:
        return msgspec.toml.decode(data, type=typ)
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = re.search(r" - at `(\$[^`]*)`$", message)
        if match or "unknown field" in message:
            path = match.group(1) if match else "$"
            message = message[: match.start()] if match else message
            # "Object contains unknown field `x`" refers to the key itself
            unknown = re.search(r"unknown field `([^`]+)`", message)
            if unknown:
                path = f"{path}.{unknown.group(1)}"
            return _raise(source, line_of(text, path), f"{_pretty_path(path)}: {message}")
        return _raise(source, 1, message)
    except msgspec.DecodeError as exc:
        message = str(exc)
        match = _TOML_SYNTAX_LINE.search(message)
        line = int(match.group(1)) if match else 1
        message = _TOML_SYNTAX_LINE.sub("", message).strip()
        return _raise(source, line, f"TOML syntax error: {message}")


def _pretty_path(path: str) -> str:
    return path.removeprefix("$.").removeprefix("$") or "(top level)"


def _raise(source: str, line: int, message: str) -> T:
    raise ConfigError(source, line, message)


def read_toml(path: Path, typ: type[T]) -> T:
    """Read and decode a TOML file into ``typ``; ConfigError naming the file and line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), 0, f"cannot read file: {exc.strerror}") from None
    return decode_toml(data, typ, str(path))
