"""The network description: nations, their sensors, their sharing agreements and the topology.

This is the schema of the network TOML (``data/networks/default.toml`` is the
built-in US-JPN-KOR network; see ``docs/network.md``). Values are in the units
their names say (degrees, km, mrad...) because people write these files; code
converts them to SI through the ``*_si`` helpers / ``trilink.geo.units`` at load.
Sensor figures are assumptions, not published values: they live here, never as
code constants.
"""

import math
from importlib.resources import files
from pathlib import Path
from typing import Literal

import msgspec

from trilink.model.config import ConfigError, line_of, read_toml
from trilink.model.nations import is_nation_code

SensorKindName = Literal["radar", "space_ir"]


class SensorConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One sensor of one nation, with the figures the simulator and tracker use."""

    id: str
    nation: str
    kind: SensorKindName
    model: str = ""
    site: tuple[float, float, float]
    """Latitude, longitude (degrees) and height above the ellipsoid (metres). For space IR:
    the sub-satellite point and orbit height."""
    boresight_azimuth_deg: float | None = None
    """Centre of a fixed sector, degrees clockwise from north; None = all-round coverage."""
    sector_half_width_deg: float = 180.0
    min_elevation_deg: float = 0.0
    max_elevation_deg: float = 90.0
    reference_range_km: float = 1000.0
    """Range at which a target of ``reference_rcs_m2`` gives ``reference_snr_db``."""
    reference_rcs_m2: float = 0.1
    reference_snr_db: float = 13.0
    detection_probability: float = 0.9
    """Single-look detection probability at the reference SNR (sets the threshold)."""
    sigma_range_m: float | None = None
    """Range noise (1σ) at the reference SNR; grows as 1/√SNR below it."""
    sigma_angle_mrad: float = 1.0
    """Angle noise (1σ, each of azimuth and elevation) at the reference SNR."""
    measures_range_rate: bool = False
    sigma_range_rate_mps: float | None = None
    update_interval_s: float = 1.0
    latency_s: float = 0.5
    """Time from measurement to delivery at the national node."""
    false_alarms_per_s: float = 0.0
    """Mean number of false plots per second spread over the sensor's coverage."""
    min_plume_altitude_km: float = 12.0
    """Space IR only: the plume is seen once it is above this altitude and while it burns."""
    max_range_km: float | None = None
    """Instrumented range limit, if any."""
    refraction_k: float = 4.0 / 3.0
    """Radars: effective-Earth-radius factor of the refracted line of sight (4/3 standard)."""


class AgreementConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What ``releaser`` releases to ``recipient``. Absent agreement: nothing is released."""

    releaser: str
    recipient: str
    sensor_kinds: tuple[SensorKindName, ...] | None = None
    """Release only tracks to which one of these sensor kinds contributed; None = any."""
    region: tuple[float, float, float, float] | None = None
    """Release only tracks whose current position or predicted impact lies in this box:
    (lat_min, lon_min, lat_max, lon_max) degrees; None = anywhere."""
    alerts: bool = True
    """Whether alert notices are released too."""


class ServerConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where a nation's NATS server listens. Port 0 means: choose a free port at start."""

    host: str = "127.0.0.1"
    client_port: int = 0
    leaf_port: int = 0
    monitor_port: int = 0


class NationConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One participating nation."""

    code: str
    """ISO 3166-1 alpha-3."""
    name: str = ""
    language: str = "en"
    """BCP 47 language of public alerts (CAP ``info`` in this language and in English)."""
    server: ServerConfig = ServerConfig()


class TopologyConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How the nations' servers are linked: through a hub (the real arrangement) or a full mesh."""

    kind: Literal["hub", "mesh"] = "hub"
    hub: str | None = "USA"


class NetworkConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The whole network description."""

    name: str = ""
    exercise: bool = True
    """Exercise traffic (simulated) versus actual; carried on every report and alert."""
    topology: TopologyConfig = TopologyConfig()
    nation: tuple[NationConfig, ...] = ()
    sensor: tuple[SensorConfig, ...] = ()
    agreement: tuple[AgreementConfig, ...] = ()

    def nation_codes(self) -> list[str]:
        """The participating nations' codes, in file order."""
        return [n.code for n in self.nation]

    def sensors_of(self, nation: str) -> list[SensorConfig]:
        """The sensors a nation owns."""
        return [s for s in self.sensor if s.nation == nation]

    def agreement_between(self, releaser: str, recipient: str) -> AgreementConfig | None:
        """The agreement under which ``releaser`` shares with ``recipient``, if any."""
        for agreement in self.agreement:
            if agreement.releaser == releaser and agreement.recipient == recipient:
                return agreement
        return None


def default_network_path() -> Path:
    """Path of the built-in default network file shipped with the package."""
    return Path(str(files("trilink") / "data" / "networks" / "default.toml"))


def load_network(path: Path | None = None) -> NetworkConfig:
    """Read and check a network file (the built-in default when ``path`` is None).

    Raises ``ConfigError`` (``file:line: message``) for any problem.
    """
    source = path if path is not None else default_network_path()
    network = read_toml(source, NetworkConfig)
    text = source.read_text(encoding="utf-8")
    problem = network_problem(network)
    if problem is not None:
        where, message = problem
        raise ConfigError(str(source), line_of(text, where), message)
    return network


def network_problem(network: NetworkConfig) -> tuple[str, str] | None:
    """First semantic problem in a decoded network as (msgspec-style path, message), or None."""
    codes: set[str] = set()
    for i, nation in enumerate(network.nation):
        if not is_nation_code(nation.code):
            return f"$.nation[{i}].code", f"nation code {nation.code!r} is not ISO 3166-1 alpha-3"
        if nation.code in codes:
            return f"$.nation[{i}].code", f"nation {nation.code} is listed twice"
        codes.add(nation.code)
    if not codes:
        return "$", "the network has no [[nation]]"
    topology = network.topology
    if topology.kind == "hub" and topology.hub not in codes:
        return "$.topology.hub", f"hub {topology.hub!r} is not one of the nations {sorted(codes)}"
    sensor_ids: set[str] = set()
    for i, sensor in enumerate(network.sensor):
        where = f"$.sensor[{i}]"
        if sensor.id in sensor_ids:
            return f"{where}.id", f"sensor id {sensor.id!r} is used twice"
        sensor_ids.add(sensor.id)
        if sensor.nation not in codes:
            return f"{where}.nation", f"sensor {sensor.id}: nation {sensor.nation!r} is not in the network"
        lat, lon, height = sensor.site
        if not all(math.isfinite(v) for v in sensor.site):
            return f"{where}.site", f"sensor {sensor.id}: site must be finite numbers"
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 360.0):
            return f"{where}.site", f"sensor {sensor.id}: site {lat}, {lon} is not on Earth"
        if not -500.0 <= height <= 5.0e7:
            return f"{where}.site", f"sensor {sensor.id}: height {height} m is not plausible"
        for name in ("reference_range_km", "reference_rcs_m2", "sigma_angle_mrad",
                     "update_interval_s"):
            if not getattr(sensor, name) > 0.0:
                return f"{where}.{name}", f"sensor {sensor.id}: {name} must be > 0"
        if sensor.latency_s < 0.0:
            return f"{where}.latency_s", f"sensor {sensor.id}: latency_s must be ≥ 0"
        if not 0.0 < sensor.detection_probability <= 1.0:
            return (f"{where}.detection_probability",
                    f"sensor {sensor.id}: detection_probability must be in (0, 1]")
        if sensor.kind == "radar" and not (sensor.sigma_range_m or 0.0) > 0.0:
            return f"{where}.sigma_range_m", f"radar {sensor.id}: sigma_range_m must be > 0"
        if not -90.0 <= sensor.min_elevation_deg < sensor.max_elevation_deg <= 90.0:
            return f"{where}.min_elevation_deg", f"sensor {sensor.id}: elevation limits are inverted"
    for i, agreement in enumerate(network.agreement):
        for role in ("releaser", "recipient"):
            if getattr(agreement, role) not in codes:
                return (f"$.agreement[{i}].{role}",
                        f"agreement {role} {getattr(agreement, role)!r} is not in the network")
        if agreement.releaser == agreement.recipient:
            return f"$.agreement[{i}].recipient", "a nation cannot have an agreement with itself"
    return None
