"""The two node processes of benchmarks/bench_net.py: the KOR node (publisher) and the JPN node (receiver).

bench_net.py starts itself as ``_publish``/``_receive`` with a result file and a phase's
arguments; each role runs here and writes its result there as JSON (times per report sequence,
CPU, the parts of the path it saw). A file, not stdout: a result of a few hundred kilobytes
through a pipe the parent was not reading at that moment came back cut short now and then.
"""

import asyncio
import contextlib
import gc
import itertools
import json
import os
import sys
import time
from pathlib import Path

from tests.wire.corpus import typical_report

from _profile import profiled
from trilink.model.network import load_network
from trilink.net import Transport, read_deployment
from trilink.net.acks import stored_ns
from trilink.net.coalesce import ReportPublisher
from trilink.net.courier import Courier
from trilink.net.transport import connect_nats
from trilink.wire import ReceiverPolicy, TrackReport, TrustStore, Verifier, reports_of, seal
from trilink.wire.keys import read_private
from trilink.wire.messages import replace

#: ``1``: run KOR's courier inside the KOR node process instead of beside the servers (an experiment:
#: quick runs only; it prints, writes no docs).
COURIER_IN_NODE_ENV = "TRILINK_BENCH_COURIER_IN_NODE"
#: ``TRILINK_BENCH_IN_FLIGHT=k``: the KOR node's ReportPublisher lets k messages await acknowledgement.
IN_FLIGHT_ENV = "TRILINK_BENCH_IN_FLIGHT"
#: When the KOR node's publish was acknowledged (in the publisher process), per report sequence.
STORED_NS: dict[str, int] = {}
#: ms from JPN's inbox storing a report (its stream timestamp) to the JPN node having verified it.
INBOX_WAIT_MS: list[float] = []
#: The publisher's CPU time when its clock started (building the benchmark's reports is not the node's work).
CLOCK_CPU_S: list[float] = []
#: The KOR node's ReportPublisher counters (reports, messages, batches, largest) in this process.
COALESCED: dict[str, int] = {}


async def publisher(mode: str, directory: Path, key: Path, rate: int, n: int, base: int) -> dict[str, int]:
    """KOR node: hand ``n`` reports (sequences from ``base``) to be sent at ``rate``/s; sequence → time (ns).

    Share mode publishes through ``ReportPublisher`` (``trilink.net.coalesce``) as a node issuing
    reports one at a time would: a report that finds the outbox acknowledgement it would queue
    behind still outstanding waits and goes in one signed batch with the others that waited.
    Raw mode seals and sends each report alone (the floor).
    """
    network, signer = load_network(), read_private(key, "KOR")
    access = read_deployment(directory).access("KOR")
    sent: dict[str, int] = {}
    courier = None
    sequence = itertools.count(base)
    if mode == "share":
        transport = await Transport.connect(network, access)
        reports_out = ReportPublisher(transport, signer, lambda: next(sequence),
                                      max_in_flight=int(os.environ.get(IN_FLIGHT_ENV, "1")))
        last_seq = [0]
        if os.environ.get(COURIER_IN_NODE_ENV) == "1":  # the KOR courier runs here, not in the host
            courier_nc = await connect_nats(access.client_url, access.courier_user, access.courier_password,
                                            name="KOR courier in node")
            courier = Courier(courier_nc, network, "KOR")
            courier.start()

        async def send(report: TrackReport) -> None:
            ack = await reports_out.publish(report)
            STORED_NS[str(report.seq)] = time.monotonic_ns()
            last_seq[0] = max(last_seq[0], ack.seq)
    else:
        nc = await connect_nats(access.client_url, access.courier_user, access.courier_password, name="raw")

        async def send(report: TrackReport) -> None:
            await nc.publish("tl.kor.jpn.report", seal(report, signer),
                             headers={"Nats-Msg-Id": f"raw:{report.seq}"})
    # The node's assessment output exists before the clock starts: we time encode+sign onwards
    # (each report gets its sequence number when it is handed over, as a node numbers its messages).
    reports = [typical_report(issued=time.time(), sequence=base, releasable_to=("USA", "JPN"))
               for _ in range(n)]
    gc.collect()  # the prepared reports are not the node's garbage: no full collection of them mid-run
    gc.freeze()
    CLOCK_CPU_S.append(time.process_time())  # the node's CPU per report counts from here
    tasks: set[asyncio.Task[None]] = set()
    start = time.monotonic() + 0.2
    for i in range(n):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        seq = next(sequence)
        sent[str(seq)] = time.monotonic_ns()
        report = replace(reports[i], seq=seq, report_id=f"KOR.{seq}")
        task = asyncio.create_task(send(report))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    if mode == "share":
        COALESCED.update(vars(reports_out.stats))
    if courier is not None:  # forward everything before this process ends
        deadline = time.monotonic() + 60.0
        while (min(st.cursor for st in courier.stats.values()) < last_seq[0]
               and time.monotonic() < deadline):
            await asyncio.sleep(0.05)
        await courier.stop()
        await courier_nc.close()
    if mode == "share":
        await transport.close()
    else:
        await nc.flush()
        await nc.close()
    return sent


