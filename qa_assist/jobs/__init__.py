"""The service's background work: uploaded recordings queued in the database, processed by a
worker thread, surviving a crash of the process (see ``store`` for how)."""

from .metrics import ServiceMetrics
from .store import JOB_STATUSES, Job, JobCounts, JobStatus, JobStore, NewJob
from .uploads import (
    EmptyUpload,
    NotAudio,
    SavedUpload,
    UploadRefused,
    UploadTooLarge,
    check_audio_name,
    clean_name,
    discard_upload,
    save_upload,
)
from .worker import JobWorker

__all__ = [
    "JOB_STATUSES",
    "EmptyUpload",
    "Job",
    "JobCounts",
    "JobStatus",
    "JobStore",
    "JobWorker",
    "NewJob",
    "NotAudio",
    "SavedUpload",
    "ServiceMetrics",
    "UploadRefused",
    "UploadTooLarge",
    "check_audio_name",
    "clean_name",
    "discard_upload",
    "save_upload",
]
