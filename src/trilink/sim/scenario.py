"""Scenario files: the TOML schema, the built-in scenarios, and loading with ``file:line`` errors.

A scenario says what flies (launches), when (scenario clock), who looks (a network:
a path, an inline table, or the built-in default) and what goes wrong (sensor
outages, false-alarm density). Loading flies every launch with ``trilink.physics``
so an impossible trajectory is reported at load, on its line. Schema: docs/scenarios.md.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Literal

import msgspec

from trilink.geo.units import parse_time
from trilink.model.config import ConfigError, decode_toml, line_of
from trilink.model.network import NetworkConfig, load_network, network_problem
from trilink.sim.engine import Outage
from trilink.sim.objects import SimObject

UtcTime = str
"""An ISO 8601 time with its UTC offset, quoted: ``"2022-11-18T01:14:00Z"``."""
Profile = Literal["min-energy", "lofted", "depressed"]
MAX_DURATION_S = 86_400.0
"""One day of scenario clock: far beyond any ballistic flight, and a bound on memory."""


class LaunchSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One launch: where, when, what, and the trajectory it flies."""

    id: str
    time: UtcTime
    site: list[float]
    """[lat, lon] degrees, or [lat, lon, height m]."""
    missile: str
    """Catalogue key (``trilink.physics.catalogue``)."""
    aim: list[float] | None = None
    """Impact point [lat, lon] degrees; or give ``azimuth_deg`` and ``range_km``."""
    azimuth_deg: float | None = None
    range_km: float | None = None
    apogee_km: float | None = None
    profile: Profile | None = None
    pull_up: bool = False
    """Terminal pull-up manoeuvre (missiles that can fly one)."""
    stages: bool = True
    """Whether spent stages are simulated as separate objects."""


class OutageSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A sensor (``sensor`` id), a nation's sensors (``nation``) or all sensors silent in [start, end)."""

    start: UtcTime
    end: UtcTime
    sensor: str | None = None
    nation: str | None = None


class ScenarioSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The scenario file as written."""

    name: str
    description: str = ""
    start: UtcTime
    duration_s: float
    seed: int = 0
    exercise: bool | None = None
    """Exercise (simulated) traffic; default: the network's flag."""
    network: str | NetworkConfig | None = None
    """Path to a network file (relative to the scenario), an inline table, or the built-in default."""
    false_alarm_factor: float = 1.0
    """Multiplies every sensor's configured false-alarm rate (0 = no false alarms)."""
    launch: tuple[LaunchSpec, ...] = ()
    outage: tuple[OutageSpec, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """A loaded, checked and flown scenario: SI units, epoch seconds, truth objects."""

    name: str
    description: str
    source: str
    start: float
    end: float
    seed: int
    exercise: bool
    network: NetworkConfig
    launches: tuple[LaunchSpec, ...]
    launch_times: dict[str, float]
    outages: tuple[Outage, ...]
    false_alarm_factor: float
    objects: dict[str, SimObject]


def builtin_scenarios_dir() -> Path:
    """Folder of the built-in scenario files."""
    return Path(str(files("trilink") / "data" / "scenarios"))


def builtin_scenarios() -> dict[str, str]:
    """Built-in scenario name → one-line description, sorted by name."""
    found: dict[str, str] = {}
    for path in sorted(builtin_scenarios_dir().glob("*.toml")):
        spec = decode_toml(path.read_bytes(), ScenarioSpec, str(path))
        found[path.stem] = spec.description.strip().splitlines()[0] if spec.description else spec.name
    return found


def resolve_scenario_path(path_or_name: str | Path) -> Path:
    """A scenario file path, or the file of the built-in scenario of that name."""
    path = Path(path_or_name)
    if path.exists():
        return path
    builtin = builtin_scenarios_dir() / f"{path_or_name}.toml"
    if builtin.exists():
        return builtin
    names = ", ".join(p.stem for p in sorted(builtin_scenarios_dir().glob("*.toml")))
    raise ConfigError(str(path_or_name), 0, f"no such scenario file or built-in scenario "
                                            f"(built-in: {names})")


def load_scenario(path_or_name: str | Path, network: NetworkConfig | None = None) -> Scenario:
    """Read, check and fly a scenario (a path or a built-in name); ConfigError ``file:line: …``.

    ``network`` overrides the scenario's own network (as ``--network`` does).
    """
    path = resolve_scenario_path(path_or_name)
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(source, 0, f"cannot read file: {exc.strerror}") from None
    spec = decode_toml(data, ScenarioSpec, source)
    text = data.decode("utf-8")

    def fail(where: str, message: str) -> ConfigError:
        return ConfigError(source, line_of(text, where), message)

    net = network if network is not None else _network(spec, path, fail)
    problem = scenario_problem(spec, net)
    if problem is not None:
        raise fail(*problem)
    from trilink.sim.flights import FlightProblemError, fly_launch

    start = parse_time(spec.start)
    objects: dict[str, SimObject] = {}
    for i, launch in enumerate(spec.launch):
        try:
            for obj in fly_launch(launch, parse_time(launch.time)):
                objects[obj.id] = obj
        except FlightProblemError as exc:
            raise fail(f"$.launch[{i}].{exc.field}" if exc.field else f"$.launch[{i}]",
                       f"launch {launch.id}: {exc.message}") from None
    return Scenario(
        name=spec.name, description=spec.description, source=source, start=start,
        end=start + spec.duration_s, seed=spec.seed,
        exercise=net.exercise if spec.exercise is None else spec.exercise,
        network=net, launches=spec.launch,
        launch_times={launch.id: parse_time(launch.time) for launch in spec.launch},
        outages=tuple(Outage(parse_time(o.start), parse_time(o.end), o.sensor, o.nation)
                      for o in spec.outage),
        false_alarm_factor=spec.false_alarm_factor, objects=objects)


def _network(spec: ScenarioSpec, path: Path, fail: Callable[[str, str], ConfigError]) -> NetworkConfig:
    if spec.network is None:
        return load_network()
    if isinstance(spec.network, str):
        network_path = Path(spec.network)
        if not network_path.is_absolute():
            network_path = path.parent / network_path
        if not network_path.exists():
            raise fail("$.network", f"network file {spec.network!r} not found")
        return load_network(network_path)
    problem = network_problem(spec.network)
    if problem is not None:
        where, message = problem
        raise fail("$.network" + where.removeprefix("$"), message)
    return spec.network


def scenario_problem(spec: ScenarioSpec, network: NetworkConfig) -> tuple[str, str] | None:
    """First semantic problem of a decoded scenario as (msgspec-style path, message), or None."""
    if not (math.isfinite(spec.duration_s) and 0.0 < spec.duration_s <= MAX_DURATION_S):
        return "$.duration_s", f"duration_s must be a positive number of seconds ≤ {MAX_DURATION_S:g}"
    if spec.seed < 0:
        return "$.seed", "seed must be ≥ 0"
    if not (math.isfinite(spec.false_alarm_factor) and spec.false_alarm_factor >= 0.0):
        return "$.false_alarm_factor", "false_alarm_factor must be ≥ 0"
    if not spec.launch:
        return "$", "the scenario has no [[launch]]"
    try:
        start = parse_time(spec.start)
    except ValueError as exc:
        return "$.start", f"start: {exc}"
    end = start + spec.duration_s
    ids: set[str] = set()
    for i, launch in enumerate(spec.launch):
        where = f"$.launch[{i}]"
        problem = _launch_problem(launch, start, end)
        if problem is not None:
            return f"{where}.{problem[0]}", f"launch {launch.id}: {problem[1]}"
        if launch.id in ids or "/" in launch.id or not launch.id:
            return f"{where}.id", f"launch id {launch.id!r} is empty, contains '/' or is used twice"
        ids.add(launch.id)
    sensors = {s.id for s in network.sensor}
    nations = set(network.nation_codes())
    for i, outage in enumerate(spec.outage):
        where = f"$.outage[{i}]"
        if outage.sensor is not None and outage.sensor not in sensors:
            return f"{where}.sensor", f"outage: sensor {outage.sensor!r} is not in the network"
        if outage.nation is not None and outage.nation not in nations:
            return f"{where}.nation", f"outage: nation {outage.nation!r} is not in the network"
        try:
            outage_start = parse_time(outage.start)
        except ValueError as exc:
            return f"{where}.start", f"outage start: {exc}"
        try:
            outage_end = parse_time(outage.end)
        except ValueError as exc:
            return f"{where}.end", f"outage end: {exc}"
        if outage_end <= outage_start:
            return f"{where}.end", "outage: end must be after start"
    return None


def _launch_problem(launch: LaunchSpec, start: float, end: float) -> tuple[str, str] | None:
    if len(launch.site) not in (2, 3) or not all(math.isfinite(v) for v in launch.site):
        return "site", "site must be [lat, lon] or [lat, lon, height m], finite numbers"
    if not (-90.0 <= launch.site[0] <= 90.0 and -180.0 <= launch.site[1] <= 360.0):
        return "site", f"site {launch.site[0]}, {launch.site[1]} is not on Earth"
    if len(launch.site) == 3 and not -500.0 <= launch.site[2] <= 9000.0:
        return "site", f"site height {launch.site[2]} m is not on the ground"
    try:
        launch_time = parse_time(launch.time)
    except ValueError as exc:
        return "time", str(exc)
    if not start <= launch_time < end:
        return "time", "launch time is outside the scenario (start … start + duration_s)"
    if launch.aim is not None:
        if len(launch.aim) != 2 or not all(math.isfinite(v) for v in launch.aim):
            return "aim", "aim must be [lat, lon] in degrees"
        if not (-90.0 <= launch.aim[0] <= 90.0 and -180.0 <= launch.aim[1] <= 360.0):
            return "aim", f"aim {launch.aim[0]}, {launch.aim[1]} is not on Earth"
        if launch.azimuth_deg is not None or launch.range_km is not None:
            return "aim", "give either aim or azimuth_deg + range_km, not both"
    elif launch.azimuth_deg is None and launch.range_km is None:
        return "aim", "give the impact point (aim) or azimuth_deg + range_km"
    elif launch.azimuth_deg is None or launch.range_km is None:
        missing = "azimuth_deg" if launch.azimuth_deg is None else "range_km"
        other = "range_km" if missing == "azimuth_deg" else "azimuth_deg"
        return missing, f"{missing} is needed with {other}"
    elif not (math.isfinite(launch.range_km) and launch.range_km > 0.0):
        return "range_km", "range_km must be > 0"
    if launch.apogee_km is not None:
        if launch.profile is not None:
            return "profile", "give either apogee_km or profile, not both"
        if not (math.isfinite(launch.apogee_km) and launch.apogee_km > 0.0):
            return "apogee_km", "apogee_km must be > 0"
    return None
