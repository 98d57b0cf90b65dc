"""The message types one nation sends another: track reports, alert notices, heartbeats, report batches.

These msgspec Structs *are* the schema (docs/wire/*.json is generated from
them). Units are in the field names because JSON of these types is read by
people and tools: ``_m`` metres, ``_mps`` metres per second, ``_s`` seconds,
``_utc`` an instant in UTC epoch seconds, ``_deg`` degrees (latitude, longitude and
azimuths are degrees at this edge; everything else is SI). Bounds on strings,
lists and numbers are documented in the schema and enforced by
``trilink.wire.sanity`` (the "field sanity" stage of verification), not by the
decoder, so that a bad value gets its own reason code.

Forward compatibility: decoding ignores unknown fields, so a newer node may add
optional fields (with defaults) without breaking older nodes; see docs/wire.md.
"""

from enum import StrEnum
from typing import Annotated, Any

import msgspec
from msgspec import Meta, Struct

from trilink.model.assessment import MissileClass, Phase
from trilink.model.measurement import SensorKind

SCHEMA_VERSION = 1
"""The one schema version, carried in every envelope. Bumped only for breaking changes."""

# Bounds enforced by trilink.wire.sanity and documented in the JSON Schema.
MAX_ID_CHARS = 64
MAX_TEXT_CHARS = 512
MAX_NATIONS = 32
MAX_AREAS = 128
MAX_TRACK_IDS = 64
MAX_SENSOR_KINDS = 8
MAX_BATCH_REPORTS = 128
"""Most track reports one ReportBatch may carry."""
MAX_ABS_TIME_S = 1.0e11
"""Times are UTC epoch seconds in (-MAX_ABS_TIME_S, MAX_ABS_TIME_S)."""
MAX_ABS_ECEF_M = 1.0e9
MAX_ABS_SPEED_MPS = 1.0e5


def _doc(text: str, **schema: Any) -> Meta:
    return Meta(description=text, extra_json_schema=schema or None)


Id = Annotated[str, _doc("Identifier, at most 64 characters.", maxLength=MAX_ID_CHARS)]
Text = Annotated[str, _doc("Free text, at most 512 characters.", maxLength=MAX_TEXT_CHARS)]
Nation = Annotated[str, _doc("ISO 3166-1 alpha-3 nation code.", pattern="^[A-Z]{3}$")]
Nations = Annotated[tuple[Nation, ...], _doc("Nation codes, at most 32, no repeats.", maxItems=MAX_NATIONS)]
Epoch = Annotated[float, _doc("UTC epoch seconds.")]
Seconds = Annotated[float, _doc("Seconds, ≥ 0.", minimum=0)]
Probability = Annotated[float, _doc("Probability in [0, 1].", minimum=0, maximum=1)]
LatDeg = Annotated[float, _doc("Geodetic latitude, degrees, WGS84.", minimum=-90, maximum=90)]
LonDeg = Annotated[float, _doc("Longitude, degrees east, WGS84.", minimum=-180, maximum=180)]
Sequence = Annotated[int, Meta(ge=0, le=2**63 - 1, description=(
    "Per-originator sequence number, strictly increasing over all of the originator's messages "
    "(also across restarts: see trilink.wire.initial_sequence)."))]
Xyz = Annotated[tuple[float, float, float], _doc("ECEF position x, y, z, metres.")]
Covariance6 = Annotated[tuple[float, ...], Meta(min_length=21, max_length=21, description=(
    "Upper triangle, row by row, of the symmetric 6×6 covariance of [x, y, z, vx, vy, vz]: "
    "P00 P01 … P05 P11 … P55 (m², m²/s, m²/s²); positive semi-definite."))]
Covariance2 = Annotated[tuple[float, float, float], _doc(
    "East-north covariance [P_ee, P_en, P_nn], m², positive semi-definite.")]


class ReportStatus(StrEnum):
    """Where a report stands in its track's life: first report, update, track lost, track dropped."""

    NEW = "new"
    UPDATE = "update"
    LOST = "lost"
    """No sensor holds the track any more; the state is extrapolated and ages."""
    DROPPED = "dropped"
    """The originator has deleted the track; no further reports will follow."""


class MessageKind(StrEnum):
    """What an envelope's body holds."""

    TRACK = "track"
    ALERT = "alert"
    HEARTBEAT = "heartbeat"
    BATCH = "batch"


