"""Share latency KOR → US hub → JPN for signed reports, beside raw core NATS over the same path.

Three real nats-server processes on loopback (the default hub topology, TLS leaf links,
one account per nation). The KOR node and the JPN node are separate processes; the
servers and couriers run in this one. Each report is timed from before encode+sign at KOR
to after verify+decode at JPN (CLOCK_MONOTONIC is shared by the processes):

- share: encode, Ed25519 sign, JetStream publish with ack into KOR's outbox and, in the same
  breath, the node's direct forward into JPN's (and USA's) inbox behind its guard
  (``trilink.net.direct``; KOR's courier confirms and sends anything missing), durable consumer
  delivery, verify, decode (the couriers run on ``start_network``'s thread of lower priority,
  ``trilink.net.courier_thread``, as ``trilink net up`` runs them). Each report is handed at its
  scheduled time to the node's ``ReportPublisher`` (``trilink.net.coalesce``): it is sealed and
  published at once, alone, when no message to its recipients awaits the outbox's
  acknowledgement; otherwise it waits for that acknowledgement and goes with every report that
  waited as one signed ``ReportBatch``. A report's time runs from its hand-over (before
  encode+sign) to the end of verify+decode of the message carrying it. Every report is
  stored (file storage) in KOR's outbox and acknowledged to the KOR node before ``publish``
  returns, and stored in JPN's inbox; the courier's cursor passes a report only once JPN's
  stream has acknowledged it or a later report of the same ``Nats-Expected-Last-Msg-Id``
  chain (which it stores only after its predecessor) — in a burst one acknowledgement
  covers several reports (``trilink.net.forward``). The JPN node acknowledges its processed
  prefix every 20 ms (AckPolicy.ALL, ``trilink.net.acks.PrefixAcks``);
- raw (the floor, same run, same servers/accounts/links): each report sealed alone and sent
  by a core NATS publish on ``tl.kor.jpn.report``, received by a core subscription, verify,
  decode (no acknowledgement to wait for, so nothing to coalesce).

Rates 100 and 1,000 reports/s, open loop (each report is sent at its scheduled time); each phase's
fresh node processes first send ``WARM_UP`` reports at the same rate, timed but reported apart
(a process's first reports carry its start-up costs). Every
process runs on ``trilink.net.loop.run`` (uvloop where installed, as the node and ``net up``
do; ``TRILINK_UVLOOP=0`` for asyncio's own loop). Besides the end-to-end figures it prints two
parts of the share path: KOR's acknowledged publish (send time → PubAck at KOR) and JPN's
delivery (JPN inbox's stored timestamp → verified at the JPN node; wall clock).

``TRILINK_BENCH_RATES=1000:3000`` measures only the listed rate:count pairs and prints them
(no docs, no figures: for comparing changes); ``TRILINK_BENCH_PROFILE=DIR`` writes a cProfile
of every process there (use it with ``TRILINK_UVLOOP=0``: cProfile does not see inside
uvloop's callbacks, and profiling itself slows every process); ``TRILINK_BENCH_COURIER_IN_NODE=1``
(with ``TRILINK_BENCH_RATES``) runs KOR's courier inside the KOR node process instead of beside
the servers, to compare the two; ``TRILINK_BENCH_IN_FLIGHT=k`` lets the KOR node's publisher
keep ``k`` messages awaiting acknowledgement (default 1) before reports coalesce.
"""

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _net_nodes import COURIER_IN_NODE_ENV, run_role
from _profile import profiled
from _report import figure, write_section
from trilink.model.network import load_network
from trilink.net import start_network
from trilink.net.loop import loop_name
from trilink.net.running import RunningNetwork
from trilink.wire import Signer, initial_sequence
from trilink.wire.keys import write_private

RATES = {100: 1000, 1000: 5000}  # reports/s → reports measured per phase
#: Phases measured per rate (each a fresh KOR node and JPN node, the same servers); their latencies
#: are pooled, so the 1,000/s p99 rests on 15,000 reports over three stretches of the shared machine.
PHASES = {100: 1, 1000: 3}
#: ``rate:n,rate:n`` measures only those (a quick comparison: prints, writes no docs, no figures).
RATES_ENV = "TRILINK_BENCH_RATES"
#: Each phase's fresh KOR and JPN node processes send and take this many reports first, at the
#: phase's rate, before the measured ones: a process's first few reports (its first signature,
#: publish, delivery, verification) take a few ms more, a start-up cost, not the rate's. Their
#: latencies are printed apart ("fresh nodes' first reports") and kept out of the figures.
WARM_UP = 200
FIBRE_FLOOR_MS = 68.0
TARGET_P99_MS = 5.0
#: A raw core-NATS p99 above this says the host was busy during the run (it is ~1.3 ms when quiet).
NOISY_FLOOR_MS = 2.5
#: Reports delivered per second over each phase (first send to last delivery).
DELIVERED_PER_S: dict[tuple[str, int], float] = {}
#: p50/p99 ms from send to the KOR node's publish acknowledgement, per (mode, rate).
STORED_MS: dict[tuple[str, int], tuple[float, float]] = {}
#: p50/p99 ms from JPN's inbox storing a report to the JPN node having verified it, per (mode, rate).
INBOX_MS: dict[tuple[str, int], tuple[float, float]] = {}
#: CPU ms per report used by the three servers together.
SERVER_CPU_MS: dict[tuple[str, int], float] = {}
#: Messages in, messages out, bytes in, bytes out of the three servers together, per report.
SERVER_MSGS: dict[tuple[str, int], np.ndarray] = {}
#: CPU ms per report used by each server (nation → ms), per (mode, rate).
SERVER_CPU_EACH_MS: dict[tuple[str, int], dict[str, float]] = {}
#: ... per (mode, rate), in the orchestrating process.
COALESCED_BY: dict[tuple[str, int], dict[str, int]] = {}
#: CPU ms per report in the KOR node, the servers' host process (couriers) and the JPN node.
CPU_MS_PER_REPORT: dict[tuple[str, int], tuple[float, float, float]] = {}
#: Latencies (ms) of the warm-up reports of every phase of a (mode, rate), pooled.
COLD_MS: dict[tuple[str, int], list[float]] = {}
#: What the measured phases of a (mode, rate) gave, pooled; keyed (part, mode, rate).
_POOL: dict[tuple[str, str, int], list] = {}


