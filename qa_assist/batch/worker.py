"""A batch worker: models loaded once, then one recording after another into the shared
database. The local engine runs one per process, the Ray engine one per actor."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from ..storage import BatchItem
from .tasks import Task

log = logging.getLogger("qa_assist")


class Worker:
    def __init__(self, settings: dict[str, Any], rescore_changed: bool) -> None:
        from ..models import ModelRegistry
        from ..processing import CallProcessor
        from ..settings import Settings
        from ..storage import CallStore, open_database

        loaded = Settings(**settings)
        store = CallStore(open_database(loaded.resolved_database_url))
        self.processor = CallProcessor(loaded, ModelRegistry(loaded), store)
        self.rescore_changed = rescore_changed

    def run(self, task: Task) -> BatchItem:
        """Process one recording; every error becomes a failed result, never an exception."""
        from ..models import ModelError
        from ..score import RubricError
        from ..transcribe import AudioError

        started = time.perf_counter()
        try:
            done = self.processor.process(
                Path(task.path), task.scenario, task.metadata, self.rescore_changed
            )
        except AudioError as error:
            # The item names the file already.
            return BatchItem(
                task.path, "failed", error.reason, seconds=time.perf_counter() - started
            )
        except (RubricError, ModelError, OSError) as error:
            return BatchItem(task.path, "failed", str(error), seconds=time.perf_counter() - started)
        except Exception as error:  # one bad file never stops the batch, whatever broke
            log.exception("processing %s failed", task.path)
            return BatchItem(
                task.path,
                "failed",
                f"{type(error).__name__}: {error}",
                seconds=time.perf_counter() - started,
            )
        return BatchItem(
            task.path,
            "scored" if done.score else "skipped",
            "" if done.score else f"already scored (call {done.call_id})",
            call_id=done.call_id,
            audio_seconds=done.duration,
            seconds=time.perf_counter() - started,
        )


#: The process's worker in a local pool (set by ``start``).
_worker: Worker | None = None


def start(settings: dict[str, Any], rescore_changed: bool) -> None:
    """Pool initializer: load the worker of this process."""
    global _worker
    _worker = Worker(settings, rescore_changed)


def run(task: Task) -> BatchItem:
    assert _worker is not None, "worker.start was not called in this process"
    return _worker.run(task)
