"""Whatever a SourceTrack holds, the fusion refuses it with a reason or uses it; it never raises."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fusion.builders import T0, diag_cov, midcourse_state
from trilink.fusion import FusionConfig, ImpactPoint, PictureState, SourceStatus, SourceTrack, update
from trilink.model import MissileClass, Phase

_GOOD = midcourse_state()
_weird = st.one_of(st.none(), st.text(max_size=5), st.integers(),
                   st.floats(allow_nan=True, allow_infinity=True), st.lists(st.floats(), max_size=7),
                   st.just(np.zeros((2, 2))), st.just(object()),
                   st.just(["a"] * 6), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))


def _maybe(good: object) -> st.SearchStrategy:
    return st.one_of(st.just(good), _weird)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nation=_maybe("KOR"), track_id=_maybe("K1"), time=_maybe(T0), state=_maybe(_GOOD),
       cov=_maybe(diag_cov(100.0, 5.0)), status=_maybe(SourceStatus.ACTIVE), provenance=_maybe(frozenset()),
       impact=_maybe(ImpactPoint(0.7, 2.4, np.eye(2) * 1e6)), phase=_maybe(Phase.MIDCOURSE),
       cls=_maybe(MissileClass.IRBM), first=_maybe(None))
def test_any_field_of_any_type_is_refused_or_used(nation: object, track_id: object, time: object,
                                                   state: object, cov: object, status: object,
                                                   provenance: object, impact: object, phase: object,
                                                   cls: object, first: object) -> None:
    src = SourceTrack(nation, track_id, time, state, cov, status, provenance, impact, phase, cls,  # type: ignore[arg-type]
                      first)
    good = SourceTrack("USA", "U1", T0, _GOOD, diag_cov(100.0, 5.0))
    _, picture = update(PictureState(nation="JPN"), [src, good], T0, FusionConfig(nation="JPN"))
    assert picture.containing("USA", "U1") is not None
    assert len(picture.rejected) + sum(len(t.sources) for t in picture.tracks) == 2
    for rejection in picture.rejected:
        assert rejection.reason and "\n" not in rejection.reason
