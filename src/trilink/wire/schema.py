"""JSON Schema of the wire types, generated from the msgspec Structs into docs/wire/*.json.

``trilink wire schema`` rewrites the files; tests/wire/test_schema.py fails when
the committed files differ from what the types generate (a stale schema). Descriptions
are normalised with ``inspect.cleandoc``: msgspec 0.23 began dedenting docstrings and
0.22 did not, and the committed schema must not depend on which one is installed.
"""

import inspect
import json
from pathlib import Path
from typing import Any

import msgspec

from trilink.wire.messages import SCHEMA_VERSION, AlertNotice, Envelope, Heartbeat, ReportBatch, TrackReport

SCHEMA_TYPES: dict[str, type] = {
    "envelope": Envelope, "track_report": TrackReport, "alert_notice": AlertNotice, "heartbeat": Heartbeat,
    "report_batch": ReportBatch}


def _clean(node: Any) -> Any:
    """``node`` with every "description" string dedented (``inspect.cleandoc``)."""
    if isinstance(node, dict):
        return {k: inspect.cleandoc(v) if k == "description" and isinstance(v, str) else _clean(v)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return node


def schema_documents() -> dict[str, str]:
    """File name → JSON Schema text (sorted keys, 2-space indent, trailing newline) of every wire type."""
    documents = {}
    for name, typ in SCHEMA_TYPES.items():
        schema = _clean(msgspec.json.schema(typ))
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                  "title": f"trilink wire {name} (schema version {SCHEMA_VERSION})", **schema}
        documents[f"{name}.json"] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return documents


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema document into ``directory``; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_documents().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(directory: Path) -> list[str]:
    """Names of schema files in ``directory`` that are missing or differ from the types."""
    stale = []
    for name, text in schema_documents().items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale
