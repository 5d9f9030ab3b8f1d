"""The background worker: one thread in the service process that takes queued jobs one at a
time and processes them with the service's models (loaded once, shared with the requests).

While a job runs, a second small thread renews its heartbeat, so that another process can tell
a slow job from one whose process died. Processing is idempotent (calls are keyed by content,
scores by rubric and model versions): a job done twice, after a crash, stores nothing twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from ..models import ModelRegistry
from ..processing import CallProcessor
from ..score import RubricLibrary
from ..settings import Settings
from ..storage import CallStore
from ..transcribe import AudioError
from .store import Job, JobStore
from .uploads import discard_upload

log = logging.getLogger("qa_assist")

#: Seconds ``stop`` waits for the job in hand before giving it back to the queue.
STOP_WAIT = 5.0


def worker_name() -> str:
    """Which process holds a job: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@contextmanager
def _heartbeats(jobs: JobStore, job: Job, worker: str, interval: float) -> Iterator[None]:
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval):
            try:
                if not jobs.heartbeat(job.id, worker):
                    log.warning("job %d is no longer held by this worker", job.id)
                    return
            except SQLAlchemyError as error:
                log.warning("heartbeat of job %d not written: %s", job.id, error)

    thread = threading.Thread(target=beat, name=f"qa-assist-heartbeat-{job.id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


class JobWorker:
    def __init__(
        self,
        settings: Settings,
        jobs: JobStore,
        registry: ModelRegistry,
        store: CallStore,
        on_done: Callable[[float], None] | None = None,
    ) -> None:
        """``on_done`` is told the processing seconds of every job done (metrics)."""
        self.settings = settings
        self.jobs = jobs
        self.registry = registry
        self.store = store
        self.on_done = on_done
        self.name = worker_name()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._current: Job | None = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="qa-assist-worker", daemon=True)
        self._thread.start()
        log.info("job worker %s started", self.name)

    def stop(self) -> None:
        """Stop taking jobs; a job still being processed after ``STOP_WAIT`` goes back to the
        queue for the next start (its attempt not counted) while this process exits."""
        self._stop.set()
        if self._thread is None:
            return
        self._thread.join(STOP_WAIT)
        current = self._current
        if (
            self._thread.is_alive()
            and current is not None
            and self.jobs.release(current.id, self.name)
        ):
            log.info("job %d given back to the queue unfinished", current.id)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_once()
            except SQLAlchemyError as error:
                log.error("job queue unavailable: %s", error)
                worked = False
            if not worked:
                self._stop.wait(self.settings.worker_poll_seconds)

    def run_once(self) -> bool:
        """Take one job and process it; False when none was waiting."""
        for abandoned in self.jobs.give_up_abandoned():
            discard_upload(Path(abandoned.upload_path), self.settings.upload_dir)
        job = self.jobs.claim(self.name)
        if job is None:
            return False
        self._current = job
        try:
            self._process(job)
        finally:
            self._current = None
        return True

    def _process(self, job: Job) -> None:
        started = time.monotonic()
        upload = Path(job.upload_path)
        with _heartbeats(self.jobs, job, self.name, self.settings.worker_heartbeat_seconds):
            try:
                library = RubricLibrary(self.settings.resolved_rubrics_dir)
                rubric = library.load(job.rubric) if job.rubric else None
                processor = CallProcessor(self.settings, self.registry, self.store, rubric)
                processed = processor.process(upload, job.scenario, job.metadata)
            except AudioError as error:
                log.warning("job %d (%s) failed: %s", job.id, job.file_name, error.reason)
                if self.jobs.fail(job.id, self.name, error.reason, time.monotonic() - started):
                    discard_upload(upload, self.settings.upload_dir)
                return
            except Exception as error:  # a model, the database...: maybe not next time
                log.exception("job %d (%s) broke", job.id, job.file_name)
                reason = f"{type(error).__name__}: {error}"
                if self.jobs.retry(job.id, self.name, reason, time.monotonic() - started):
                    latest = self.jobs.get(job.id)
                    if latest is not None and latest.status == "failed":
                        discard_upload(upload, self.settings.upload_dir)
                return
        seconds = time.monotonic() - started
        # Only the holder of the job removes its upload: a worker that lost the job (taken
        # for dead while it was slow) leaves the file to the one that holds it now.
        if not self.jobs.finish(job.id, self.name, processed.call_id, seconds):
            return
        log.info(
            "job %d (%s): call %d in %.1f s", job.id, job.file_name, processed.call_id, seconds
        )
        discard_upload(upload, self.settings.upload_dir)
        if self.on_done is not None:
            self.on_done(seconds)
