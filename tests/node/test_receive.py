"""The node's receive path: valid partner reports are fused, every bad message is counted by reason."""

import numpy as np

from trilink.geo.frames import geodetic_to_ecef
from trilink.model import Phase, Track, TrackStatus
from trilink.model.network import load_network
from trilink.node.core import NodeCore, NodeSettings
from trilink.wire.codec import seal
from trilink.wire.convert import report_from_assessment
from trilink.wire.keys import Signer, TrustStore
from trilink.wire.messages import ReportStatus
from trilink.wire.release import mark_releasable

NOW = 1.7e9


def partner_report(signer: Signer, network, sequence: int, track_id: str = "K1", offset: float = 0.0):
    position = geodetic_to_ecef(np.radians(39.5), np.radians(128.0 + offset), 300e3)
    state = np.concatenate([position, [1500.0, 2000.0, 500.0]])
    track = Track(track_id=track_id, nation=signer.nation, time=NOW - 1.0, state=state,
                  covariance=np.diag([200.0**2] * 3 + [20.0**2] * 3), status=TrackStatus.CONFIRMED,
                  phase=Phase.MIDCOURSE, first_time=NOW - 60.0, last_update=NOW - 1.0, n_updates=30)
    status = ReportStatus.NEW if sequence == 1 else ReportStatus.UPDATE
    report = report_from_assessment(track, None, originator=signer.nation, sequence=sequence,
                                    issued=NOW - 0.5, exercise=True, status=status)
    return mark_releasable(network, report)


def make_node():
    network = load_network()
    jpn, kor, usa = Signer.generate("JPN"), Signer.generate("KOR"), Signer.generate("USA")
    core = NodeCore(network, NodeSettings(nation="JPN"), jpn, TrustStore.of(jpn, kor, usa))
    return network, core, kor, usa


def test_valid_report_is_fused_and_bad_ones_counted() -> None:
    network, core, kor, _usa = make_node()
    good = seal(partner_report(kor, network, 1), kor)
    result = core.receive(good, NOW)
    assert result.report is not None and result.reason is None
    core.fuse(NOW)
    assert core.picture is not None and len(core.picture.tracks) == 1
    fused = core.picture.tracks[0]
    assert ("KOR", "K1") in fused.contributors
    # replayed, forged, garbage
    assert core.receive(good, NOW).reason == "replay"
    forger = Signer.generate("KOR")
    assert core.receive(seal(partner_report(forger, network, 2), forger), NOW).reason in (
        "originator", "signature")
    assert core.receive(b"\x00garbage", NOW).reason in ("decode", "schema")
    assert sum(core.rejects.values()) >= 3
    # the node keeps fusing valid traffic after all that
    assert core.receive(seal(partner_report(kor, network, 4), kor), NOW + 1).report is not None
    core.fuse(NOW + 1)
    assert len(core.picture.tracks) == 1 and core.counters["reports_received"] == 2
