"""Field sanity: bad numbers, ranges, covariances, strings and lists are rejected as `sanity`, and
no well-typed message of any value makes the checks raise."""

import math

import msgspec
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import trilink_full
from tests.wire.corpus import T0, typical_alert, typical_heartbeat, typical_report
from tests.wire.strategies import strategy
from trilink.wire import (
    AlertArea,
    AlertNotice,
    Heartbeat,
    Reason,
    ReceiverPolicy,
    Rejection,
    ReportBatch,
    Signer,
    TrackReport,
    TrustStore,
    check,
    covariance_upper,
    seal,
)
from trilink.wire.sanity import (
    BATCHED_STATE_CHECK_MIN,
    _states_surely_sane,
    covariance_problem,
    message_problem,
)

KOR = Signer.generate("KOR")
POLICY = ReceiverPolicy(receiver="JPN", trust=TrustStore.of(KOR))
replace = msgspec.structs.replace


def _bad_reports() -> dict[str, TrackReport]:
    r = typical_report()
    cov = list(r.state.cov)
    nan_cov, neg_var, not_psd = list(cov), list(cov), list(cov)
    nan_cov[4] = math.nan
    neg_var[0] = -1.0
    not_psd[1] = 10.0 * math.sqrt(cov[0] * cov[6])  # |correlation| of x and y is 10
    return {
        "nan covariance": replace(r, state=replace(r.state, cov=tuple(nan_cov))),
        "negative variance": replace(r, state=replace(r.state, cov=tuple(neg_var))),
        "not PSD": replace(r, state=replace(r.state, cov=tuple(not_psd))),
        "infinite position": replace(r, state=replace(r.state, pos_ecef_m=(math.inf, 0.0, 0.0))),
        "nan issued": replace(r, issued_utc=math.nan),
        "latitude 91": replace(r, impact=replace(r.impact, lat_deg=91.0)),
        "longitude -181": replace(r, launch=replace(r.launch, lon_deg=-181.0)),
        "minor > major": replace(r, impact=replace(r.impact, semi_minor_m=1e6)),
        "azimuth 180": replace(r, impact=replace(r.impact, major_az_deg=180.0)),
        "area probability 1.5": replace(r, impact=replace(r.impact, areas={"JPN": 1.5})),
        "too many areas": replace(r, impact=replace(r.impact, areas={f"a{i}": 0.0 for i in range(129)})),
        "long track id": replace(r, track_id="x" * 65),
        "control character": replace(r, track_id="T1\n"),
        "empty report id": replace(r, report_id=""),
        "repeated nation": replace(r, releasable_to=("JPN", "JPN")),
        "bad nation code": replace(r, releasable_to=("jpn",)),
        "too many nations": replace(r, releasable_to=tuple(f"A{chr(65 + i // 26)}{chr(65 + i % 26)}"
                                                           for i in range(33))),
        "repeated sensor kind": replace(r, sensor_kinds=("radar", "radar")),
        "launch cov not PSD": replace(r, launch=replace(r.launch, cov_en_m2=(1.0, 5.0, 1.0))),
        "negative sigma": replace(r, impact=replace(r.impact, sigma_t_s=-1.0)),
        "apogee nan": replace(r, apogee_m=math.nan),
    }


@pytest.mark.parametrize(("name", "report"), list(_bad_reports().items()), ids=list(_bad_reports()))
def test_bad_report_rejected_as_sanity(name: str, report: TrackReport) -> None:
    result = check(seal(report, KOR), POLICY, T0)
    assert isinstance(result, Rejection) and result.reason is Reason.SANITY, (name, result)


def test_bad_alerts_and_heartbeats_rejected_as_sanity() -> None:
    a, h = typical_alert(originator="KOR"), typical_heartbeat(originator="KOR")
    bad = [replace(a, areas=(AlertArea(name="A", nation="JPN", probability=2.0),)),
           replace(a, headline="x" * 513), replace(a, track_ids=tuple(f"T{i}" for i in range(65))),
           replace(a, expected_utc=math.inf), replace(h, partners_connected=("USA", "USA")),
           replace(h, detail="\x1b[31m")]
    for message in bad:
        assert message_problem(message) is not None, message
        assert check(seal(message, KOR), POLICY, T0).reason is Reason.SANITY


def test_typical_messages_are_sane() -> None:
    for message in (typical_report(), typical_alert(), typical_heartbeat()):
        assert message_problem(message) is None


