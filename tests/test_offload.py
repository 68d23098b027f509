"""Heavy work in worker processes, in two lanes (handlers/offload.py): a Monday's digests in the background lane
never queue in front of a report someone waits for."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator

import pytest

from handlers import offload


@pytest.fixture
def lanes() -> Iterator[None]:
    offload.configure(1, interactive=1)
    yield
    offload.configure(0)


async def test_a_busy_background_lane_does_not_hold_the_interactive_one(lanes: None) -> None:
    background = asyncio.ensure_future(offload.run(time.sleep, 3.0, lane=offload.BACKGROUND))
    await asyncio.sleep(0)
    pid = await offload.run(os.getpid)  # the interactive lane: its own process
    assert not background.done(), "the report waited for the digests"
    assert pid != os.getpid()
    await background


async def test_unconfigured_work_runs_in_a_thread() -> None:
    offload.configure(0)
    assert await offload.run(os.getpid) == os.getpid()
    assert await offload.run(os.getpid, lane=offload.BACKGROUND) == os.getpid()


async def test_work_that_cannot_be_pickled_runs_in_a_thread(lanes: None) -> None:
    assert await offload.run(lambda: os.getpid()) == os.getpid()
