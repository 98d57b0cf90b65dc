"""Encode → decode is lossless for every wire type, over the whole value space (acceptance check 1)."""

import math

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import trilink_full
from tests.wire.corpus import typical_assessment, typical_report, typical_track
from tests.wire.strategies import strategy
from trilink.wire import (
    AlertNotice,
    Envelope,
    Heartbeat,
    TrackReport,
    assessment_from_report,
    decode,
    encode,
    from_json,
    kind_of,
    to_json,
    track_from_report,
)
from trilink.wire.convert import covariance_matrices, covariance_matrix

TYPES = [TrackReport, AlertNotice, Heartbeat, Envelope]
SETTINGS = settings(max_examples=1000 if trilink_full() else 150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("typ", TYPES, ids=lambda t: t.__name__)
@SETTINGS
@given(data=st.data())
def test_msgpack_round_trip_is_lossless(typ: type, data: st.DataObject) -> None:
    value = data.draw(strategy(typ))
    wire = msgspec.msgpack.encode(value)
    assert msgspec.msgpack.decode(wire, type=typ) == value
    if typ is not Envelope:
        assert decode(kind_of(value).value, encode(value)) == value


@pytest.mark.parametrize("typ", TYPES, ids=lambda t: t.__name__)
@SETTINGS
@given(data=st.data())
def test_msgpack_round_trip_keeps_nan_bit_exact(typ: type, data: st.DataObject) -> None:
    value = data.draw(strategy(typ, nan=True))
    wire = msgspec.msgpack.encode(value)
    assert msgspec.msgpack.encode(msgspec.msgpack.decode(wire, type=typ)) == wire


@pytest.mark.parametrize("typ", TYPES, ids=lambda t: t.__name__)
@SETTINGS
@given(data=st.data())
def test_json_round_trip_is_lossless_for_finite_numbers(typ: type, data: st.DataObject) -> None:
    value = data.draw(strategy(typ, finite=True))
    assert from_json(to_json(value), typ) == value
    assert from_json(to_json(value, indent=2), typ) == value


def test_older_node_ignores_a_field_it_does_not_know() -> None:
    """Forward compatibility: a newer sender's extra field decodes on an older node."""
    extended = {**msgspec.to_builtins(typical_report()), "new_field_from_v1_1": [1, 2, 3]}
    assert decode("track", msgspec.msgpack.encode(extended)) == typical_report()


def test_model_conversion_round_trip() -> None:
    report = typical_report()
    track, assessment = track_from_report(report), assessment_from_report(report)
    source, source_assessment = typical_track(), typical_assessment()
    assert track.track_id == source.track_id and track.nation == "KOR"
    assert (track.state == source.state).all()
    assert abs(track.covariance - 0.5 * (source.covariance + source.covariance.T)).max() == 0.0
    assert track.sensor_kinds == source.sensor_kinds and track.n_updates == source.n_updates
    for got, want in ((assessment.launch, source_assessment.launch),
                      (assessment.impact, source_assessment.impact)):
        assert math.isclose(got.lat, want.lat, abs_tol=1e-12)
        assert math.isclose(got.lon, want.lon, abs_tol=1e-12)
        assert got.time == want.time and got.sigma_time == want.sigma_time
        assert math.isclose(got.ellipse.semi_major, want.ellipse.semi_major, rel_tol=1e-3)
        assert math.isclose(got.ellipse.semi_minor, want.ellipse.semi_minor, rel_tol=1e-3)
        assert math.isclose(got.ellipse.orientation, want.ellipse.orientation, abs_tol=1e-6)
    assert assessment.missile_class == source_assessment.missile_class
    assert assessment.apogee == source_assessment.apogee


def test_covariance_matrices_match_one_by_one() -> None:
    uppers = [typical_report().state.cov, tuple(float(k) - 10.0 for k in range(21))]
    batch = covariance_matrices(uppers)
    assert batch.shape == (2, 6, 6) and covariance_matrices([]).shape == (0, 6, 6)
    for got, upper in zip(batch, uppers, strict=True):
        assert (got == covariance_matrix(upper)).all()