class AlertMsgType(StrEnum):
    """CAP 1.2 msgType of a nation's alert decision."""

    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"


class AlertResponse(StrEnum):
    """CAP 1.2 responseType: what the public was told to do."""

    SHELTER = "Shelter"
    EVACUATE = "Evacuate"
    PREPARE = "Prepare"
    EXECUTE = "Execute"
    AVOID = "Avoid"
    MONITOR = "Monitor"
    ASSESS = "Assess"
    ALL_CLEAR = "AllClear"
    NONE = "None"


class NodeState(StrEnum):
    """A node's own view of its health, carried in heartbeats."""

    STARTING = "starting"
    OK = "ok"
    DEGRADED = "degraded"
    STOPPING = "stopping"


_CONFIG: dict[str, Any] = {"frozen": True, "kw_only": True, "omit_defaults": True}


class StateVector(Struct, **_CONFIG):
    """The originator's track state: ECEF position and velocity with their covariance at a time."""

    t_utc: Epoch
    pos_ecef_m: Xyz
    vel_ecef_mps: Annotated[tuple[float, float, float], _doc("ECEF velocity vx, vy, vz, m/s.")]
    cov: Covariance6


class LaunchPoint(Struct, **_CONFIG):
    """Estimated launch point and time, with the east-north covariance of the point."""

    t_utc: Epoch
    sigma_t_s: Seconds
    lat_deg: LatDeg
    lon_deg: LonDeg
    cov_en_m2: Covariance2


class ImpactPoint(Struct, **_CONFIG):
    """Predicted impact point (geodetic height 0) and time, its ellipse, and per-area probabilities."""

    t_utc: Epoch
    sigma_t_s: Seconds
    lat_deg: LatDeg
    lon_deg: LonDeg
    semi_major_m: Annotated[float, _doc("Ellipse semi-major axis, metres (≥ semi_minor_m).", minimum=0)]
    semi_minor_m: Annotated[float, _doc("Ellipse semi-minor axis, metres.", minimum=0)]
    major_az_deg: Annotated[float, _doc(
        "Azimuth of the major axis, degrees clockwise from true north, in [0, 180).",
        minimum=0, exclusiveMaximum=180)]
    ellipse_p: Annotated[float, _doc("Probability mass inside the ellipse (0.95 for the 95 % ellipse).",
                                     exclusiveMinimum=0, exclusiveMaximum=1)] = 0.95
    areas: Annotated[dict[Id, Probability], _doc(
        "Probability of impact in each named area (territory, waters or EEZ), at most 128.",
        maxProperties=MAX_AREAS)] = {}


class TrackReport(Struct, **_CONFIG):
    """One nation's report of one missile track: who, which update, state, launch, impact, class."""

    report_id: Id
    origin: Nation
    seq: Sequence
    issued_utc: Epoch
    track_id: Annotated[str, _doc("The originator's track id (≤ 64 characters).",
                                  maxLength=MAX_ID_CHARS)]
    status: ReportStatus
    phase: Phase
    state: StateVector
    updates: Annotated[int, Meta(ge=0, le=2**63 - 1, description="Sensor updates in the track so far.")]
    missile_class: MissileClass
    sensor_kinds: Annotated[tuple[SensorKind, ...], _doc(
        "Kinds of sensor that contributed (never sensor identities or sites), no repeats.",
        maxItems=MAX_SENSOR_KINDS)]
    releasable_to: Nations
    exercise: Annotated[bool, _doc("True for exercise (simulated) traffic, False for actual.")]
    launch: LaunchPoint | None = None
    impact: ImpactPoint | None = None
    apogee_m: Annotated[float | None, _doc("Apogee height above the ellipsoid, metres.")] = None
    range_m: Annotated[float | None, _doc("Launch-to-impact geodesic distance, metres.")] = None


class AlertArea(Struct, **_CONFIG):
    """One first-level area (prefecture, province, state, waters) named in an alert decision."""

    name: Id
    nation: Nation
    kind: Annotated[str, _doc(
        "What the area is: 'land', 'waters', 'eez', 'overflight' or another word (≤ 64 characters).",
        maxLength=MAX_ID_CHARS)] = "land"
    probability: Annotated[float | None, _doc(
        "Probability of impact in (or overflight of) the area, in [0, 1].", minimum=0, maximum=1)] = None


