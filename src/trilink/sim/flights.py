"""Flying a scenario's launches with ``trilink.physics``: the warhead and its spent stages.

The warhead object carries the whole missile while the engine burns (the booster's
cross-section and plume), then the re-entry vehicle's cross-section; each spent
stage becomes its own object from separation with its own cross-section.
"""

import math

from trilink.physics.catalogue import UnknownMissileError, get_missile
from trilink.physics.solve import FlightError, solve_flight
from trilink.sim.objects import SimObject
from trilink.sim.scenario import LaunchSpec


class FlightProblemError(ValueError):
    """A launch cannot be flown; ``field`` names the scenario key to blame (or None)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def fly_launch(launch: LaunchSpec, launch_time: float) -> list[SimObject]:
    """Fly one launch at ``launch_time`` (epoch s); the warhead first, then the spent stages."""
    try:
        missile = get_missile(launch.missile)
    except UnknownMissileError as exc:
        raise FlightProblemError("missile", str(exc)) from None
    if launch.pull_up and not missile.pull_up:
        raise FlightProblemError("pull_up", f"{missile.name} cannot fly a pull-up manoeuvre")
    kwargs: dict[str, object] = {}
    if launch.aim is not None:
        kwargs["aim"] = (math.radians(launch.aim[0]), math.radians(launch.aim[1]))
    else:
        kwargs["azimuth"] = math.radians(launch.azimuth_deg or 0.0)
        kwargs["ground_range"] = (launch.range_km or 0.0) * 1e3
    if launch.apogee_km is not None:
        kwargs["apogee"] = launch.apogee_km * 1e3
    elif launch.profile is not None:
        kwargs["profile"] = launch.profile
    try:
        flight = solve_flight(
            math.radians(launch.site[0]), math.radians(launch.site[1]), missile=missile.key,
            launch_time=launch_time,
            site_height=launch.site[2] if len(launch.site) == 3 else 0.0,
            pull_up=launch.pull_up, **kwargs)
    except FlightError as exc:
        field = "apogee_km" if launch.apogee_km is not None else (
            "aim" if launch.aim is not None else "range_km")
        raise FlightProblemError(field, f"impossible trajectory: {exc}") from None
    objects = [SimObject(id=launch.id, launch_id=launch.id, kind="warhead",
                         trajectory=flight.trajectory, missile=missile.key,
                         rcs_m2=missile.rv_rcs, boost_rcs_m2=missile.booster_rcs)]
    if launch.stages:
        for n, stage_trajectory in enumerate(flight.separated, start=1):
            spec = missile.stages[min(n - 1, len(missile.stages) - 1)]
            objects.append(SimObject(id=f"{launch.id}/stage{n}", launch_id=launch.id, kind="stage",
                                     trajectory=stage_trajectory, missile=missile.key,
                                     rcs_m2=spec.spent_rcs, boost_rcs_m2=spec.spent_rcs))
    return objects
