"""``trilink keys generate|list|trust`` and ``trilink wire schema``: files, permissions, errors."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.wire.corpus import T0, typical_report
from trilink.wire import Accepted, ReceiverPolicy, TrustStore, Verifier, seal
from trilink.wire.keys import read_private


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trilink", *args], capture_output=True, text=True,
                          timeout=60, check=False, cwd=cwd)


def test_generate_trust_list_and_verify(tmp_path: Path) -> None:
    keys, store = tmp_path / "kor", tmp_path / "jpn-trust"
    result = run("keys", "generate", "--nation", "KOR", "--out", str(keys))
    assert result.returncode == 0, result.stderr
    private = keys / "KOR.key"
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    pem = private.read_text()
    assert "PRIVATE KEY" in pem
    body = pem.splitlines()[1]
    assert body not in result.stdout + result.stderr  # private material never printed
    result = run("keys", "trust", str(keys / "KOR.pub"), "--store", str(store))
    assert result.returncode == 0, result.stderr
    signer = read_private(private)
    assert signer.key_id in result.stdout and body not in repr(signer)
    listing = run("keys", "list", str(keys))
    assert listing.returncode == 0 and signer.key_id in listing.stdout and body not in listing.stdout
    # the trust store written by the command verifies what the private key signs
    trust = TrustStore.load(store)
    verifier = Verifier(ReceiverPolicy(receiver="JPN", trust=trust))
    assert isinstance(verifier.verify(seal(typical_report(), signer), T0), Accepted)


def test_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    assert run("keys", "generate", "--nation", "KOR", "--out", str(tmp_path)).returncode == 0
    bad_pub = tmp_path / "bad.pub"
    bad_pub.write_text("ssh-ed25519 AAAA\n")
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "KOR.key").write_bytes((tmp_path / "KOR.key").read_bytes())
    os.chmod(loose / "KOR.key", 0o644)
    for args in (("keys", "generate", "--nation", "KOR", "--out", str(tmp_path)),  # exists
                 ("keys", "generate", "--nation", "K0R", "--out", str(tmp_path)),
                 ("keys", "trust", str(bad_pub), "--store", str(tmp_path / "s")),
                 ("keys", "trust", str(tmp_path / "missing.pub"), "--store", str(tmp_path / "s")),
                 ("keys", "list", str(tmp_path / "nowhere"))):
        result = run(*args)
        assert result.returncode == 2, (args, result)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
    listing = run("keys", "list", str(loose))
    assert listing.returncode == 0 and "chmod 600" in listing.stdout


def test_wire_schema_writes_and_checks(tmp_path: Path) -> None:
    out = tmp_path / "wire"
    assert run("wire", "schema", "--out", str(out)).returncode == 0
    assert run("wire", "schema", "--out", str(out), "--check").returncode == 0
    (out / "envelope.json").write_text("{}")
    result = run("wire", "schema", "--out", str(out), "--check")
    assert result.returncode == 1 and "envelope.json" in result.stdout
