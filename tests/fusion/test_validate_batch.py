"""validate_sources (covariance tests of many sources in one batch) gives validate_source's verdicts."""

import numpy as np

from tests.fusion.builders import T0, midcourse_state, random_cov
from tests.fusion.test_inputs import P_SHARP, _bad_sources
from trilink.fusion.source import SourceTrack, validate_source, validate_sources


def test_batch_verdicts_equal_one_by_one() -> None:
    rng = np.random.default_rng(5)
    x = midcourse_state()
    good = [SourceTrack("KOR", f"g{i}", T0, x, random_cov(rng)) for i in range(5)]
    cases = [s for s, _ in _bad_sources(x)] + good + [
        SourceTrack("KOR", "int", T0, x, np.eye(6, dtype=int) * 10**4),       # not float64: one by one
        SourceTrack("KOR", "both", float("nan"), x, -P_SHARP), "not a source"]
    batch = validate_sources(cases, T0)
    assert batch == [validate_source(s, T0) for s in cases]
    assert batch[-len(good) - 3:-3] == [None] * len(good) and all(batch[:len(cases) - len(good) - 3])
    assert validate_sources([], T0) == []
