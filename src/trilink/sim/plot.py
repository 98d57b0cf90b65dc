"""The coverage map of a simulation run (matplotlib, PNG): who could see what, and who saw what.

Left: the region with coastlines (Natural Earth, see ``coastlines``), each radar's
site and coverage of a reference target (the sensor's own reference cross-section)
at 100 km altitude — horizon, minimum elevation, sector and detection range
together — the objects' ground tracks, and the true positions each nation's
sensors detected. Right: for every sensor, when it detected something (true
detections by nation colour, false alarms in grey), minutes after the first launch.
"""

import math
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from trilink.geo.frames import ecef_to_geodetic, geodetic_to_ecef
from trilink.geo.geodesy import geodesic_direct
from trilink.model.network import SensorConfig
from trilink.sim import radar
from trilink.sim.coastlines import land_outlines
from trilink.sim.geometry import SensorSite
from trilink.sim.run import SimulationResult
from trilink.sim.samples import Samples

COVERAGE_ALTITUDE = 100e3
"""m: the altitude at which coverage outlines are drawn (stated in the legend)."""
_PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")


def nation_colours(nations: list[str]) -> dict[str, str]:
    """A stable colour per nation, in network order."""
    return {code: _PALETTE[i % len(_PALETTE)] for i, code in enumerate(nations)}


def coverage_outline(sensor: SensorConfig, altitude: float = COVERAGE_ALTITUDE,
                     azimuths: int = 121) -> np.ndarray:
    """(N, 2) lon, lat degrees of the area where a reference target at ``altitude`` is seen (Pd ≥ ½)."""
    site = SensorSite.from_degrees(*sensor.site)
    if sensor.boresight_azimuth_deg is None or sensor.sector_half_width_deg >= 180.0:
        az = np.linspace(0.0, 2.0 * np.pi, azimuths)
    else:
        centre, half = math.radians(sensor.boresight_azimuth_deg), math.radians(sensor.sector_half_width_deg)
        az = np.linspace(centre - half, centre + half, azimuths)
    distances = np.linspace(0.0, 4000e3, 401)
    az_grid, d_grid = np.meshgrid(az, distances, indexing="ij")
    lat, lon = geodesic_direct(np.full(az_grid.size, site.lat), np.full(az_grid.size, site.lon),
                               az_grid.ravel(), d_grid.ravel())
    positions = geodetic_to_ecef(lat, lon, altitude)
    n = len(positions)
    samples = Samples(np.zeros(n), positions, np.zeros_like(positions),
                      np.full(n, sensor.reference_rcs_m2), np.zeros(n, bool), np.zeros(n, np.int64))
    mask, _az, _el, rr = radar.covered(sensor, site, samples)
    mask &= radar.detection_probability(sensor, radar.signal_to_noise(sensor, samples.rcs, rr[0])) >= 0.5
    mask = mask.reshape(az_grid.shape)
    reach = np.where(mask.any(axis=1), distances[np.argmax(np.cumsum(mask, axis=1), axis=1)], 0.0)
    far_lat, far_lon = geodesic_direct(np.full(len(az), site.lat), np.full(len(az), site.lon), az, reach)
    outline = np.column_stack([np.degrees(far_lon), np.degrees(far_lat)])
    if sensor.boresight_azimuth_deg is not None and sensor.sector_half_width_deg < 180.0:
        centre_point = [[math.degrees(site.lon), math.degrees(site.lat)]]
        outline = np.vstack([centre_point, outline, centre_point])
    return outline


def _ground_track(positions: np.ndarray) -> np.ndarray:
    lat, lon, _h = ecef_to_geodetic(positions)
    return np.column_stack([np.degrees(lon), np.degrees(lat)])


