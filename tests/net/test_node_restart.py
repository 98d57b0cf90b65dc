"""Check 5 of issue 6: a node process killed with SIGKILL and restarted resumes from its durable consumer."""

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

from tests.net.helpers import poll, report_bytes, run
from trilink.model.network import load_network
from trilink.net import start_network

CHILD = Path(__file__).with_name("receiver_child.py")
REPORTS = 1000
KILL_AFTER = 500


def _lines(path: Path) -> int:
    try:
        return path.read_text(encoding="utf-8").count("\n")
    except OSError:
        return 0


def _spawn(directory: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(CHILD), str(directory), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stop(child: subprocess.Popen[str]) -> str:
    child.send_signal(signal.SIGTERM)
    try:
        stdout, _ = child.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        child.kill()
        stdout, _ = child.communicate(timeout=15)
    return stdout


def test_sigkilled_node_resumes_without_loss_or_duplication(tmp_path: Path) -> None:
    """KOR publishes 1,000 reports; the JPN node process is SIGKILLed mid-stream and started again."""
    out = tmp_path / "received.txt"
    directory = tmp_path / "net"
    children: list[subprocess.Popen[str]] = []

    async def scenario() -> str:
        async with start_network(load_network(), directory) as running:
            kor = await running.connect("KOR")

            async def publish() -> None:
                for i in range(REPORTS):
                    await kor.publish(report_bytes("KOR", i), msg_id=f"KOR:k:{i}", recipients=["JPN"])
                    await asyncio.sleep(0.004)

            publisher = asyncio.create_task(publish())
            children.append(_spawn(directory, out))
            await poll(lambda: _lines(out) >= KILL_AFTER, 60.0, f"{KILL_AFTER} deliveries before the kill")
            children[0].send_signal(signal.SIGKILL)
            await asyncio.to_thread(children[0].wait, 15)
            killed_at = _lines(out)
            children.append(_spawn(directory, out))
            await publisher
            await poll(lambda: _lines(out) >= REPORTS, 60.0, "every report after the restart")
            await asyncio.sleep(0.5)  # anything extra (a duplicate) would show up in this time
            stdout = await asyncio.to_thread(_stop, children[1])
            await kor.close()
            assert killed_at < REPORTS, "the kill came after everything was delivered"
            return stdout

    try:
        stdout = run(scenario(), 120.0)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait(10)
    lines = out.read_text(encoding="utf-8").splitlines()
    ids = [line.split()[2] for line in lines]
    assert ids == [f"KOR:k:{i}" for i in range(REPORTS)]
    seqs = [int(line.split()[1]) for line in lines]
    assert seqs == list(range(1, REPORTS + 1))
    dropped = int(stdout.split()[-1])
    # It resumed from the durable consumer's position: at most the unacknowledged window came again.
    assert dropped <= 256 < KILL_AFTER
