"""A received report becomes exactly the fusion source the generic conversion gives (report → Track and
Assessment → source), only without the objects fusion does not use."""

import numpy as np

from tests.wire.corpus import typical_report
from trilink.fusion.source import SourceStatus
from trilink.node.reports import source_from_report, source_from_track, sources_from_reports
from trilink.wire.convert import assessment_from_report, track_from_report
from trilink.wire.messages import ReportStatus, replace


def test_direct_conversion_matches_the_generic_one() -> None:
    lost = replace(typical_report(), impact=None, launch=None, status=ReportStatus.LOST)
    for report in (typical_report(), lost):
        direct = source_from_report(report, frozenset({("USA", "U1")}))
        generic = source_from_track(track_from_report(report), assessment_from_report(report))
        assert direct.key == generic.key and direct.time == generic.time
        np.testing.assert_array_equal(direct.state, generic.state)
        np.testing.assert_array_equal(direct.covariance, generic.covariance)
        assert (direct.phase, direct.missile_class, direct.first_time) == (
            generic.phase, generic.missile_class, generic.first_time)
        assert direct.provenance == {("USA", "U1"), direct.key}
        if report.impact is None:
            assert direct.impact is None and direct.status is SourceStatus.LOST
        else:
            assert direct.status is SourceStatus.ACTIVE
            assert (direct.impact.lat, direct.impact.lon, direct.impact.time) == (
                generic.impact.lat, generic.impact.lon, generic.impact.time)
            np.testing.assert_allclose(direct.impact.covariance_en, generic.impact.covariance_en, rtol=1e-12)


def test_batch_conversion_matches_one_by_one() -> None:
    lost = replace(typical_report(), impact=None, launch=None, status=ReportStatus.LOST, track_id="KOR-2")
    reports = [typical_report(), lost]
    for batched, report in zip(sources_from_reports(reports), reports, strict=True):
        single = source_from_report(report)
        assert (batched.key, batched.time, batched.status, batched.provenance, batched.phase,
                batched.missile_class, batched.first_time) == (
            single.key, single.time, single.status, single.provenance, single.phase, single.missile_class,
            single.first_time)
        np.testing.assert_array_equal(batched.state, single.state)
        np.testing.assert_array_equal(batched.covariance, single.covariance)
        assert (batched.impact is None) == (single.impact is None)
        if single.impact is not None:
            np.testing.assert_array_equal(batched.impact.covariance_en, single.impact.covariance_en)
    assert sources_from_reports([]) == []
