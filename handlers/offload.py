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
_state: dict[str, ProcessPoolExecutor | int | None] = {"pool": None, "workers": 0}


def configure(workers: int) -> None:
    """Use up to `workers` processes from now on (0: threads); the processes start at the first job."""
    shutdown()
    _state["workers"] = max(0, workers)


def shutdown() -> None:
    pool = _state["pool"]
    if isinstance(pool, ProcessPoolExecutor):
        pool.shutdown(wait=False, cancel_futures=True)
    _state["pool"] = None


def _pool() -> ProcessPoolExecutor | None:
    workers = _state["workers"]
    if not isinstance(workers, int) or workers <= 0:
        return None
    pool = _state["pool"]
    if not isinstance(pool, ProcessPoolExecutor):
        # forkserver: clean children that import what they need, not forks of a process with database threads
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))
        _state["pool"] = pool
    return pool


async def run(fn: Callable[..., T], *args: object) -> T:
    """fn(*args) in a worker process (fn and its arguments must pickle), else in a thread."""
    pool = _pool()
    if pool is not None:
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, partial(fn, *args))
        except BrokenProcessPool:
            logger.warning("worker processes broke; working in a thread from now on")
            configure(0)
        except pickle.PicklingError:
            logger.warning("%s cannot go to a worker process; working in a thread", getattr(fn, "__name__", "?"))
    return await asyncio.to_thread(fn, *args)
