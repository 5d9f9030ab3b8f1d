"""The batch coordinator: look at every input, hand the ones with work left to the workers,
record what became of each, close the run.

The coordinator loads no model: it hashes each recording and asks the database whether that
recording is done already, so a rerun after a crash starts workers only for what is left.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Literal

from ..models import ModelRegistry
from ..processing import CallProcessor, content_hash
from ..settings import Settings
from ..storage import BatchItem, BatchRun, BatchStore, CallStore, open_database
from ..transcribe import AudioError
from .engines import EngineConfig, LocalEngine, RayEngine
from .inputs import BatchInput, CollectedInputs
from .tasks import Task

log = logging.getLogger("qa_assist")

EngineName = Literal["local", "ray"]


@dataclass(frozen=True)
class BatchOptions:
    run_date: date
    engine: EngineName = "local"
    #: None: the settings' ``batch_workers``, else one per core
    workers: int | None = None
    #: score again calls whose rubric version or models changed since their last score
    rescore: bool = False


@dataclass(frozen=True)
class Progress:
    """Where the batch is, after each input."""

    done: int
    total: int
    #: seconds of audio of the inputs done, and of all of them (estimates until processed)
    audio_done: float
    audio_total: float
    item: BatchItem | None = None


@dataclass(frozen=True)
class BatchSummary:
    run: BatchRun
    #: every input that failed, with why
    failures: tuple[BatchItem, ...]
    #: audio of the calls scored in this run
    audio_seconds: float
    wall_seconds: float
    workers: int
    threads: int
    report_paths: tuple[Path, ...] = field(default=())


def cpu_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def plan_workers(requested: int | None, pending: int, cores: int) -> tuple[int, int]:
    """Workers and threads per worker: never more workers than recordings, and together no
    more threads than cores."""
    workers = max(1, min(requested or cores, pending or 1))
    return workers, max(1, cores // workers)


def _probe_seconds(path: Path) -> float:
    """The recording's length from its header, for progress; 0 when the header does not say."""
    import av

    try:
        with av.open(str(path)) as container:
            return container.duration / av.time_base if container.duration else 0.0
    except (av.error.FFmpegError, OSError, ValueError):
        return 0.0


@dataclass
class _Plan:
    tasks: list[Task] = field(default_factory=list)
    expected: dict[str, float] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    settled: list[BatchItem] = field(default_factory=list)


def _plan(collected: CollectedInputs, processor: CallProcessor, rescore: bool) -> _Plan:
    plan = _Plan(settled=[BatchItem(p.source, "failed", p.reason) for p in collected.problems])
    first_seen: dict[str, BatchInput] = {}
    pending: list[BatchInput] = []
    for item in collected.inputs:
        source = str(item.path)
        try:
            digest = content_hash(item.path)
        except AudioError as error:
            plan.settled.append(BatchItem(source, "failed", error.reason))
            continue
        if digest in first_seen:
            reason = f"the same recording as {first_seen[digest].path}"
            plan.settled.append(BatchItem(source, "skipped", reason, content_hash=digest))
            continue
        first_seen[digest] = item
        call_id = processor.finished_call(digest, rescore_changed=rescore)
        if call_id is not None:
            processor.store.complete_metadata(call_id, item.metadata)
            reason = f"already scored (call {call_id})"
            plan.settled.append(BatchItem(source, "skipped", reason, call_id, digest))
            continue
        plan.hashes[source] = digest
        plan.expected[source] = _probe_seconds(item.path)
        pending.append(item)
    # Longest first: the last recordings to finish are short ones, so no worker idles long.
    pending.sort(key=lambda item: plan.expected[str(item.path)], reverse=True)
    plan.tasks = [
        Task(index, str(item.path), item.scenario, item.metadata)
        for index, item in enumerate(pending)
    ]
    return plan


def run_batch(
    settings: Settings,
    collected: CollectedInputs,
    options: BatchOptions,
    on_progress: Callable[[Progress], None] | None = None,
) -> BatchSummary:
    started = time.perf_counter()
    sessions = open_database(settings.resolved_database_url)
    batches = BatchStore(sessions)
    processor = CallProcessor(settings, ModelRegistry(settings), CallStore(sessions))
    plan = _plan(collected, processor, options.rescore)
    cores = cpu_cores()
    workers, threads = plan_workers(
        options.workers or settings.batch_workers, len(plan.tasks), cores
    )
    total = len(plan.settled) + len(plan.tasks)
    run_id = batches.start_run(options.run_date, options.engine, workers, total)
    audio_total = sum(plan.expected.values())
    done, audio_done, audio_scored = 0, 0.0, 0.0
    failures: list[BatchItem] = []

    def advance(item: BatchItem, expected: float = 0.0) -> None:
        nonlocal done, audio_done
        batches.record(run_id, item)
        if item.outcome == "failed":
            failures.append(item)
        done += 1
        audio_done += expected
        if on_progress is not None:
            on_progress(Progress(done, total, audio_done, audio_total, item))

    if on_progress is not None:
        on_progress(Progress(0, total, 0.0, audio_total))
    for item in plan.settled:
        advance(item)
    if plan.tasks:
        worker_settings = settings.model_copy(
            update={
                "threads": threads,
                # Workers may run elsewhere (Ray) or in another folder: absolute paths only.
                "data_dir": settings.data_dir.resolve(),
                "database_url": settings.resolved_database_url,
            }
        ).model_dump(mode="json")
        config = EngineConfig(worker_settings, workers, options.rescore)
        engine = (
            RayEngine(config, settings.ray_address, cores)
            if options.engine == "ray"
            else LocalEngine(config)
        )
        log.info(
            "%d recordings to process on %d %s workers of %d threads",
            len(plan.tasks),
            workers,
            options.engine,
            threads,
        )
        for item in engine.run(plan.tasks):
            if item.outcome == "scored":
                audio_scored += item.audio_seconds or 0.0
            advance(
                replace(item, content_hash=plan.hashes[item.source]), plan.expected[item.source]
            )
    run = batches.finish_run(run_id)
    return BatchSummary(
        run, tuple(failures), audio_scored, time.perf_counter() - started, workers, threads
    )
