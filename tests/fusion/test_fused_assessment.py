"""The fused track assessed by the tracker's own assessment (launch, impact ellipse, time to impact)."""

import numpy as np
import pytest

from tests.fusion.builders import T0, diag_cov, midcourse_state, source
from trilink.fusion import FusionConfig, FusionEngine
from trilink.fusion.predict import physics_propagator
from trilink.geo.geodesy import geodesic_distance
from trilink.physics.propagate import propagate_to_impact
from trilink.track.assess import assess as track_assess


def test_fused_track_assessment_predicts_the_impact(rng: np.random.Generator) -> None:
    x0 = midcourse_state()
    truth = propagate_to_impact(x0[None], T0)
    eng = FusionEngine(FusionConfig(nation="JPN", assess=track_assess))
    p_kor, p_usa = diag_cov(150.0, 3.0), diag_cov(300.0, 2.0)
    picture = None
    for k in range(3):
        t = T0 + 2.0 * k
        x = physics_propagator(x0[None], np.array([T0]), t)[0]
        picture = eng.update([source("KOR", "K1", x + np.sqrt(np.diag(p_kor)) * rng.normal(size=6), p_kor,
                                     time=t),
                              source("USA", "U1", x + np.sqrt(np.diag(p_usa)) * rng.normal(size=6), p_usa,
                                     time=t)], t)
    assert picture is not None
    (fused,) = picture.tracks
    assessment = fused.assessment
    assert assessment is not None and assessment.impact is not None
    assert assessment.track_id == fused.fused_id
    assert assessment.time_to_impact == pytest.approx(float(truth.times[0]) - picture.time, abs=30.0)
    miss = float(geodesic_distance(assessment.impact.lat, assessment.impact.lon, float(truth.lat[0]),
                                   float(truth.lon[0])))
    assert miss < 4.0 * assessment.impact.ellipse.semi_major + 5e3
    assert fused.history is not None and len(fused.history) == 3
