"""trilink.net.limit.InFlightLimit: a bound, first come first served, cancellation-safe."""

import asyncio

import pytest

from trilink.net.limit import InFlightLimit


def test_bound_order_and_cancellation() -> None:
    async def scenario() -> None:
        limit = InFlightLimit(2)
        inside: list[int] = []
        peak = 0
        release = asyncio.Event()

        async def holder(i: int) -> None:
            nonlocal peak
            async with limit:
                inside.append(i)
                peak = max(peak, limit.held)
                await release.wait()

        tasks = [asyncio.create_task(holder(i)) for i in range(6)]
        await asyncio.sleep(0.01)
        assert inside == [0, 1] and limit.waiting == 4
        tasks[3].cancel()  # a cancelled waiter gives up its place
        await asyncio.sleep(0.01)
        release.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert inside == [0, 1, 2, 4, 5] and peak == 2
        assert limit.held == 0 and limit.waiting == 0

    asyncio.run(scenario())


def test_slot_handed_to_a_cancelled_waiter_is_passed_on() -> None:
    async def scenario() -> None:
        limit = InFlightLimit(1)
        await limit.__aenter__()
        waiter = asyncio.create_task(limit.__aenter__())
        other = asyncio.create_task(limit.__aenter__())
        await asyncio.sleep(0)
        await limit.__aexit__()  # hands the slot to ``waiter``...
        waiter.cancel()  # ...which is cancelled before it runs: the slot goes on to ``other``
        await asyncio.gather(waiter, return_exceptions=True)
        await asyncio.wait_for(other, 1.0)
        assert limit.held == 1 and limit.waiting == 0

    asyncio.run(scenario())


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        InFlightLimit(0)
