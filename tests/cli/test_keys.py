"""``trilink keys generate|list|trust`` and ``trilink wire schema``: files, permissions, errors."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.wire.corpus import T0, typical_report
from trilink.cli.common import UserError
from trilink.cli.keys import keys_generate, keys_list, keys_trust, wire_schema, wire_show
from trilink.wire import Accepted, ReceiverPolicy, Signer, TrustStore, Verifier, seal
from trilink.wire.keys import read_private


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trilink", *args], capture_output=True, text=True,
                          timeout=60, check=False, cwd=cwd)


def test_generate_trust_list_and_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keys, store = tmp_path / "kor", tmp_path / "jpn-trust"
    result = run("keys", "generate", "--nation", "KOR", "--out", str(keys))
    assert result.returncode == 0, result.stderr
    private = keys / "KOR.key"
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    pem = private.read_text()
    assert "PRIVATE KEY" in pem
    body = pem.splitlines()[1]
    assert body not in result.stdout + result.stderr  # private material never printed
    keys_trust(public_key=keys / "KOR.pub", store=store)
    signer = read_private(private)
    assert signer.key_id in capsys.readouterr().out and body not in repr(signer)
    keys_list(directory=keys)
    listing = capsys.readouterr().out
    assert signer.key_id in listing and body not in listing
    # the trust store written by the command verifies what the private key signs
    trust = TrustStore.load(store)
    verifier = Verifier(ReceiverPolicy(receiver="JPN", trust=trust))
    assert isinstance(verifier.verify(seal(typical_report(), signer), T0), Accepted)


def test_errors_are_user_errors_and_one_line_exit_2(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    keys_generate(nation="KOR", out=tmp_path)
    bad_pub = tmp_path / "bad.pub"
    bad_pub.write_text("ssh-ed25519 AAAA\n")
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "KOR.key").write_bytes((tmp_path / "KOR.key").read_bytes())
    os.chmod(loose / "KOR.key", 0o644)
    calls = [lambda: keys_generate(nation="KOR", out=tmp_path),  # exists
             lambda: keys_generate(nation="K0R", out=tmp_path),
             lambda: keys_trust(public_key=bad_pub, store=tmp_path / "s"),
             lambda: keys_trust(public_key=tmp_path / "missing.pub", store=tmp_path / "s"),
             lambda: keys_list(directory=tmp_path / "nowhere")]
    for call in calls:
        with pytest.raises(UserError):
            call()
    keys_list(directory=loose)
    assert "chmod 600" in capsys.readouterr().out
    # and through the real command: one line on stderr, exit 2
    result = run("keys", "generate", "--nation", "KOR", "--out", str(tmp_path))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_wire_schema_writes_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "wire"
    assert wire_schema(out=out, check=False) == 0
    assert wire_schema(out=out, check=True) == 0
    (out / "envelope.json").write_text("{}")
    assert wire_schema(out=out, check=True) == 1
    assert "envelope.json" in capsys.readouterr().out
    result = run("wire", "schema", "--out", str(out), "--check")  # the real command's exit code
    assert result.returncode == 1 and "envelope.json" in result.stdout


def test_wire_show_prints_json_and_refuses_garbage(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    sealed, garbage = tmp_path / "report.bin", tmp_path / "garbage.bin"
    sealed.write_bytes(seal(typical_report(), read_private_or_new(tmp_path)))
    garbage.write_bytes(b"\x95\x01garbage")
    capsys.readouterr()
    wire_show(path=sealed)
    view = json.loads(capsys.readouterr().out)
    assert view["kind"] == "track" and view["body"]["impact"]["lat_deg"] == 40.4
    with pytest.raises(UserError, match="not a trilink wire message"):
        wire_show(path=garbage)


def read_private_or_new(directory: Path) -> Signer:
    keys_generate(nation="KOR", out=directory / "k")
    return read_private(directory / "k" / "KOR.key")
