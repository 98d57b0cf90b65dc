"""``trilink fly``: solve and fly one launch, print a summary or one JSON object (a stable contract)."""

import json
import math
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from trilink.cli.common import UserError, lat_lon_option
from trilink.geo.frames import ecef_to_geodetic
from trilink.geo.units import deg, km, m_from_km, rad
from trilink.physics.solve import PROFILES, Flight, FlightError, solve_flight


def register(app: typer.Typer) -> None:
    """Attach ``trilink fly``."""
    app.command("fly", help="Solve and fly a ballistic missile launch from a site to an aim point.")(fly)


def _positive(value: float | None, name: str) -> float | None:
    if value is not None and not (math.isfinite(value) and value > 0.0):
        raise UserError(f"{name} must be a positive number, got {value:g}")
    return value


def flight_summary(flight: Flight, samples: int | None = None) -> dict:
    """The JSON contract of ``trilink fly --json`` (edge units: degrees, km, s since launch)."""
    traj = flight.trajectory
    out = {
        "missile": flight.missile.key,
        "profile": flight.profile,
        "pull_up": flight.pull_up,
        "flight_time_s": round(flight.flight_time, 3),
        "apogee_km": round(km(flight.apogee), 3),
        "range_km": round(km(flight.ground_range), 3),
        "impact": {"lat": round(float(deg(flight.impact_lat)), 6),
                   "lon": round(float(deg(flight.impact_lon)), 6)},
        "burnout": {"time_s": round(flight.burnout_time - flight.launch_time, 3),
                    "altitude_km": round(km(flight.burnout_altitude), 3),
                    "speed_mps": round(flight.burnout_speed, 2)},
        "max_speed_mps": round(flight.max_speed, 2),
        "launch_azimuth_deg": round(float(deg(flight.plan.azimuth)) % 360.0, 4),
        "stage_burnouts_s": [round(t - flight.launch_time, 3) for t in traj.stage_burnouts],
    }
    if samples is not None:
        times = np.linspace(traj.times[0], traj.times[-1], samples)
        pos, _vel = traj.state_at(times)
        lat, lon, alt = ecef_to_geodetic(pos)
        out["trajectory"] = [
            {"t": round(float(t - flight.launch_time), 3), "lat": round(float(a), 6),
             "lon": round(float(o), 6), "alt_km": round(float(h) / 1e3, 4)}
            for t, a, o, h in zip(times, np.degrees(lat), np.degrees(lon), alt, strict=True)]
    return out


def fly(
    site: Annotated[str, typer.Option(help="Launch site LAT,LON in degrees.")],
    aim: Annotated[str | None, typer.Option(help="Aim point LAT,LON in degrees.")] = None,
    azimuth: Annotated[float | None, typer.Option(help="Launch azimuth, degrees from north.")] = None,
    range_km: Annotated[float | None, typer.Option("--range-km", help="Ground range, km.")] = None,
    apogee_km: Annotated[float | None, typer.Option("--apogee-km", help="Target apogee, km.")] = None,
    profile: Annotated[str | None, typer.Option(help="min-energy, lofted or depressed.")] = None,
    missile: Annotated[str | None, typer.Option(help="Catalogue missile (default: smallest able).")] = None,
    samples: Annotated[int | None, typer.Option(help="Add N trajectory points, evenly timed.")] = None,
    pull_up: Annotated[bool, typer.Option("--pull-up", help="Fly the missile's terminal pull-up.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Solve the launch and print its figures."""
    site_lat, site_lon = lat_lon_option(site, "--site")
    aim_rad = lat_lon_option(aim, "--aim") if aim is not None else None
    if aim_rad is not None and (azimuth is not None or range_km is not None):
        raise UserError("give either --aim or --azimuth with --range-km, not both")
    if aim_rad is None and (azimuth is None or range_km is None):
        raise UserError("give --aim LAT,LON, or both --azimuth DEG and --range-km R")
    if azimuth is not None and not math.isfinite(azimuth):
        raise UserError(f"--azimuth must be a finite number of degrees, got {azimuth}")
    _positive(range_km, "--range-km")
    _positive(apogee_km, "--apogee-km")
    if apogee_km is not None and profile is not None:
        raise UserError("give either --apogee-km or --profile, not both")
    if profile is not None and profile not in PROFILES:
        raise UserError(f"--profile must be one of {', '.join(PROFILES)}, got {profile!r}")
    if samples is not None and samples < 2:
        raise UserError(f"--samples must be at least 2, got {samples}")
    try:
        flight = solve_flight(
            site_lat, site_lon, aim=aim_rad,
            azimuth=rad(azimuth) if azimuth is not None else None,
            ground_range=m_from_km(range_km) if range_km is not None else None,
            apogee=m_from_km(apogee_km) if apogee_km is not None else None,
            profile=profile, missile=missile, pull_up=pull_up)
    except FlightError as exc:
        raise UserError(str(exc)) from None
    except (ValueError, ArithmeticError) as exc:  # a numerical dead end: still one line, never a traceback
        raise UserError(f"could not solve this flight: {' '.join(str(exc).split())}") from None
    summary = flight_summary(flight, samples)
    if as_json:
        print(json.dumps(summary))
        return
    _print(flight, summary)


def _print(flight: Flight, s: dict) -> None:
    """Readable rich summary."""
    console = Console()
    console.print(f"[bold]{flight.missile.name}[/]  {s['profile'] or 'apogee-targeted'} flight"
                  f"{' with terminal pull-up' if flight.pull_up else ''}, "
                  f"launch azimuth {s['launch_azimuth_deg']:.1f}°")
    table = Table(show_header=False, box=None)
    table.add_column(style="cyan")
    table.add_column(justify="right")
    ft = s["flight_time_s"]
    rows = [("flight time", f"{ft:,.0f} s ({ft / 60:.1f} min)"),
            ("apogee", f"{s['apogee_km']:,.0f} km"),
            ("ground range", f"{s['range_km']:,.0f} km"),
            ("impact", f"{s['impact']['lat']:.3f}°, {s['impact']['lon']:.3f}°"),
            ("burnout", f"{s['burnout']['time_s']:.0f} s, {s['burnout']['altitude_km']:.0f} km, "
                        f"{s['burnout']['speed_mps']:,.0f} m/s"),
            ("max speed", f"{s['max_speed_mps']:,.0f} m/s")]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    if "trajectory" in s:
        path = Table("t s", "lat °", "lon °", "alt km")
        for p in s["trajectory"]:
            path.add_row(f"{p['t']:.0f}", f"{p['lat']:.3f}", f"{p['lon']:.3f}", f"{p['alt_km']:.1f}")
        console.print(path)
