"""Releasability from the agreements: sender-side recipients and receiver-side re-check."""

import msgspec

from tests.wire.corpus import typical_alert, typical_heartbeat, typical_report
from trilink.model.network import AgreementConfig, NationConfig, NetworkConfig, load_network
from trilink.wire import mark_releasable, recipients, release_problem
from trilink.wire.release import fixed_recipients

replace = msgspec.structs.replace


def network(*agreements: AgreementConfig) -> NetworkConfig:
    nations = tuple(NationConfig(code=c) for c in ("USA", "JPN", "KOR"))
    return NetworkConfig(nation=nations, agreement=agreements)


def test_default_network_releases_everything_to_both_partners() -> None:
    net = load_network()
    assert recipients(net, typical_report()) == ("USA", "JPN")
    assert recipients(net, typical_alert(originator="JPN")) == ("USA", "KOR")
    assert recipients(net, typical_heartbeat(originator="USA")) == ("JPN", "KOR")


def test_no_agreement_no_release() -> None:
    net = network(AgreementConfig(releaser="KOR", recipient="USA"))
    assert recipients(net, typical_report()) == ("USA",)
    marked = mark_releasable(net, typical_report())
    assert release_problem(net, marked, "JPN") == "not marked releasable to JPN"
    # even a (wrongly) marked report is refused by the receiver's own agreements
    forced = replace(typical_report(), releasable_to=("USA", "JPN"))
    assert "no sharing agreement" in release_problem(net, forced, "JPN")
    assert release_problem(net, forced, "USA") is None


def test_sensor_kinds_term() -> None:
    net = network(AgreementConfig(releaser="KOR", recipient="JPN", sensor_kinds=("radar",)))
    assert recipients(net, typical_report()) == ("JPN",)  # radar and space_ir contributed
    ir_only = replace(typical_report(), sensor_kinds=("space_ir",))
    assert recipients(net, ir_only) == ()
    assert recipients(net, replace(typical_report(), sensor_kinds=())) == ()


def test_region_term_uses_position_or_impact_and_crosses_the_antimeridian() -> None:
    report = typical_report()  # track near 39.5N 131E, impact 40.4N 136.9E
    around_track = AgreementConfig(releaser="KOR", recipient="JPN", region=(38.0, 130.0, 41.0, 132.0))
    around_impact = AgreementConfig(releaser="KOR", recipient="JPN", region=(40.0, 136.0, 41.0, 138.0))
    elsewhere = AgreementConfig(releaser="KOR", recipient="JPN", region=(0.0, 0.0, 10.0, 10.0))
    assert recipients(network(around_track), report) == ("JPN",)
    assert recipients(network(around_impact), report) == ("JPN",)
    assert recipients(network(elsewhere), report) == ()
    pacific = AgreementConfig(releaser="KOR", recipient="JPN", region=(-10.0, 170.0, 60.0, 200.0))
    over_dateline = replace(report, impact=replace(report.impact, lat_deg=30.0, lon_deg=-170.0))
    assert recipients(network(pacific), over_dateline) == ("JPN",)
    assert recipients(network(pacific), replace(over_dateline, impact=None)) == ()


def test_alerts_term_and_heartbeats() -> None:
    net = network(AgreementConfig(releaser="JPN", recipient="USA", alerts=False),
                  AgreementConfig(releaser="JPN", recipient="KOR"))
    assert recipients(net, typical_alert(originator="JPN")) == ("KOR",)
    assert recipients(net, typical_heartbeat(originator="JPN")) == ("USA", "KOR")


def test_mark_releasable_narrowed() -> None:
    net = load_network()
    assert mark_releasable(net, typical_report(), only={"JPN"}).releasable_to == ("JPN",)
    assert mark_releasable(net, typical_report(), only=set()).releasable_to == ()


def test_fixed_recipients_when_no_term_depends_on_the_report() -> None:
    assert fixed_recipients(load_network(), "KOR") == recipients(load_network(), typical_report())
    plain = network(AgreementConfig(releaser="KOR", recipient="USA"))
    assert fixed_recipients(plain, "KOR") == recipients(plain, typical_report()) == ("USA",)
    assert fixed_recipients(plain, "JPN") == ()
    kinds = network(AgreementConfig(releaser="KOR", recipient="USA"),
                    AgreementConfig(releaser="KOR", recipient="JPN", sensor_kinds=("radar",)))
    assert fixed_recipients(kinds, "KOR") is None
    region = network(AgreementConfig(releaser="KOR", recipient="JPN", region=(30.0, 120.0, 45.0, 150.0)))
    assert fixed_recipients(region, "KOR") is None