async def _wait(event: asyncio.Event, timeout_s: float) -> None:
    """Wait for ``event`` at most ``timeout_s`` (then report what arrived)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout_s)


async def receiver(mode: str, directory: Path, key: Path, n: int, base: int) -> dict[str, int]:
    """JPN node: receive, verify and decode until ``n`` reports of sequence ≥ ``base``; sequence → time (ns).

    A verified batch delivers each of its reports (all at the time its verification ended).
    """
    network, signer = load_network(), read_private(key, "KOR")
    verifier = Verifier(ReceiverPolicy(receiver="JPN", trust=TrustStore.of(signer), max_age_s=600.0))
    access = read_deployment(directory).access("JPN")
    got: dict[str, int] = {}
    done = asyncio.Event()

    def take(data: bytes) -> int:
        """Verify and decode one message; the number of this run's reports it delivered."""
        result = verifier.verify(data, time.time())
        if not result:
            return 0
        now = time.monotonic_ns()
        fresh = [r for r in reports_of(result.message) if r.seq >= base]
        for report in fresh:
            got[str(report.seq)] = now
        if len(got) >= n:
            done.set()
        return len(fresh)

    if mode == "share":
        transport = await Transport.connect(network, access)
        async with transport.subscribe("bench") as sub:
            gc.collect()  # as `trilink node` does at start (node/service.py): set-up objects leave the GC
            gc.freeze()
            print("ready", flush=True)

            async def pump() -> None:
                async for delivery in sub:
                    count = take(delivery.data)
                    # When JPN's inbox stored it (wall clock, ns; from the reply subject, cheaply).
                    INBOX_WAIT_MS.extend([(time.time_ns() - stored_ns(delivery._msg)) / 1e6] * count)
                    await delivery.ack()
            task = asyncio.create_task(pump())
            await _wait(done, 120.0)
            task.cancel()
            print(f"  (JPN subscription: {sub.restarts} consumer restarts, "
                  f"{sub.dropped_duplicates} duplicates dropped)", file=sys.stderr, flush=True)
        await transport.close()
    else:
        nc = await connect_nats(access.client_url, access.node_user, access.node_password, name="raw sub")

        async def on_msg(msg: object) -> None:
            take(msg.data)  # type: ignore[attr-defined]
        await nc.subscribe("tl.kor.jpn.>", cb=on_msg, pending_msgs_limit=100_000)
        await nc.flush()
        print("ready", flush=True)
        await _wait(done, 120.0)
        await nc.close()
    return got


def run_role(args: list[str]) -> None:
    """One node process of a phase (``_publish`` or ``_receive``): run it, write its result as JSON."""
    role, result_file, mode, directory, key, *rest = args
    cpu = time.process_time()
    if role == "_publish":
        rate, n, base = int(rest[0]), int(rest[1]), int(rest[2])
        result = profiled(f"publish-{mode}-{rate}-{base}",
                           publisher(mode, Path(directory), Path(key), rate, n, base))
    else:
        result = profiled(f"receive-{mode}-{rest[1]}",
                           receiver(mode, Path(directory), Path(key), int(rest[0]), int(rest[1])))
    cpu = CLOCK_CPU_S[0] if CLOCK_CPU_S else cpu
    Path(result_file).write_text(json.dumps(
        {"times": result, "cpu_s": time.process_time() - cpu, "stored": STORED_NS,
         "inbox_wait_ms": INBOX_WAIT_MS, "coalesced": COALESCED}), encoding="utf-8")
