"""Persistence of calls, transcripts, scores and their human reviews (SQLAlchemy; SQLite by default)."""

from .calls import CallRecord, CallStore, NewCall
from .database import open_database
from .reviews import AuditEntry, QueuedCall, ReviewError, ReviewStore, ReviewTargetMissing

__all__ = [
    "AuditEntry",
    "CallRecord",
    "CallStore",
    "NewCall",
    "QueuedCall",
    "ReviewError",
    "ReviewStore",
    "ReviewTargetMissing",
    "open_database",
]