async def _phase(mode: str, directory: Path, key: Path, rate: int, n: int) -> np.ndarray:
    """Run one receiver and one publisher process for ``WARM_UP`` + ``n`` reports; the last ``n``'s
    latencies in ms (NaN for a report never received)."""
    total = WARM_UP + n
    me = [sys.executable, str(Path(__file__).resolve())]
    base = str(initial_sequence(time.time()))  # the phase's first sequence (a restarted node's rule)
    pub_file, recv_file = directory / f"publish-{base}.json", directory / f"receive-{base}.json"
    recv = await asyncio.create_subprocess_exec(*me, "_receive", str(recv_file), mode, str(directory),
                                                str(key), str(total), base, stdout=subprocess.PIPE)
    assert recv.stdout is not None
    line = await asyncio.wait_for(recv.stdout.readline(), 60)
    if line.strip() != b"ready":
        raise RuntimeError(f"receiver did not start: {line!r}")
    cpu = time.process_time()
    pub = await asyncio.create_subprocess_exec(*me, "_publish", str(pub_file), mode, str(directory), str(key),
                                               str(rate), str(total), base, stdout=subprocess.PIPE)
    await asyncio.wait_for(asyncio.gather(pub.communicate(), recv.communicate()), 300)
    for process, role in ((pub, "publisher"), (recv, "receiver")):
        if process.returncode != 0:
            raise RuntimeError(f"the {mode} {role} process failed (exit {process.returncode}); see above")
    pub_result, recv_result = (json.loads(f.read_text(encoding="utf-8")) for f in (pub_file, recv_file))
    sent, got = pub_result["times"], recv_result["times"]
    warm = set(sorted(sent, key=int)[:WARM_UP])  # the first WARM_UP reports sent (batches take sequences too)
    COLD_MS.setdefault((mode, rate), []).extend(
        (got[k] - sent[k]) / 1e6 if k in got else float("nan") for k in warm)
    sent = {k: t for k, t in sent.items() if k not in warm}
    if pub_result.get("coalesced"):
        COALESCED_BY[(mode, rate)] = pub_result["coalesced"]
        c = pub_result["coalesced"]
        print(f"  ({mode} {rate}/s: {c['reports']} reports in {c['messages']} messages, "
              f"{c['batches']} of them batches, largest {c['largest']})", flush=True)
    stored = [(pub_result["stored"][k] - sent[k]) / 1e6 for k in sent if k in pub_result["stored"]]
    if stored:
        pooled = _POOL.setdefault(("stored", mode, rate), [])
        pooled.extend(stored)
        STORED_MS[(mode, rate)] = (float(np.percentile(pooled, 50)), float(np.percentile(pooled, 99)))
        print(f"  ({mode} {rate}/s: KOR publish acknowledged p50 {np.percentile(stored, 50):.2f} ms, "
              f"p99 {np.percentile(stored, 99):.2f} ms after the send time)", flush=True)
    waits = (recv_result.get("inbox_wait_ms") or [])[WARM_UP:]  # in delivery order: warm-up first
    if waits:
        pooled = _POOL.setdefault(("inbox", mode, rate), [])
        pooled.extend(waits)
        INBOX_MS[(mode, rate)] = (float(np.percentile(pooled, 50)), float(np.percentile(pooled, 99)))
        print(f"  ({mode} {rate}/s: JPN inbox stored → JPN node verified "
              f"p50 {np.percentile(waits, 50):.2f} ms, "
              f"p99 {np.percentile(waits, 99):.2f} ms)", flush=True)
    cpu_ms = _POOL.setdefault(("cpu", mode, rate), [])
    cpu_ms.append(tuple(1000.0 * c / total for c in (
        pub_result["cpu_s"], time.process_time() - cpu, recv_result["cpu_s"])))
    CPU_MS_PER_REPORT[(mode, rate)] = tuple(float(np.mean(c)) for c in zip(*cpu_ms, strict=True))
    measured = [got[k] for k in sent if k in got]
    span_s = (max(measured, default=0) - min(sent.values())) / 1e9
    rates = _POOL.setdefault(("delivered", mode, rate), [])
    rates.append(len(measured) / span_s if span_s > 0 else 0.0)
    DELIVERED_PER_S[(mode, rate)] = float(np.mean(rates))
    return np.array([(got[k] - sent[k]) / 1e6 if k in got else np.nan for k in sent])


def _traffic(running: RunningNetwork) -> np.ndarray:
    """Messages and bytes the servers have taken in and sent out so far (their ``/varz``), summed."""
    total = np.zeros(4)
    for server in running.servers.values():
        with urllib.request.urlopen(f"{server.monitor_url}/varz", timeout=2.0) as response:
            v = json.load(response)
        total += [v["in_msgs"], v["out_msgs"], v["in_bytes"], v["out_bytes"]]
    return total


def _cpu_s(pids: list[int]) -> float:
    """User+system CPU seconds used so far by these processes (Linux /proc)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def measure(workdir: Path, rates: dict[int, int],
                  phases: dict[int, int] | None = None) -> dict[tuple[str, int], np.ndarray]:
    """Latencies per (mode, rate), raw first (bare servers), then share (streams and couriers)."""
    key = workdir / "KOR.key"
    write_private(key, Signer.generate("KOR"))
    results: dict[tuple[str, int], np.ndarray] = {}
    network = load_network()
    for mode in ("raw", "share"):
        directory = workdir / mode
        async with start_network(network, directory, couriers=(mode == "share")) as running:
            if mode == "share" and os.environ.get(COURIER_IN_NODE_ENV) == "1":
                await running.stop_courier("KOR")  # the publisher process runs it instead
            by_nation = {n: s.process.pid for n, s in running.servers.items() if s.process is not None}
            pids = list(by_nation.values())
            for rate, n in rates.items():
                before = _cpu_s(pids)
                each = {n: _cpu_s([pid]) for n, pid in by_nation.items()}
                traffic = _traffic(running)
                count = (phases or {}).get(rate, 1)
                results[(mode, rate)] = np.concatenate([await _phase(mode, directory, key, rate, n)
                                                        for _ in range(count)])
                total = (WARM_UP + n) * count  # the servers and couriers carried the warm-up reports too
                SERVER_MSGS[(mode, rate)] = (_traffic(running) - traffic) / total
                SERVER_CPU_MS[(mode, rate)] = 1000.0 * (_cpu_s(pids) - before) / total
                SERVER_CPU_EACH_MS[(mode, rate)] = {k: 1000.0 * (_cpu_s([pid]) - each[k]) / total
                                                    for k, pid in by_nation.items()}
                lat = results[(mode, rate)]
                for partner, stats in (running.couriers["KOR"].stats.items() if running.couriers else ()):
                    print(f"  (courier KOR→{partner}: forwarded {stats.forwarded}, of them direct "
                          f"{stats.direct}, sent {stats.sent}, asked {stats.asked}, "
                          f"retries {stats.retries}, peak in flight {stats.peak_in_flight})", flush=True)
                print(f"{mode:5s} {rate:5d}/s  n={len(lat)}  lost {_lost(lat)}  p50 {_p(lat, 50):7.2f} ms  "
                      f"p99 {_p(lat, 99):7.2f} ms  max {_p(lat, 100):7.2f} ms", flush=True)
                cold = np.array(COLD_MS[(mode, rate)])
                print(f"  ({mode} {rate}/s: the fresh nodes' first {WARM_UP} reports of each phase, "
                      f"not in the figures: p50 {_p(cold, 50):.2f} ms, p99 {_p(cold, 99):.2f} ms, "
                      f"max {_p(cold, 100):.2f} ms, lost {_lost(cold)})", flush=True)
    return results


def _lost(latencies: np.ndarray) -> int:
    return int(np.isnan(latencies).sum())


def _p(latencies: np.ndarray, q: float) -> float:
    """Percentile of the received reports' latencies."""
    return float(np.nanpercentile(latencies, q))


