"""``trilink archive verify``: exit 0 on an intact archive, exit 1 naming the first bad record."""

import sqlite3
import subprocess
import sys
from pathlib import Path

from trilink.node.archive import KIND_REPORT_RECEIVED, Archive


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trilink", *args], capture_output=True,
                          text=True, timeout=120, check=False)


def test_verify_ok_then_tampered(tmp_path: Path) -> None:
    path = tmp_path / "JPN.sqlite"
    with Archive(path) as archive:
        for i in range(5):
            archive.append(KIND_REPORT_RECEIVED, 1.7e9 + i + 0.5, {"i": i}, b"report-bytes-%d" % i)
    ok = run("archive", "verify", str(path))
    assert ok.returncode == 0, ok
    assert "OK, 5 records" in ok.stdout
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER records_no_update")
    db.execute("UPDATE records SET blob = ? WHERE seq = 3", (b"report-bytes-X",))
    db.commit()
    db.close()
    bad = run("archive", "verify", str(path))
    assert bad.returncode == 1, bad
    assert "record 3" in bad.stdout and "Traceback" not in bad.stderr


def test_verify_missing_or_not_an_archive(tmp_path: Path) -> None:
    missing = run("archive", "verify", str(tmp_path / "none.sqlite"))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    result = run("archive", "verify", str(junk))
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_demo_archive_verifies_replays_and_catches_tampering(tmp_path: Path) -> None:
    """Acceptance check 3 on a real demo archive (IRBM scenario through the servers, first 100 s)."""
    import asyncio

    from trilink.node.archive import read_records
    from trilink.node.demo import DemoOptions, run_demo

    options = DemoOptions(scenario="irbm-hokkaido", speed=None, archive_dir=tmp_path, stop_after_launch=100.0)
    asyncio.run(run_demo(options))
    path = tmp_path / "JPN.sqlite"
    ok = run("archive", "verify", str(path))
    assert ok.returncode == 0, ok
    replay = run("archive", "replay", str(path))
    assert replay.returncode == 0 and "chain intact" in replay.stdout, replay
    records = [r for r in read_records(path) if r.kind == "report_received"]
    assert records, "JPN received no partner reports"
    target = records[len(records) // 2]
    data = path.read_bytes()
    at = data.find(target.blob)
    assert at > 0
    for offset in (at, at + len(target.blob) // 2, at + len(target.blob) - 1):
        tampered = bytearray(data)
        tampered[offset] ^= 0x20
        copy = tmp_path / "tampered.sqlite"
        copy.write_bytes(bytes(tampered))
        bad = run("archive", "verify", str(copy))
        assert bad.returncode == 1, bad
        assert f"record {target.seq}" in bad.stdout, bad.stdout