def coverage_map(result: SimulationResult, path: Path) -> None:
    """Draw the run's coverage map to ``path`` (PNG)."""
    network = result.network
    colours = nation_colours(network.nation_codes())
    radars = [s for s in network.sensor if s.kind == "radar"]
    tracks = {oid: _ground_track(obj.trajectory.positions) for oid, obj in result.objects.items()}
    points = np.vstack([*tracks.values(), *[[s.site[1], s.site[0]] for s in radars]])
    lon_min, lat_min = points.min(axis=0) - 2.0
    lon_max, lat_max = points.max(axis=0) + 2.0

    fig = Figure(figsize=(16, 8.5))
    ax, tl = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.35, 1]})
    land = land_outlines(lon_min, lat_min, lon_max, lat_max)
    ax.add_collection(PolyCollection(land, facecolors="#eeeae0", edgecolors="#777777", linewidths=0.5,
                                     zorder=0))
    for sensor in radars:
        outline = coverage_outline(sensor)
        colour = colours.get(sensor.nation, "black")
        ax.plot(outline[:, 0], outline[:, 1], color=colour, lw=0.6, ls="--", alpha=0.6, zorder=1)
        ax.plot(sensor.site[1], sensor.site[0], marker="^", color=colour, ms=7, mec="black", mew=0.5,
                zorder=5)
        ax.annotate(sensor.id, (sensor.site[1], sensor.site[0]), fontsize=6, xytext=(3, 3),
                    textcoords="offset points", zorder=5)
    for oid, track in tracks.items():
        warhead = result.objects[oid].kind == "warhead"
        ax.plot(track[:, 0], track[:, 1], color="black" if warhead else "grey", lw=1.2 if warhead else 0.7,
                ls="-" if warhead else ":", zorder=3)
        if warhead:
            ax.plot(*track[0], marker="x", color="black", ms=8, zorder=4)
            ax.plot(*track[-1], marker="o", mfc="none", color="black", ms=7, zorder=4)
            ax.annotate(oid, tuple(track[-1]), fontsize=7, xytext=(4, -8), textcoords="offset points")
    _detections_on_map(ax, result, colours)
    ax.set_xlim(lon_min, lon_max)
    ax.set_ylim(lat_min, lat_max)
    ax.set_aspect(1.0 / math.cos(math.radians(0.5 * (lat_min + lat_max))))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.grid(lw=0.3, alpha=0.5)
    handles = [Line2D([], [], marker="^", ls="--", color=c, label=f"{n} radar, coverage of its "
                          f"reference target at {COVERAGE_ALTITUDE / 1e3:.0f} km")
               for n, c in colours.items()]
    handles += [Line2D([], [], marker="o", ls="", color=c, alpha=0.6, label=f"detected by {n}")
                for n, c in colours.items()]
    handles += [Line2D([], [], color="black", label="warhead ground track (x launch, o impact)"),
                Line2D([], [], color="grey", ls=":", label="spent stage")]
    ax.legend(handles=handles, fontsize=7, loc="lower right", framealpha=0.85)
    ax.set_title(f"{result.scenario.name}\ncoastlines: Natural Earth 1:10m", fontsize=10)
    _timeline(tl, result, colours)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _detections_on_map(ax: Axes, result: SimulationResult, colours: dict[str, str]) -> None:
    """True sub-points of each nation's detections (larger markers under smaller ones)."""
    by_nation: dict[str, list[tuple[str, float]]] = {}
    for m in result.measurements:
        object_id = result.truth[m.id]
        if object_id is not None:
            by_nation.setdefault(m.nation, []).append((object_id, m.time))
    sizes = {n: 30.0 - 9.0 * i for i, n in enumerate(colours)}
    for nation in sorted(by_nation, key=lambda n: -sizes.get(n, 8.0)):
        hits = by_nation[nation]
        xy = []
        for object_id in sorted({o for o, _ in hits}):
            times = np.array([t for o, t in hits if o == object_id])
            positions, _v = result.objects[object_id].trajectory.state_at(times)
            xy.append(_ground_track(positions))
        ground = np.vstack(xy)
        ax.scatter(ground[:, 0], ground[:, 1], s=max(sizes.get(nation, 8.0), 4.0),
                   color=colours.get(nation, "black"), alpha=0.35, lw=0, zorder=2)


def _timeline(ax: Axes, result: SimulationResult, colours: dict[str, str]) -> None:
    """Detection times per sensor, minutes after the first launch."""
    t0 = min(result.scenario.launch_times.values())
    sensors = list(result.network.sensor)
    rows = {s.id: i for i, s in enumerate(sensors)}
    true_t: list[float] = []
    true_y: list[int] = []
    true_c: list[str] = []
    false_t: list[float] = []
    false_y: list[int] = []
    for m in result.measurements:
        if result.truth[m.id] is None:
            false_t.append((m.time - t0) / 60.0)
            false_y.append(rows[m.sensor])
        else:
            true_t.append((m.time - t0) / 60.0)
            true_y.append(rows[m.sensor])
            true_c.append(colours.get(m.nation, "black"))
    ax.scatter(false_t, false_y, marker="|", s=20, color="#bbbbbb", lw=0.6, label="false alarm")
    ax.scatter(true_t, true_y, marker="|", s=60, c=true_c, lw=0.8)
    for launch_id, t in result.scenario.launch_times.items():
        ax.axvline((t - t0) / 60.0, color="black", lw=0.4, ls=":")
        ax.annotate(launch_id, ((t - t0) / 60.0, len(sensors) - 0.4), fontsize=6, rotation=90, va="top")
    ax.set_yticks(range(len(sensors)), [f"{s.id} ({s.nation})" for s in sensors], fontsize=7)
    ax.set_ylim(-0.7, len(sensors) - 0.3)
    ax.invert_yaxis()
    ax.set_xlabel("minutes after the first launch")
    ax.set_title("detections per sensor (colour: nation; grey: false alarms)", fontsize=10)
    ax.grid(axis="x", lw=0.3, alpha=0.5)
