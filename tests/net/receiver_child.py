"""A JPN node process for check 5: records each delivery (origin, seq, msg id) in a file, then acks.

On start it reads its own file back to get its resume marks (the way a node restores them from
its archive), cutting a line a SIGKILL left half-written. On SIGTERM it prints how many
redeliveries its marks dropped and exits.
"""

import asyncio
import signal
import sys
from pathlib import Path

from trilink.model.network import load_network
from trilink.net import Transport, read_deployment


def read_marks(out: Path) -> dict[str, int]:
    """Resume marks from the record file; drops a trailing partial line."""
    if not out.exists():
        return {}
    text = out.read_text(encoding="utf-8")
    if text and not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
        out.write_text(text, encoding="utf-8")
    marks: dict[str, int] = {}
    for line in text.splitlines():
        origin, seq, _msg_id = line.split()
        marks[origin] = max(marks.get(origin, 0), int(seq))
    return marks


async def main(directory: Path, out: Path) -> None:
    marks = read_marks(out)
    transport = await Transport.connect(load_network(), read_deployment(directory).access("JPN"))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with transport.subscribe("node", resume=marks) as sub:
        async def record() -> None:
            with out.open("a", encoding="utf-8") as f:
                async for d in sub:
                    f.write(f"{d.origin} {d.seq} {d.msg_id}\n")
                    f.flush()
                    await d.ack()
        task = asyncio.create_task(record())
        await stop.wait()
        task.cancel()
        print(f"dropped {sub.dropped_duplicates}", flush=True)
    await transport.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
