"""The demo summary's documented shape (docs/demo.md) and its timing and error bookkeeping."""

import numpy as np

from trilink.geo.frames import geodetic_to_ecef
from trilink.node.summary import MissileTruth, Snapshot, SummaryRecorder

T0 = 1.7e9


class StraightUp:
    """A stand-in trajectory: rises 1 km/s above (40 N, 130 E) from T0 to T0 + 300 s."""

    launch_time, burnout_time, impact_time = T0, T0 + 60.0, T0 + 300.0

    def state_at(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        return geodetic_to_ecef(np.radians(40.0), np.radians(130.0), 1000.0 * (t - T0)), np.zeros(3)


def test_summary_shape_and_times() -> None:
    truth = MissileTruth("M1", T0, T0 + 300.0, np.radians(41.0), np.radians(131.0), StraightUp())
    rec = SummaryRecorder("test", True, [truth], ["JPN", "KOR"])
    for k in range(0, 200, 10):
        t = T0 + k
        here = truth.trajectory.state_at(t)[0]
        lon = np.radians(131.0)
        kor = [Snapshot("K1", here, np.radians(41.01), lon, (2.0, 1.0), ("KOR",))] if k >= 20 else []
        jpn_own = [Snapshot("J1", here, np.radians(41.1), lon, (5.0, 2.0), ("JPN",))] if k >= 90 else []
        jpn_fused = [Snapshot("F1", here, np.radians(41.02), np.radians(131.0), (1.5, 1.0),
                              ("JPN", "KOR") if k >= 90 else ("KOR",))] if k >= 30 else []
        rec.observe("KOR", t, kor, kor)
        rec.observe("JPN", t, jpn_own, jpn_fused)
        far = [Snapshot("X", here + 100e3, None, None, None, ("JPN",))]     # 100 km away: not this missile
        rec.observe("JPN", t, far, far)
    summary = rec.result()
    assert set(summary) == {"scenario", "sharing", "missiles"}
    missile = summary["missiles"][0]
    assert missile["id"] == "M1" and set(missile["truth"]) == {"launch_time", "impact_time", "impact"}
    jpn = missile["nodes"]["JPN"]
    for key in ("first_track_s", "first_picture_s", "final_prediction", "prediction_error_km",
                "impact_zone", "overflight", "alerts"):
        assert key in jpn
    assert jpn["first_track_s"] == 90.0 and jpn["first_picture_s"] == 30.0 and jpn["first_report_s"] == 30.0
    assert set(jpn["impact_zone"]) == {"country", "territorial_sea_of", "eez_of"}
    assert jpn["overflight"] == [] and jpn["alerts"] == []
    final = jpn["final_prediction"]
    assert final["at_s"] == 190.0 and abs(final["error_km"] - 2.2) < 0.1
    assert final["ellipse95_km"] == [1.5, 1.0]
    assert jpn["prediction_error_km"][0][0] == 30.0
    assert jpn["burnout60_error_km"]["own"] is not None and jpn["burnout60_error_km"]["fused"] < 3.0
    assert missile["nodes"]["KOR"]["first_track_s"] == 20.0
