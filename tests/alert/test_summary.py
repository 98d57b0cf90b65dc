"""The plain-data views the node uses: demo-summary records and AlertNotice fields."""

from trilink.alert.decide import AlertDecision, AlertState
from trilink.alert.summary import decision_record, impact_zone, notice_fields, overflown_areas
from trilink.wire.messages import AlertArea, AlertNotice
from trilink.wire.sanity import alert_notice_problem


def test_every_decision_makes_a_sane_alert_notice(irbm: tuple[AlertState, list[AlertDecision]]) -> None:
    _, decisions = irbm
    for seq, d in enumerate(decisions):
        fields = notice_fields(d)
        fields["areas"] = tuple(AlertArea(**a) for a in fields["areas"])
        notice = AlertNotice(notice_id=d.identifier, origin=d.nation, seq=seq, issued_utc=d.time,
                             releasable_to=("USA", "KOR"), **fields)
        assert alert_notice_problem(notice) is None, (d.identifier, alert_notice_problem(notice))
        assert notice.exercise and notice.msg_type == d.msg_type.value
    first = notice_fields(decisions[0])
    assert {a["name"] for a in first["areas"]} >= {"JP-01"} and first["response"] == "Shelter"
    assert notice_fields(decisions[-1])["response"] == "AllClear"


def test_summary_records(irbm: tuple[AlertState, list[AlertDecision]],
                         icbm: tuple[AlertState, list[AlertDecision]]) -> None:
    _, decisions = irbm
    record = decision_record(decisions[0], launch_time=decisions[0].assessment.launch.time)
    # the first picture (40 s, one update) is tentative; the next (50 s, 11 updates) alerts
    assert record["at_s"] == 50.0 and record["msg_type"] == "Alert" and "Hokkaido" in record["areas"]
    assert "Hokkaido" in overflown_areas(decisions[0].exposure)
    zone = impact_zone(icbm[1][0].assessment)
    assert zone["eez_of"] == "JPN" and zone["territorial_sea_of"] is None and zone["country"] is None
