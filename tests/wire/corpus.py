"""Sample messages and the random + mutated byte corpus fed to ``verify()`` (acceptance check 3).

``typical_report`` is a realistic track report built through ``report_from_assessment``
(a midcourse track with launch and impact estimates), used by the tests and by
benchmarks/bench_wire.py. ``corpus`` yields seeded random and mutated byte strings.
"""

import math
import random
from collections.abc import Iterator

import msgspec
import numpy as np

from trilink.geo.frames import geodetic_to_ecef
from trilink.model.assessment import Assessment, Ellipse, ImpactEstimate, LaunchEstimate, MissileClass, Phase
from trilink.model.measurement import SensorKind
from trilink.model.track import Track, TrackStatus
from trilink.wire import (
    AlertArea,
    AlertMsgType,
    AlertNotice,
    AlertResponse,
    Heartbeat,
    NodeState,
    ReceiverPolicy,
    ReportStatus,
    Signer,
    TrackReport,
    TrustStore,
    Verifier,
    report_from_assessment,
    seal,
)

T0 = 1_700_000_000.0

KOR = Signer.generate("KOR")
JPN = Signer.generate("JPN")
USA = Signer.generate("USA")
"""The three partners' keys the receiving tests trust."""


def verifier(receiver: str = "JPN", **policy: object) -> Verifier:
    """A receiver trusting KOR, JPN and USA, with ``policy`` overriding ReceiverPolicy's defaults."""
    return Verifier(ReceiverPolicy(receiver=receiver, trust=TrustStore.of(KOR, JPN, USA), **policy))


def _ellipse(semi_major: float, semi_minor: float, orientation: float) -> Ellipse:
    k = 2.4477  # 95 % in two dimensions
    c, s = math.cos(orientation), math.sin(orientation)
    axes = np.array([[s, c], [c, -s]])  # east, north of the major / minor axes
    cov = axes @ np.diag([(semi_major / k) ** 2, (semi_minor / k) ** 2]) @ axes.T
    return Ellipse(semi_major, semi_minor, orientation % math.pi, 0.95, cov)


def typical_track(issued: float = T0, track_id: str = "KOR-T0042") -> Track:
    """A confirmed midcourse track over the Sea of Japan with a realistic covariance."""
    position = geodetic_to_ecef(math.radians(39.5), math.radians(131.0), 350_000.0)
    rng = np.random.default_rng(7)
    a = rng.normal(size=(6, 6)) * np.array([300.0, 300.0, 300.0, 5.0, 5.0, 5.0])
    covariance = a @ a.T / 6.0
    return Track(track_id=track_id, nation="KOR", time=issued - 0.8,
                 state=np.array([*position, 1800.0, 2400.0, 900.0]), covariance=covariance,
                 status=TrackStatus.CONFIRMED, phase=Phase.MIDCOURSE, first_time=issued - 95.0,
                 last_update=issued - 0.8, n_updates=61,
                 sensor_kinds=frozenset({SensorKind.RADAR, SensorKind.SPACE_IR}))


def typical_assessment(issued: float = T0, track_id: str = "KOR-T0042") -> Assessment:
    """Launch near Pyongyang, impact in the Sea of Japan, with ellipses."""
    launch = LaunchEstimate(time=issued - 180.0, sigma_time=2.5, lat=math.radians(39.03),
                            lon=math.radians(125.75), ellipse=_ellipse(6000.0, 2500.0, 0.6))
    impact = ImpactEstimate(time=issued + 420.0, sigma_time=12.0, lat=math.radians(40.4),
                            lon=math.radians(136.9), ellipse=_ellipse(45_000.0, 12_000.0, 1.2))
    return Assessment(track_id=track_id, time=issued - 0.8, phase=Phase.MIDCOURSE, launch=launch,
                      impact=impact, apogee=900_000.0, ground_range=1_000_000.0, time_to_impact=420.8,
                      ground_track=np.zeros((0, 4)), missile_class=MissileClass.MRBM, class_reason="range")


def typical_report(issued: float = T0, sequence: int = 1, releasable_to: tuple[str, ...] = ("USA", "JPN"),
                   originator: str = "KOR") -> TrackReport:
    """The typical report whose size and speed the benchmark measures."""
    return report_from_assessment(typical_track(issued), typical_assessment(issued), originator=originator,
                                  sequence=sequence, issued=issued, releasable_to=releasable_to,
                                  exercise=True, status=ReportStatus.UPDATE,
                                  impact_areas={"JPN-EEZ": 0.62, "high-seas": 0.38})


