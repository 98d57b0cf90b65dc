"""Constructed assessments for the alert scenarios (the tracker and node are built elsewhere)."""

import math

import numpy as np

from trilink.alert.decide import AlertDecision, AlertState, TrackInput, decide, initial_state
from trilink.alert.policy import AlertPolicy
from trilink.geo.ellipse import ellipse_from_covariance
from trilink.geo.geodesy import WGS84_GEOD
from trilink.model.assessment import Assessment, ImpactEstimate, LaunchEstimate, MissileClass, Phase

LAUNCH_TIME = 1_700_000_000.0


def ground_track(launch: tuple[float, float], impact: tuple[float, float], flight_time: float,
                 apogee: float, points: int = 200) -> np.ndarray:
    """(K, 4) [t, lat, lon, height] along the geodesic, parabolic height; degrees in, radians out."""
    lonlat = WGS84_GEOD.npts(launch[1], launch[0], impact[1], impact[0], points - 2,
                             initial_idx=0, terminus_idx=0)
    lon, lat = np.array(lonlat).T
    s = np.linspace(0.0, 1.0, len(lat))
    return np.column_stack([LAUNCH_TIME + s * flight_time, np.radians(lat), np.radians(lon),
                            4.0 * apogee * s * (1.0 - s)])


def assessment(now: float, launch: tuple[float, float], impact: tuple[float, float], flight_time: float,
               apogee: float, sigma_km: tuple[float, float], missile: MissileClass = MissileClass.IRBM,
               track_id: str = "T1") -> Assessment:
    """An assessment at ``now`` with a Gaussian impact ellipse (1σ east/north along, across the track)."""
    track = ground_track(launch, impact, flight_time, apogee)
    ahead = track[track[:, 0] >= now]
    az = math.radians(WGS84_GEOD.inv(launch[1], launch[0], impact[1], impact[0])[0])
    along, across = sigma_km[0] * 1000.0, sigma_km[1] * 1000.0
    rot = np.array([[math.sin(az), math.cos(az)], [math.cos(az), -math.sin(az)]])  # along/across → e/n
    cov = rot @ np.diag([along**2, across**2]) @ rot.T
    ellipse = ellipse_from_covariance(cov)
    impact_estimate = ImpactEstimate(time=LAUNCH_TIME + flight_time, sigma_time=5.0,
                                     lat=math.radians(impact[0]), lon=math.radians(impact[1]),
                                     ellipse=ellipse)
    launch_estimate = LaunchEstimate(time=LAUNCH_TIME, sigma_time=2.0, lat=math.radians(launch[0]),
                                     lon=math.radians(launch[1]), ellipse=ellipse_from_covariance(
                                         np.diag([4e6, 4e6])))
    return Assessment(track_id=track_id, time=now, phase=Phase.MIDCOURSE, launch=launch_estimate,
                      impact=impact_estimate, apogee=apogee, ground_range=None,
                      time_to_impact=LAUNCH_TIME + flight_time - now,
                      ground_track=ahead if len(ahead) else track[-1:], missile_class=missile,
                      class_reason="constructed")


def track_input(a: Assessment, n_updates: int = 20, first_time: float = LAUNCH_TIME + 20.0) -> TrackInput:
    """Wrap an assessment as a picture track."""
    return TrackInput(track_id=a.track_id, assessment=a, n_updates=n_updates, first_time=first_time)


SUNAN = (39.2002, 125.6733)
IRBM_IMPACT = (41.2, 157.0)
"""Hwasong-12 over Hokkaido, 2017-08-29 style: about 1,180 km east of Cape Erimo."""
IRBM_FLIGHT_S = 840.0
ICBM_IMPACT = (41.51, 137.10)
"""Lofted ICBM, ~200 km west of Oshima-Oshima."""
ICBM_FLIGHT_S = 4000.0


def run_alerts(nation: str, steps: list[tuple[float, list[TrackInput]]], policy: AlertPolicy | None = None,
               *, exercise: bool = True) -> tuple[AlertState, list[AlertDecision]]:
    """Feed the picture at each time to ``decide``; return the final state and every decision."""
    policy = policy or AlertPolicy()
    state = initial_state(nation, exercise=exercise)
    issued: list[AlertDecision] = []
    for now, tracks in steps:
        state, decisions = decide(state, tracks, now, policy)
        issued.extend(decisions)
    return state, issued


def irbm_steps(sigma_scale: float = 1.0, first_track_s: float = 40.0, step_s: float = 10.0,
               impact: tuple[float, float] = IRBM_IMPACT) -> list[tuple[float, list[TrackInput]]]:
    """IRBM over Hokkaido: picture updates from first track to well after impact; the ellipse tightens."""
    steps = []
    for t in np.arange(LAUNCH_TIME + first_track_s, LAUNCH_TIME + IRBM_FLIGHT_S + 300.0, step_s):
        if t < LAUNCH_TIME + IRBM_FLIGHT_S:
            age = t - LAUNCH_TIME
            along = sigma_scale * max(8.0, 400.0 * math.exp(-age / 120.0))
            a = assessment(t, SUNAN, impact, IRBM_FLIGHT_S, 550e3, (along, along / 3.0))
            steps.append((t, [track_input(a, n_updates=int(age - first_track_s) + 1,
                                          first_time=LAUNCH_TIME + first_track_s)]))
        else:
            steps.append((t, []))
    return steps