class AlertNotice(Struct, **_CONFIG):
    """A nation's civil-alert decision, shared so partners know what the public was told."""

    notice_id: Id
    origin: Nation
    seq: Sequence
    issued_utc: Epoch
    incident_id: Id
    msg_type: AlertMsgType
    response: AlertResponse
    track_ids: Annotated[tuple[Id, ...], _doc(
        "The originator's tracks behind this decision, at most 64.", maxItems=MAX_TRACK_IDS)]
    areas: Annotated[tuple[AlertArea, ...], _doc("Areas alerted, at most 128.", maxItems=MAX_AREAS)]
    releasable_to: Nations
    exercise: bool
    headline: Text = ""
    event: Annotated[str, _doc("What happened, as CAP's event: e.g. 'Missile launch' (≤ 64 characters).",
                               maxLength=MAX_ID_CHARS)] = ""
    instruction: Text = ""
    """What the public was told to do (≤ 512 characters)."""
    impact_probability: Annotated[float | None, _doc(
        "Probability that the impact falls in the originator's land or waters.",
        minimum=0, maximum=1)] = None
    expected_utc: Annotated[float | None, _doc(
        "Expected time of impact or overflight, UTC epoch seconds.")] = None
    expires_utc: Annotated[float | None, _doc("When the decision lapses, UTC epoch seconds.")] = None
    references: Annotated[tuple[Id, ...], _doc(
        "notice_ids this one updates or cancels, at most 64.", maxItems=MAX_TRACK_IDS)] = ()


class Heartbeat(Struct, **_CONFIG):
    """A node's periodic sign of life and health."""

    origin: Nation
    seq: Sequence
    issued_utc: Epoch
    state: NodeState
    started_utc: Epoch
    active_tracks: Annotated[int, Meta(ge=0, le=2**31 - 1)]
    partners_connected: Nations
    releasable_to: Nations
    exercise: bool
    software: Id = ""
    detail: Text = ""


class ReportBatch(Struct, **_CONFIG):
    """Track reports of one originator sealed together (one tracker step): one signature, one network message.

    Every report keeps its own header (report id, sequence, issue time, releasability); the batch
    is released only to nations every one of its reports is releasable to (``releasable_to``).
    """

    origin: Nation
    seq: Sequence
    issued_utc: Epoch
    releasable_to: Nations
    exercise: bool
    reports: Annotated[tuple[TrackReport, ...], _doc(
        "The reports, at least 1 and at most 128, all of this origin and exercise flag, each "
        "releasable to every nation in the batch's releasable_to and issued no later than the batch.",
        minItems=1, maxItems=MAX_BATCH_REPORTS)]


Message = TrackReport | AlertNotice | Heartbeat | ReportBatch
"""Any message body."""

KIND_OF: dict[type, MessageKind] = {
    TrackReport: MessageKind.TRACK, AlertNotice: MessageKind.ALERT, Heartbeat: MessageKind.HEARTBEAT,
    ReportBatch: MessageKind.BATCH}
TYPE_OF: dict[str, type] = {kind.value: typ for typ, kind in KIND_OF.items()}


class Envelope(Struct, frozen=True, array_like=True):
    """What travels: [version, kind, key_id, body, signature] as a MessagePack array.

    ``body`` is the MessagePack encoding of the message; ``signature`` is Ed25519 over
    ``trilink.wire.codec.signed_bytes(version, kind, key_id, body)``.
    """

    version: Annotated[int, Meta(ge=0, le=65535, description="SCHEMA_VERSION of the sender.")]
    kind: Annotated[str, Meta(description="'track', 'alert', 'heartbeat' or 'batch'.")]
    key_id: Annotated[str, Meta(
        description="Signing key: '<NATION>-<12 hex digits of SHA-256(public key)>'.")]
    body: Annotated[bytes, Meta(description="MessagePack of the message of that kind.")]
    signature: Annotated[bytes, Meta(description="64-byte Ed25519 signature.")]


def kind_of(message: Message) -> MessageKind:
    """The envelope kind of a message."""
    return KIND_OF[type(message)]


def message_id(message: Message) -> str:
    """A stable id unique per update, for JetStream de-duplication (``Nats-Msg-Id``)."""
    return f"{message.origin}.{kind_of(message).value}.{message.seq}"


def replace(message: Any, **changes: Any) -> Any:
    """A copy of a frozen message with some fields changed."""
    return msgspec.structs.replace(message, **changes)
