"""``trilink node`` as a process: UDP JSON-lines feed, bad lines counted, SIGTERM drains, archive intact."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import numpy as np

from trilink.geo.frames import ecef_to_aer, geodetic_to_ecef
from trilink.model import Measurement, SensorKind
from trilink.model.network import load_network
from trilink.node.archive import read_records, verify_archive


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def radar_plots(now: float, count: int) -> list[Measurement]:
    """A target climbing north-east of a KOR radar, one plot a second up to ``now``."""
    sensor = next(s for s in load_network().sensors_of("KOR") if s.kind == "radar")
    lat, lon, h = np.radians(sensor.site[0]), np.radians(sensor.site[1]), sensor.site[2]
    site = geodetic_to_ecef(lat, lon, h)
    out = []
    for i in range(count):
        t = now - count + i
        target = geodetic_to_ecef(np.radians(38.5 + 0.01 * i), np.radians(126.5 + 0.01 * i),
                                  50e3 + 1500.0 * i)
        az, el, rng = ecef_to_aer(target, lat, lon, h)
        out.append(Measurement(id=i, time=t, delivered=t, sensor=sensor.id, nation="KOR",
                               kind=SensorKind.RADAR, sensor_ecef=tuple(float(v) for v in site),
                               azimuth=float(az), elevation=float(el), sigma_azimuth=0.003,
                               sigma_elevation=0.003, range=float(rng), sigma_range=50.0))
    return out


def test_node_feed_sigterm_and_archive(tmp_path: Path) -> None:
    port = free_udp_port()
    archive = tmp_path / "KOR.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "trilink", "node", "--nation", "KOR", "--feed-udp",
                             f"127.0.0.1:{port}", "--archive", str(archive), "--log-json",
                             "--report-interval", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not archive.exists():
            time.sleep(0.2)
        time.sleep(2.0)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            plots = radar_plots(time.time(), 12)
            lines = b"\n".join(msgspec.json.encode(m) for m in plots[:6])
            s.sendto(lines + b"\n{not json}\n", ("127.0.0.1", port))
            for m in plots[6:]:
                s.sendto(msgspec.json.encode(m), ("127.0.0.1", port))
        time.sleep(3.0)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(line["msg"] == "feed rejected a line" for line in lines), err
    assert any(line["msg"] == "node stopped" for line in lines), err
    assert verify_archive(archive).ok
    kinds = [r.kind for r in read_records(archive)]
    assert "report_sent" in kinds and "picture" in kinds, kinds
    assert os.path.getsize(archive) > 0
