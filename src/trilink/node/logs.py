"""Structured logging for the node: ``key=value`` lines for people, one JSON object per line with --log-json.

The standard library's logging does the routing; this module only formats the
``extra={"fields": {...}}`` of each record, so call sites stay plain ``log.info``.
"""

import logging
import sys
import time

import msgspec

_json = msgspec.json.Encoder()


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"ts": round(record.created, 6), "level": record.levelname.lower(), "logger": record.name,
                "msg": record.getMessage(), **getattr(record, "fields", {})}
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return _json.encode(line).decode()


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%H:%M:%S", time.gmtime(record.created))
        fields = " ".join(f"{k}={v}" for k, v in getattr(record, "fields", {}).items())
        return f"{stamp} {record.levelname.lower():7s} {record.name}: {record.getMessage()} {fields}".rstrip()


def setup_logging(*, json_lines: bool, level: str = "INFO") -> None:
    """Send the ``trilink`` loggers to stderr, as JSON lines or as text."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonFormatter() if json_lines else _TextFormatter())
    root = logging.getLogger("trilink")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


def fields(**values: object) -> dict[str, dict[str, object]]:
    """``log.info("msg", extra=fields(track="T1"))``: structured fields of one line."""
    return {"fields": values}