def typical_alert(issued: float = T0, sequence: int = 2, originator: str = "JPN") -> AlertNotice:
    """An evacuation alert for two prefectures."""
    return AlertNotice(notice_id=f"{originator}.alert.{sequence}", origin=originator, seq=sequence,
                       issued_utc=issued, incident_id="JPN-INC-7", msg_type=AlertMsgType.ALERT,
                       response=AlertResponse.SHELTER, track_ids=("JPN-T0003",),
                       areas=(AlertArea(name="Aomori", nation="JPN", probability=0.2),
                              AlertArea(name="Hokkaido", nation="JPN", kind="overflight", probability=0.7)),
                       releasable_to=("USA", "KOR"), exercise=True, headline="Missile launch: take shelter",
                       event="Missile launch",
                       instruction="Go inside a sturdy building or underground now.",
                       impact_probability=0.25, expected_utc=issued + 300.0)


def typical_heartbeat(issued: float = T0, sequence: int = 3, originator: str = "USA") -> Heartbeat:
    """A healthy node's heartbeat."""
    return Heartbeat(origin=originator, seq=sequence, issued_utc=issued, state=NodeState.OK,
                     started_utc=issued - 3600.0, active_tracks=2, partners_connected=("JPN", "KOR"),
                     releasable_to=("JPN", "KOR"), exercise=True, software="trilink 0.1.0")


def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    op = rng.randrange(7)
    if op == 0:  # flip some bits
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(b) * 8)
            b[i // 8] ^= 1 << (i % 8)
    elif op == 1:  # overwrite bytes with interesting values
        for _ in range(rng.randint(1, 6)):
            b[rng.randrange(len(b))] = rng.choice([0x00, 0xFF, 0x7F, 0x80, 0xC0, 0xC1, 0xCB, 0xDD, 0xDF,
                                                   rng.randrange(256)])
    elif op == 2:  # truncate
        del b[rng.randrange(len(b)):]
    elif op == 3:  # insert random bytes
        i = rng.randrange(len(b) + 1)
        b[i:i] = rng.randbytes(rng.randint(1, 16))
    elif op == 4:  # delete a span
        i = rng.randrange(len(b))
        del b[i:i + rng.randint(1, 16)]
    elif op == 5:  # duplicate a span (length fields disagree)
        i = rng.randrange(len(b))
        b[i:i] = b[i:i + rng.randint(1, 64)]
    else:  # splice with a random tail
        b = b[: rng.randrange(len(b))] + bytearray(rng.randbytes(rng.randint(0, 64)))
    return bytes(b)


def _structured_random(rng: random.Random) -> bytes:
    """Random but well-formed MessagePack values (reach past the decoder into schema/sanity)."""
    def value(depth: int) -> object:
        choice = rng.randrange(9 if depth < 3 else 6)
        if choice == 0:
            return rng.randint(-(2**63), 2**64 - 1)
        if choice == 1:
            return rng.choice([0.0, -1.0, 1e308, float("inf"), float("nan"), rng.uniform(-1e7, 1e7)])
        if choice == 2:
            return rng.choice(["", "track", "alert", "heartbeat", "KOR", "x" * rng.randint(0, 100)])
        if choice == 3:
            return rng.randbytes(rng.choice([0, 32, 64, rng.randint(0, 100)]))
        if choice == 4:
            return rng.choice([None, True, False])
        if choice == 5:
            return rng.randint(0, 3)
        if choice == 6:
            return [value(depth + 1) for _ in range(rng.randint(0, 6))]
        if choice == 7:
            return {str(value(depth + 1))[:20]: value(depth + 1) for _ in range(rng.randint(0, 6))}
        return [1, rng.choice(["track", "alert", "heartbeat"]), "KOR-0", rng.randbytes(40), rng.randbytes(64)]
    return msgspec.msgpack.encode(value(0))


def corpus(n: int, seed: int = 5, signer: Signer | None = None) -> Iterator[bytes]:
    """``n`` byte strings: one quarter random bytes, one quarter random MessagePack, half mutated messages."""
    rng = random.Random(seed)
    signer = signer or Signer.generate("KOR")
    bases = [seal(typical_report(sequence=i), signer) for i in range(1, 4)]
    for m in (typical_alert(originator="KOR"), typical_heartbeat(originator="KOR")):
        bases.append(seal(m, signer))
    for i in range(n):
        kind = i % 4
        if kind == 0:
            yield rng.randbytes(rng.choice([0, 1, 2, 5, 16, rng.randint(0, 2048), rng.randint(16000, 20000)]))
        elif kind == 1:
            yield _structured_random(rng)
        else:
            base = data = rng.choice(bases)
            while data == base:  # a mutation that changed nothing would be a valid message
                for _ in range(rng.randint(1, 3)):
                    data = _mutate(rng, data) if data else rng.randbytes(4)
            yield data
