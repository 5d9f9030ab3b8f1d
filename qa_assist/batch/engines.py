"""Where the workers run: processes on this machine, or actors on a Ray cluster.

Both keep one task in flight per worker, so that a worker that dies takes at most its own
recording with it, and hand results back as they come.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol

from ..storage import BatchItem
from . import worker
from .tasks import Task

log = logging.getLogger("qa_assist")

#: Native thread pools (OpenMP, BLAS) size themselves from these when a process loads them.
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

#: A recording in flight when a worker died more often than this is given up on: it is the
#: likely cause (the others in flight at the time are tried again).
MAX_CRASHES = 2


@dataclass(frozen=True)
class EngineConfig:
    #: the settings every worker builds its own from (``Settings.model_dump``)
    settings: dict[str, Any]
    workers: int
    rescore_changed: bool

    @property
    def environment(self) -> dict[str, str]:
        """What a worker's environment must say before it loads a model: its numpy and torch
        must not start a thread per core each (N workers would oversubscribe the machine N
        times), and model loading must not draw progress bars over the batch's."""
        threads = str(self.settings["threads"])
        return {name: threads for name in _THREAD_VARIABLES} | {"HF_HUB_DISABLE_PROGRESS_BARS": "1"}


class Engine(Protocol):
    def run(self, tasks: Iterable[Task]) -> Iterator[BatchItem]: ...


def _crashed(task: Task) -> BatchItem:
    return BatchItem(
        task.path,
        "failed",
        f"the worker died {MAX_CRASHES} times while processing it (crash or out of memory)",
    )


class LocalEngine:
    """Worker processes (spawned: no model or lock state inherited) on this machine."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config

    def _pool(self) -> ProcessPoolExecutor:
        # Workers inherit the environment when they start.
        os.environ.update(self.config.environment)
        return ProcessPoolExecutor(
            max_workers=self.config.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=worker.start,
            initargs=(self.config.settings, self.config.rescore_changed),
        )

    def run(self, tasks: Iterable[Task]) -> Iterator[BatchItem]:
        waiting = list(tasks)
        waiting.reverse()  # popped from the end, in the order given
        crashes: dict[int, int] = {}
        while waiting:
            pool = self._pool()
            running: dict[Future[BatchItem], Task] = {}
            broken = False
            try:
                while (waiting or running) and not broken:
                    while waiting and len(running) < self.config.workers and not broken:
                        task = waiting.pop()
                        try:
                            running[pool.submit(worker.run, task)] = task
                        except BrokenProcessPool:
                            waiting.append(task)
                            broken = True
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        try:
                            result = future.result()
                        except BrokenProcessPool:
                            broken = True
                            continue
                        del running[future]
                        yield result
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            if broken:
                log.warning("a worker process died; starting new ones")
                for task in running.values():
                    crashes[task.index] = crashes.get(task.index, 0) + 1
                    if crashes[task.index] >= MAX_CRASHES:
                        yield _crashed(task)
                    else:
                        waiting.append(task)


class RayEngine:
    """One actor per worker on a Ray cluster (or a local Ray instance), each with its models.

    Actors write to the database of the settings themselves, so on a cluster that must be a
    server every node reaches (PostgreSQL), and recordings and the data folder must be on
    storage every node mounts at the same path.
    """

    def __init__(self, config: EngineConfig, address: str | None, cpus: int) -> None:
        self.config = config
        self.address = address
        self.cpus = cpus

    def run(self, tasks: Iterable[Task]) -> Iterator[BatchItem]:
        import ray
        from ray.exceptions import RayActorError

        started_here = not ray.is_initialized()
        if started_here:
            if self.address:
                ray.init(address=self.address, logging_level=logging.WARNING)
            else:
                ray.init(
                    num_cpus=self.cpus,
                    include_dashboard=False,
                    logging_level=logging.WARNING,
                    # The object store holds only small results: no need for a share of RAM.
                    object_store_memory=100 * 1024 * 1024,
                )
        actor_class = ray.remote(
            num_cpus=self.config.settings["threads"],
            max_restarts=0,
            runtime_env={"env_vars": self.config.environment},
        )(worker.Worker)

        def new_actor() -> Any:
            return actor_class.remote(self.config.settings, self.config.rescore_changed)

        waiting = list(tasks)
        waiting.reverse()
        crashes: dict[int, int] = {}
        actors = [new_actor() for _ in range(self.config.workers)]
        running: dict[Any, tuple[Any, Task]] = {}
        try:
            idle = list(actors)
            while waiting or running:
                while waiting and idle:
                    actor, task = idle.pop(), waiting.pop()
                    running[actor.run.remote(task)] = (actor, task)
                (ready,), _ = ray.wait(list(running), num_returns=1)
                actor, task = running.pop(ready)
                try:
                    yield ray.get(ready)
                    idle.append(actor)
                except RayActorError:
                    log.warning("a Ray worker died; starting a new one")
                    crashes[task.index] = crashes.get(task.index, 0) + 1
                    if crashes[task.index] >= MAX_CRASHES:
                        yield _crashed(task)
                    else:
                        waiting.append(task)
                    actors.append(new_actor())
                    idle.append(actors[-1])
        finally:
            for actor in actors:
                ray.kill(actor)
            if started_here:
                ray.shutdown()