def test_psd_check_agrees_with_eigenvalues() -> None:
    rng = np.random.default_rng(1)
    for _ in range(300):
        a = rng.normal(size=(6, 6)) * rng.uniform(0.01, 1e4, size=6)
        psd = a @ a.T
        assert covariance_problem(covariance_upper(psd)) is None
        if rng.random() < 0.5:  # singular (rank-deficient) but PSD is fine too
            b = a[:, :3]
            assert covariance_problem(covariance_upper(b @ b.T)) is None
        d = np.sqrt(np.diag(psd))
        corr = psd / np.outer(d, d)
        shifted = corr - (np.linalg.eigvalsh(corr)[0] + 1e-3) * np.eye(6)  # smallest eigenvalue -1e-3
        assert covariance_problem(covariance_upper(shifted * np.outer(d, d))) is not None
    for _ in range(2000):  # arbitrary symmetric matrices with a positive diagonal: agree with eigvalsh
        m = rng.normal(size=(6, 6))
        m = m + m.T + rng.uniform(0.0, 8.0) * np.eye(6)
        if (np.diag(m) <= 0.0).any():
            continue
        d = np.sqrt(np.diag(m))
        smallest = np.linalg.eigvalsh(m / np.outer(d, d))[0]
        if abs(smallest) > 1e-6:
            assert (covariance_problem(covariance_upper(m)) is None) == (smallest > 0.0)


SETTINGS = settings(max_examples=600 if trilink_full() else 120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("typ", [TrackReport, AlertNotice, Heartbeat], ids=lambda t: t.__name__)
@SETTINGS
@given(data=st.data())
def test_any_well_typed_message_is_checked_without_raising(typ: type, data: st.DataObject) -> None:
    message = replace(data.draw(strategy(typ, nan=True)), origin="KOR")
    message_problem(message)  # must not raise
    result = check(seal(message, KOR), POLICY, T0)
    assert not (isinstance(result, Rejection) and result.detail.startswith("unexpected")), result


def test_a_batch_gets_the_verdicts_of_its_reports_checked_one_by_one() -> None:
    """The batched numeric check of a ReportBatch gives each report's own verdict, also at the PSD edge."""
    rng = np.random.default_rng(2)
    covariances = []
    for _ in range(120):
        a = rng.normal(size=(6, 6)) * rng.uniform(0.01, 1e4, size=6)
        psd = a @ a.T
        d = np.sqrt(np.diag(psd))
        corr = psd / np.outer(d, d)
        edge = rng.choice([-1e-3, -2e-9, -1e-9, -5e-10, 0.0, 1e-12, 1e-3])  # smallest eigenvalue, shifted
        covariances.append((corr - (np.linalg.eigvalsh(corr)[0] - edge) * np.eye(6)) * np.outer(d, d))
    covariances += [np.diag([0.0, 1.0, 1.0, 1.0, 1.0, 1.0]), np.full((6, 6), np.nan), np.eye(6) * 1e31]
    base = typical_report()
    reports = [msgspec.structs.replace(base, seq=i + 1, report_id=f"KOR.{i + 1}",
                                       state=msgspec.structs.replace(base.state, cov=covariance_upper(c)))
               for i, c in enumerate(covariances)]
    reports.append(msgspec.structs.replace(base, seq=999, state=msgspec.structs.replace(
        base.state, pos_ecef_m=(2e9, 0.0, 0.0))))
    singles = [message_problem(r) for r in reports]
    assert any(p is None for p in singles) and any(p is not None for p in singles)
    big = BATCHED_STATE_CHECK_MIN  # batches this large take the numpy pass first, smaller ones do not
    chunks = ([(k, 1) for k in range(len(reports))] + [(k, 7) for k in range(0, len(reports), 7)]
              + [(k, big) for k in range(0, len(reports) - big + 1, 5)])
    for start, size in chunks:
        chunk = reports[start:start + size]
        batch = ReportBatch(origin="KOR", seq=5000 + start, issued_utc=T0, releasable_to=("USA", "JPN"),
                            exercise=base.exercise, reports=tuple(chunk))
        first = next(((i, p) for i, p in enumerate(singles[start:start + size]) if p is not None), None)
        assert message_problem(batch) == (None if first is None else f"report {first[0]}: {first[1]}")
    sane = [r for r, p in zip(reports, singles, strict=True)  # sane, and not at the edge of the margin
            if p is None and _states_surely_sane([r.state])[0]][:big]
    assert len(sane) == big and all(_states_surely_sane([r.state for r in sane]))  # the numpy pass itself
    batch = ReportBatch(origin="KOR", seq=9000, issued_utc=T0, releasable_to=("USA", "JPN"),
                        exercise=base.exercise, reports=tuple(sane))
    assert message_problem(batch) is None
