"""Heavy pure work — a digest's figures (jieba place finding over every entry), heat maps — run in worker
processes, so that a Monday 09:00 with hundreds of supervisors does not hold the event loop that answers the
cadres. Plain data in (entities, dates, the calendar), plain data or bytes out.

The bot configures the pool once (bot/scheduler.py); unconfigured (tests, the command line), or if the pool
breaks, the work runs in a thread: off the event loop still, though sharing its GIL.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Two lanes, each with its own processes: a Monday's hundreds of digests queue in the background lane and never
# in front of the report or the page a person is waiting for.
INTERACTIVE = "interactive"  # someone waits for it: his report, /digest, the console's downloads
BACKGROUND = "background"  # the scheduler's digests and heat maps: many at once, nobody waits on one
LANES = (INTERACTIVE, BACKGROUND)
_pools: dict[str, ProcessPoolExecutor] = {}
_workers: dict[str, int] = dict.fromkeys(LANES, 0)


def configure(workers: int, interactive: int | None = None) -> None:
    """Use up to `workers` processes for the background lane and `interactive` (default: as many, at least one
    when there are any) for the interactive one from now on (0: threads); the processes start at their first job."""
    shutdown()
    _workers[BACKGROUND] = max(0, workers)
    _workers[INTERACTIVE] = max(0, interactive if interactive is not None else workers)


def shutdown() -> None:
    for pool in _pools.values():
        pool.shutdown(wait=False, cancel_futures=True)
    _pools.clear()


def _pool(lane: str) -> ProcessPoolExecutor | None:
    workers = _workers.get(lane, 0)
    if workers <= 0:
        return None
    pool = _pools.get(lane)
    if pool is None:
        # forkserver: clean children that import what they need, not forks of a process with database threads
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))
        _pools[lane] = pool
    return pool


def _portable(fn: Callable[..., object]) -> bool:
    """Whether a worker process can find fn by name: not a lambda, nor a function defined inside another."""
    target = fn.func if isinstance(fn, partial) else fn
    return "<" not in getattr(target, "__qualname__", "<")


async def run(fn: Callable[..., T], *args: object, lane: str = INTERACTIVE) -> T:
    """fn(*args) in a worker process of `lane` (fn and its arguments must pickle), else in a thread."""
    pool = _pool(lane) if _portable(fn) else None
    if pool is not None:
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, partial(fn, *args))
        except BrokenProcessPool:
            logger.warning("worker processes broke; working in a thread from now on")
            _pools.pop(lane, None)
            _workers[lane] = 0
        except pickle.PicklingError:
            logger.warning("%s cannot go to a worker process; working in a thread", getattr(fn, "__name__", "?"))
    return await asyncio.to_thread(fn, *args)
