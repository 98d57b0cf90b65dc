"""Releasability: which partners a message may reach under the network's sharing agreements.

The same policy runs twice. The sender calls ``recipients`` to decide whom to
publish to (and marks the message ``releasable_to`` them); the receiver calls
``release_problem`` for itself, which requires both that the sender marked it
releasable to this receiver and that this receiver's copy of the agreements
allows it. Absent agreement: nothing is released.

Agreement terms (``trilink.model.network.AgreementConfig``): ``sensor_kinds``
(release a track only if one of these kinds contributed), ``region`` (release a
track only if its current position or predicted impact lies in the box
lat_min, lon_min, lat_max, lon_max in degrees; longitudes may run past 180 to
cross the antimeridian) and ``alerts`` (whether alert notices are released).
Heartbeats go to every nation the originator has an agreement with. A report batch is
released to a partner only when every report in it is.
"""

import math

import msgspec
import numpy as np

from trilink.geo.frames import ecef_to_geodetic
from trilink.model.network import AgreementConfig, NetworkConfig
from trilink.wire.messages import AlertNotice, Heartbeat, Message, ReportBatch, TrackReport


def _in_box(lat_deg: float, lon_deg: float, region: tuple[float, float, float, float]) -> bool:
    lat_min, lon_min, lat_max, lon_max = region
    if not lat_min <= lat_deg <= lat_max:
        return False
    width = lon_max - lon_min
    if width >= 360.0:
        return True
    return (lon_deg - lon_min) % 360.0 <= width


def _track_position_deg(report: TrackReport) -> tuple[float, float]:
    lat, lon, _ = ecef_to_geodetic(np.asarray(report.state.pos_ecef_m, dtype=float))
    return math.degrees(float(lat)), math.degrees(float(lon))


def agreement_problem(agreement: AgreementConfig | None, message: Message) -> str | None:
    """None when ``agreement`` allows ``message`` to reach its recipient, else why not."""
    if agreement is None:
        return "no sharing agreement"
    if isinstance(message, Heartbeat):
        return None
    if isinstance(message, AlertNotice):
        return None if agreement.alerts else "the agreement does not release alert notices"
    if isinstance(message, ReportBatch):
        for i, report in enumerate(message.reports):
            if (problem := agreement_problem(agreement, report)) is not None:
                return f"report {i}: {problem}"
        return None
    if agreement.sensor_kinds is not None and not set(agreement.sensor_kinds) & {
            str(kind) for kind in message.sensor_kinds}:
        return f"no contributing sensor kind among {', '.join(agreement.sensor_kinds) or 'none'}"
    if agreement.region is not None:
        places = [_track_position_deg(message)]
        if message.impact is not None:
            places.append((message.impact.lat_deg, message.impact.lon_deg))
        if not any(_in_box(lat, lon, agreement.region) for lat, lon in places):
            return "neither the track nor its predicted impact is in the agreed region"
    return None


def recipients(network: NetworkConfig, message: Message) -> tuple[str, ...]:
    """The partners the originator's agreements allow ``message`` to reach (sender side), in file order."""
    allowed = []
    for nation in network.nation_codes():
        if nation == message.origin:
            continue
        if agreement_problem(network.agreement_between(message.origin, nation), message) is None:
            allowed.append(nation)
    return tuple(allowed)


def fixed_recipients(network: NetworkConfig, origin: str) -> tuple[str, ...] | None:
    """``recipients`` of every track report of ``origin`` when none of its agreements has terms that
    depend on the report (sensor kinds, region); None when one has (then ask per report)."""
    allowed = []
    for nation in network.nation_codes():
        if nation == origin:
            continue
        agreement = network.agreement_between(origin, nation)
        if agreement is None:
            continue
        if agreement.sensor_kinds is not None or agreement.region is not None:
            return None
        allowed.append(nation)
    return tuple(allowed)


def mark_releasable(network: NetworkConfig, message: Message, *, only: set[str] | None = None) -> Message:
    """A copy of ``message`` with ``releasable_to`` set by the agreements (narrowed to ``only``)."""
    allowed = recipients(network, message)
    if only is not None:
        allowed = tuple(n for n in allowed if n in only)
    return msgspec.structs.replace(message, releasable_to=allowed)


def release_problem(network: NetworkConfig | None, message: Message, receiver: str) -> str | None:
    """Receiver side: None when ``message`` may reach ``receiver``, else why not.

    Without a network (``None``) only the sender's marking is checked.
    """
    if receiver not in message.releasable_to:
        return f"not marked releasable to {receiver}"
    if network is None:
        return None
    problem = agreement_problem(network.agreement_between(message.origin, receiver), message)
    return None if problem is None else f"{message.origin}→{receiver}: {problem}"
