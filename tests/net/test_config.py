"""The deployment generator: accounts, routes and permissions follow the agreements; files are valid."""

import subprocess
from pathlib import Path

import msgspec
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from trilink.model.network import AgreementConfig, NetworkConfig, TopologyConfig, load_network
from trilink.net import nats_server_binary, read_deployment, write_deployment
from trilink.net.plan import links, password_names, plan_servers, released_subjects
from trilink.net.subjects import outbox_subject, parse_wire_subject, wire_subject


def _network(kind: str = "hub", agreements: tuple[AgreementConfig, ...] | None = None) -> NetworkConfig:
    base = load_network()
    topology = TopologyConfig(kind=kind, hub="USA" if kind == "hub" else None)
    return msgspec.structs.replace(base, topology=topology,
                                   agreement=base.agreement if agreements is None else agreements)


def _plans(network: NetworkConfig) -> dict[str, object]:
    ports = {n: (4000 + i, 5000 + i, 6000 + i) for i, n in enumerate(network.nation_codes())}
    passwords = dict.fromkeys(password_names(network), "pw")
    return {p.nation: p for p in plan_servers(network, ports, passwords)}


def test_subjects_carry_releasability() -> None:
    assert wire_subject("KOR", "JPN", "report") == "tl.kor.jpn.report"
    assert outbox_subject("KOR", "alert") == "out.kor.alert"
    assert parse_wire_subject("tl.kor.jpn.alert") == ("KOR", "JPN", "alert")
    for bad in (lambda: wire_subject("KOR", "JP", "report"), lambda: wire_subject("KOR", "JPN", "tracks"),
                lambda: parse_wire_subject("tl.kor.report")):
        with pytest.raises(ValueError):
            bad()


def test_links_follow_the_topology() -> None:
    assert links(_network("hub")) == [("JPN", "USA"), ("KOR", "USA")]
    assert links(_network("mesh")) == [("JPN", "USA"), ("KOR", "USA"), ("KOR", "JPN")]


def test_routes_and_permissions_follow_the_agreements() -> None:
    # KOR releases radar reports to JPN without alerts, and nothing to the USA.
    network = _network(agreements=(AgreementConfig(releaser="KOR", recipient="JPN", alerts=False),
                                   AgreementConfig(releaser="USA", recipient="JPN")))
    assert released_subjects(network, "KOR", "JPN") == ("tl.kor.jpn.report", "tl.kor.jpn.status")
    assert released_subjects(network, "KOR", "USA") == ()
    hub = _plans(network)["USA"]
    assert [a.name for a in hub.accounts] == ["USA", "JPN", "KOR"]
    routes = {(r.origin, r.recipient, r.subject) for r in hub.routes}
    assert routes == {("KOR", "JPN", "tl.kor.jpn.report"), ("KOR", "JPN", "tl.kor.jpn.status"),
                      ("USA", "JPN", "tl.usa.jpn.report"), ("USA", "JPN", "tl.usa.jpn.status"),
                      ("USA", "JPN", "tl.usa.jpn.alert")}
    jpn_link = next(a for a in hub.accounts if a.name == "JPN").users[0]
    assert jpn_link.publish[0] == "tl.jpn.>"
    assert "tl.kor.jpn.alert" not in jpn_link.subscribe and "tl.kor.jpn.report" in jpn_link.subscribe
    national = next(a for a in hub.accounts if a.name == "USA")
    node, courier = national.users
    # The node stores in its outbox and sends its own reports on (trilink.net.direct): only as USA.
    assert node.publish[:2] == ("out.usa.>", "tl.usa.>")
    assert not any(s.startswith(("tl.kor", "tl.jpn", "out.kor", "out.jpn")) for s in node.publish)
    assert courier.publish[0] == "tl.usa.>"
    assert not any(s.startswith(("tl.kor", "tl.jpn")) for s in courier.publish)
    spoke = _plans(network)["JPN"]
    assert spoke.leaf_port == 0 and [r.peer for r in spoke.remotes] == ["USA"] and spoke.routes == ()


def test_mesh_has_no_transit() -> None:
    plans = _plans(_network("mesh"))
    assert {(r.origin, r.recipient) for r in plans["USA"].routes} <= {
        ("KOR", "USA"), ("JPN", "USA"), ("USA", "KOR"), ("USA", "JPN")}
    assert {(r.origin, r.recipient) for r in plans["JPN"].routes} == {("KOR", "JPN"), ("JPN", "KOR")}


@pytest.mark.parametrize("kind", ["hub", "mesh"])
def test_generated_files_are_valid(tmp_path: Path, kind: str) -> None:
    deployment = write_deployment(_network(kind), tmp_path)
    assert read_deployment(tmp_path) == deployment
    for access in deployment.nations:
        conf = Path(access.config_file)
        text = conf.read_text(encoding="utf-8")
        assert text.startswith("# nats-server configuration of")
        assert conf.stat().st_mode & 0o077 == 0
        result = subprocess.run([str(nats_server_binary()), "-t", "-c", str(conf)], capture_output=True,
                                text=True, timeout=30)
        assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "deployment.json").stat().st_mode & 0o077 == 0
    ca = x509.load_pem_x509_certificate((tmp_path / "tls" / "ca.pem").read_bytes())
    for nation in ("usa", "jpn", "kor"):
        cert = x509.load_pem_x509_certificate((tmp_path / "tls" / f"{nation}-cert.pem").read_bytes())
        cert.verify_directly_issued_by(ca)
        assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
        assert (tmp_path / "tls" / f"{nation}-key.pem").stat().st_mode & 0o077 == 0
