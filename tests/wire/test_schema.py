"""The committed JSON Schema in docs/wire/ is what the types generate (a stale schema fails here)."""

import json
from pathlib import Path

from trilink.wire.schema import SCHEMA_TYPES, schema_documents, stale_schemas

DOCS = Path(__file__).resolve().parents[2] / "docs" / "wire"


def test_committed_schema_is_up_to_date() -> None:
    assert stale_schemas(DOCS) == [], "docs/wire is stale: run `trilink wire schema`"


def test_schema_documents_every_type_with_units(tmp_path: Path) -> None:
    documents = schema_documents()
    assert set(documents) == {f"{name}.json" for name in SCHEMA_TYPES}
    report = json.loads(documents["track_report.json"])
    assert "TrackReport" in report["$defs"]
    fields = report["$defs"]["TrackReport"]["properties"]
    assert fields["releasable_to"]["maxItems"] == 32
    # contributing sensor KINDS only: no field anywhere names a sensor identity or site
    names = {name for document in documents.values() for definition in json.loads(document)["$defs"].values()
             for name in definition.get("properties", {})}
    assert {n for n in names if "sensor" in n or "site" in n} == {"sensor_kinds"}
    (tmp_path / "heartbeat.json").write_text("{}\n")
    assert "heartbeat.json" in stale_schemas(tmp_path)