def main() -> None:
    load_before = os.getloadavg()[0]
    quick = os.environ.get(RATES_ENV)
    if os.environ.get(COURIER_IN_NODE_ENV) == "1" and not quick:
        sys.exit(f"bench_net: {COURIER_IN_NODE_ENV}=1 is an experiment; set {RATES_ENV} too (no docs)")
    rates = {int(r): int(n) for r, n in (p.split(":") for p in quick.split(","))} if quick else RATES
    with tempfile.TemporaryDirectory(prefix="bench_net_") as tmp:
        results = profiled("host", measure(Path(tmp), rates, None if quick else PHASES))
    if quick:
        for (mode, rate), cpu in sorted(CPU_MS_PER_REPORT.items()):
            print(f"{mode:5s} {rate:5d}/s  CPU ms/report KOR / courier host / JPN / servers: "
                  + " / ".join(f"{c:.3f}" for c in (*cpu, SERVER_CPU_MS[(mode, rate)]))
                  + f"  delivered/s {DELIVERED_PER_S[(mode, rate)]:.0f}  servers "
                  + " ".join(f"{k} {v:.3f}" for k, v in SERVER_CPU_EACH_MS[(mode, rate)].items())
                  + "  server msgs in/out, KB in/out per report: "
                  + " / ".join(f"{v:.1f}" for v in SERVER_MSGS[(mode, rate)] / [1, 1, 1000, 1000]))
        print(f"load average {load_before:.1f} → {os.getloadavg()[0]:.1f}, loop {loop_name()}")
        return
    rows = []
    for (mode, rate), lat in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0] != "share")):
        label = "share (JetStream, node + courier)" if mode == "share" else "raw core NATS (floor)"
        cpu = " / ".join(f"{c:.2f}" for c in (*CPU_MS_PER_REPORT[(mode, rate)], SERVER_CPU_MS[(mode, rate)]))
        rows.append(f"| {rate:,} | {label} | {len(lat):,} | {_lost(lat)} | "
                    f"{DELIVERED_PER_S[(mode, rate)]:,.0f} | {_p(lat, 50):.2f} | "
                    f"{_p(lat, 99):.2f} | {_p(lat, 100):.2f} | {cpu} |")
    share_p99, raw_p99 = _p(results[("share", 1000)], 99), _p(results[("raw", 1000)], 99)
    share_rate = DELIVERED_PER_S[("share", 1000)]
    if share_p99 > TARGET_P99_MS and raw_p99 > NOISY_FLOOR_MS:
        verdict = (f"misses it ({share_p99:.2f} ms) while the machine was busy: the raw core-NATS floor "
                   f"itself had p99 {raw_p99:.2f} ms in the same run (about 1.3 ms on the quiet machine), "
                   f"so other work on the host held the processes back; run it again when it is quiet")
    elif share_p99 <= TARGET_P99_MS:
        verdict = (f"meets it ({share_p99:.2f} ms); on real links the software's share is a small part "
                   f"of the total")
    elif share_rate < 0.95 * 1000:
        verdict = (f"misses it ({share_p99:.2f} ms): at 1,000 reports/s the share path was throughput-bound "
                   f"here — it delivered {share_rate:,.0f} reports/s, so a backlog grew through the run. "
                   f"Every report crosses three Python processes (KOR node: encode, sign, acknowledged "
                   f"publish; the courier, forwarding to both partners the report is released to; JPN "
                   f"node: verify, decode, ack) besides three servers, on a machine shared with other "
                   f"workloads; the raw path has Python only at the two ends")
    else:
        stored50, stored99 = STORED_MS.get(("share", 1000), (float("nan"), float("nan")))
        verdict = (f"misses it (p50 {_p(results[('share', 1000)], 50):.2f} ms, p99 {share_p99:.2f} ms) "
                   f"with the throughput kept up (the KOR node's acknowledged publish into its outbox, "
                   f"beside the path: p50 {stored50:.2f} ms, p99 {stored99:.2f} ms)")
    parts = "; ".join(
        f"at {rate:,}/s KOR's acknowledged publish into its outbox p50 {STORED_MS[k][0]:.2f} / p99 "
        f"{STORED_MS[k][1]:.2f} ms, JPN's inbox → verified at the JPN node p50 {INBOX_MS[k][0]:.2f} / "
        f"p99 {INBOX_MS[k][1]:.2f} ms"
        for rate in sorted(RATES) if (k := ("share", rate)) in STORED_MS and k in INBOX_MS)
    coalesced = "; ".join(
        (f"at {rate:,}/s {c['reports']:,} reports travelled in {c['messages']:,} messages (largest batch "
         f"{c['largest']})" if c["batches"] else f"at {rate:,}/s every report went alone")
        for rate in sorted(RATES) if (c := COALESCED_BY.get(("share", rate))))
    traffic = "; ".join(
        f"at {rate:,}/s share {SERVER_MSGS[('share', rate)][0]:.1f} / {SERVER_MSGS[('share', rate)][1]:.1f}, "
        f"raw {SERVER_MSGS[('raw', rate)][0]:.1f} / {SERVER_MSGS[('raw', rate)][1]:.1f}"
        for rate in sorted(RATES) if ("share", rate) in SERVER_MSGS and ("raw", rate) in SERVER_MSGS)
    cold = "; ".join(
        f"{mode} at {rate:,}/s p50 {_p(c, 50):.2f} / p99 {_p(c, 99):.2f} / max {_p(c, 100):.2f} ms"
        for (mode, rate), c in ((k, np.array(COLD_MS[k])) for k in sorted(COLD_MS, key=lambda k: k[1])))
    load_after = os.getloadavg()[0]
    write_section("bench_net", f"""
## Sharing latency KOR → US hub → JPN (benchmarks/bench_net.py)

Three nats-server processes on loopback (default hub topology, TLS leaf links, one account per
nation); KOR and JPN nodes in separate processes. Time from before encode+sign at KOR to after
verify+decode at JPN, for the typical signed track report, released to JPN and USA. *Share* = the
KOR node stores the report in its outbox (JetStream publish, acknowledged) and in the same breath
sends it on to JPN's and USA's inbox streams behind its `Nats-Expected-Last-Msg-Id` guard
(`trilink.net.direct`); JPN's inbox stores it (file storage, de-duplicated) and a durable consumer
delivers it to the JPN node, which acknowledges its processed prefix every 20 ms; KOR's courier
confirms every 50 ms that the partners have what the outbox holds and would send anything missing
(docs/network.md, "Direct forwards"), on `start_network`'s courier thread at nice +10 as
`trilink net up` runs it (background work yields to the live path). The KOR node
issues reports one at a time and publishes them through `trilink.net.coalesce.ReportPublisher`: a
report goes alone at once unless a message to the same partners still awaits the outbox's
acknowledgement, then it waits for it and goes with the others that waited as one signed batch
({coalesced}, in the last phase). *Raw* = each report sealed alone and sent by core NATS publish
over the same accounts and links (no acknowledgement, no durability: the floor). At 1,000/s the
figures pool {PHASES[1000]} phases of {RATES[1000]:,} reports, each with a fresh KOR node and JPN
node (same servers and couriers). Each phase's new node processes first send and take {WARM_UP}
reports at the phase's rate, not in the table: a process's first reports cost it a few ms more
(its first signature, publish, delivery), a start-up cost rather than the rate's ({cold}).

| reports/s | path | reports | lost | delivered/s | p50 ms | p99 ms | max ms | CPU ms/report ¹ |
|---:|---|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}

¹ CPU time per report in the KOR node (from its first send: building the benchmark's report
objects is excluded) / the process running the couriers / the JPN node / the three servers
together (each server with `GOMAXPROCS` = cores // 3, as `start_network` runs them). Their
sum is what the machine must supply per report: at 1,000 reports/s, every ms per report is one
whole core, besides everything else running. CPU per report also depends on the load (a process
that finds several messages per wake-up spends less on each), so the servers' messages per report
are the load-independent measure of the path's work: in / out of the three servers together
{traffic}.

Target p99 ≤ {TARGET_P99_MS:g} ms at 1,000 reports/s on loopback: this run {verdict}.
Parts of the same runs: {parts}; the outbox acknowledgement runs beside the path (the forward
does not wait for it, but a report that finds a message awaiting it waits, see above), and the
rest of the path is the forward from the KOR node through the hub into JPN's inbox.
At 100 reports/s the acknowledged, durable path adds
{_p(results[("share", 100)], 50) - _p(results[("raw", 100)], 50):.2f} ms at p50 over raw core NATS.
For scale, the physical floor of the real geography — Seoul → Hawaii → Tokyo as light in
fibre — is about {FIBRE_FLOOR_MS:g} ms one way. The machine is shared (2 cores; load average
{load_before:.1f} when this run started, {load_after:.1f} when it ended): a process that needs more
CPU than its share of a loaded machine falls behind and its backlog is the tail. Every process ran
on the {loop_name()} event loop (`trilink.net.loop`).
""")
    figure("share_p99_ms_1000", share_p99)
    figure("raw_nats_p99_ms_1000", raw_p99)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        run_role(sys.argv[1:])
    else:
        main()
