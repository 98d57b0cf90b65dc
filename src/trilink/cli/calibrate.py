"""``trilink calibrate``: fly every public calibration launch from (site, apogee, range) and compare."""

import json
from dataclasses import dataclass
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from trilink.geo.units import deg, m_from_km
from trilink.physics.calibration import CALIBRATION_LAUNCHES, CalibrationLaunch
from trilink.physics.catalogue import get_missile
from trilink.physics.solve import Flight, FlightError, solve_flight

TOLERANCE = 0.07
"""Flight time within 7 % of the reported one (acceptance check)."""


def register(app: typer.Typer) -> None:
    """Attach ``trilink calibrate``."""
    app.command("calibrate", help="Fly the public calibration launches and compare with the reports.")(
        calibrate)


@dataclass(frozen=True)
class CalibrationResult:
    """A calibration launch and what the model made of it (flight None when it could not be solved)."""

    launch: CalibrationLaunch
    flight: Flight | None
    error: str | None = None

    @property
    def time_error(self) -> float | None:
        """Relative flight-time error, solved vs reported (None without a reported time)."""
        if self.flight is None or self.launch.flight_time_s is None:
            return None
        return self.flight.flight_time / self.launch.flight_time_s - 1.0


def fly_launch(launch: CalibrationLaunch) -> CalibrationResult:
    """Solve one calibration launch from its site, reported apogee and range (nothing else)."""
    lat, lon = launch.site_rad()
    try:
        flight = solve_flight(lat, lon, azimuth=launch.azimuth(), ground_range=m_from_km(launch.range_km),
                              apogee=m_from_km(launch.apogee_km), missile=launch.missile,
                              launch_time=launch.launch_time)
    except FlightError as exc:
        return CalibrationResult(launch, None, str(exc))
    return CalibrationResult(launch, flight)


def calibrate(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Fly each launch and print the table (exit 1 if one misses the 7 % flight-time tolerance)."""
    console = Console(stderr=as_json)
    results = []
    with console.status("solving the calibration launches…"):
        for launch in CALIBRATION_LAUNCHES:
            results.append(fly_launch(launch))
    ok = all(r.flight is not None and (r.time_error is None or abs(r.time_error) <= TOLERANCE)
             for r in results)
    if as_json:
        print(json.dumps({"ok": ok, "launches": [_row_json(r) for r in results]}))
    else:
        console.print(_table(results))
        console.print(f"flight time within {TOLERANCE:.0%} of the reported one: "
                      + ("[green]all launches[/]" if ok else "[red]NOT all launches[/]"))
    if not ok:
        raise typer.Exit(1)


def _row_json(r: CalibrationResult) -> dict:
    f, la = r.flight, r.launch
    row = {"date": la.date, "missile": la.missile, "site": la.site, "reported": {
        "apogee_km": la.apogee_km, "range_km": la.range_km, "flight_time_s": la.flight_time_s}}
    if f is None:
        row["error"] = r.error
        return row
    row["solved"] = {"apogee_km": f.apogee / 1e3, "range_km": f.ground_range / 1e3,
                     "flight_time_s": f.flight_time, "burnout_speed_mps": f.burnout_speed,
                     "impact": {"lat": float(deg(f.impact_lat)), "lon": float(deg(f.impact_lon))}}
    row["flight_time_error"] = r.time_error
    return row


def _table(results: list[CalibrationResult]) -> Table:
    table = Table(title="Calibration launches, solved from site + reported apogee + reported range",
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("launch (UTC)")
    table.add_column("missile, profile")
    table.add_column("apogee/range km", justify="right")
    table.add_column("flight time\nreported → model", justify="right")
    table.add_column("error", justify="right")
    table.add_column("burnout", justify="right")
    notes = []
    for r in results:
        la, f = r.launch, r.flight
        name = get_missile(la.missile).name.split(" (")[0]
        what = f"{name}, {la.label}\n[dim]{la.site}[/]"
        shape = f"{la.apogee_km:,.0f} / {la.range_km:,.0f}"
        rep_t = _minutes(la.flight_time_s) if la.flight_time_s else "—"
        if f is None:
            table.add_row(la.date[:10], what, shape, f"{rep_t} → —", "[red]failed[/]", "")
            notes.append(f"[red]{la.date[:10]} {name}: {r.error}[/]")
            continue
        err = r.time_error
        err_text = "n/a" if err is None else (
            f"[{'green' if abs(err) <= TOLERANCE else 'red'}]{err:+.1%}[/]")
        burnout = f"{f.burnout_speed / 1e3:.2f} km/s\n[dim]at {f.burnout_altitude / 1e3:.0f} km[/]"
        if f.pull_up:
            notes.append(f"{la.date[:10]} {name} {la.range_km:,.0f} km: flown with its terminal pull-up")
        table.add_row(la.date[:10], what, shape, f"{rep_t} → {_minutes(f.flight_time)}", err_text, burnout)
    if notes:
        table.caption = "\n".join(notes)
        table.caption_justify = "left"
    return table


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def print_table(results: list[CalibrationResult], console: Console | None = None) -> None:
    """Print the calibration table (for ``trilink demo`` and others)."""
    (console or Console()).print(_table(results))
