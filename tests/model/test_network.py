"""The network schema: the built-in default loads, and errors name file and line."""

from pathlib import Path

import pytest

from trilink.model.config import ConfigError
from trilink.model.network import default_network_path, load_network


def test_default_network_has_the_trilateral_sensors() -> None:
    net = load_network()
    assert net.nation_codes() == ["USA", "JPN", "KOR"]
    models = [s.model for s in net.sensor]
    assert sum("TPY-2" in m for m in models) == 3
    assert sum("Green Pine" in m for m in models) == 3
    assert sum("FPS-5" in m for m in models) == 4
    assert {s.nation for s in net.sensor if "SPY-1D" in s.model} == {"USA", "JPN", "KOR"}
    assert any(s.kind == "space_ir" for s in net.sensor)


@pytest.mark.parametrize(
    ("old", "new", "marker", "words"),
    [
        ("latency_s = 0.5\n", "latency_s = 0.5\nbogus = 1\n", "bogus = 1", "unknown field"),
        ('hub = "USA"', 'hub = "FRA"', 'hub = "FRA"', "hub"),
        ("site = [40.98, 140.36, 20.0]", "site = [140.98, 140.36, 20.0]", "site = [140.98",
         "not on Earth"),
    ],
)
def test_errors_name_the_line(tmp_path: Path, old: str, new: str, marker: str,
                              words: str) -> None:
    text = default_network_path().read_text()
    assert old in text
    bad = text.replace(old, new, 1)
    path = tmp_path / "net.toml"
    path.write_text(bad)
    with pytest.raises(ConfigError) as err:
        load_network(path)
    message = str(err.value)
    assert message.startswith(f"{path}:")
    assert words in message
    expected = next(i + 1 for i, line in enumerate(bad.splitlines()) if line.startswith(marker))
    assert int(message.split(":")[1]) == expected
