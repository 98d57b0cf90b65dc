"""Leaf links are mutual TLS under the deployment's private CA: a foreign certificate is refused."""

from pathlib import Path

import pytest

from tests.net.helpers import run
from trilink.model.network import load_network
from trilink.net import ServerError, start_network, write_deployment
from trilink.net.tls import write_tls


def test_leaf_link_with_a_foreign_certificate_is_refused(tmp_path: Path) -> None:
    network = load_network()
    directory = tmp_path / "deployment"
    write_deployment(network, directory)
    foreign = write_tls(tmp_path / "foreign", "another deployment", {"KOR": "127.0.0.1"})["KOR"]
    conf = directory / "kor.conf"
    text = conf.read_text(encoding="utf-8")
    for name in ("cert", "key"):
        text = text.replace(str(directory / "tls" / f"kor-{name}.pem"),
                            str(foreign.cert_file if name == "cert" else foreign.key_file))
    assert str(foreign.cert_file) in text
    conf.write_text(text, encoding="utf-8")

    async def scenario() -> None:
        async with start_network(network, directory, ready_timeout_s=8.0):
            pass

    with pytest.raises(ServerError, match="leaf links not up"):
        run(scenario(), 60.0)
    log = (directory / "usa.log").read_text(encoding="utf-8")
    assert "certificate" in log.lower() or "tls" in log.lower()
    assert "Leafnode connection created for account: KOR" not in log
