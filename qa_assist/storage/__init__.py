"""Persistence of calls, transcripts, scores and their human reviews (SQLAlchemy; SQLite by default)."""

from .batches import BatchItem, BatchRun, BatchStore
from .calls import (
    CallMetadata,
    CallRecord,
    CallStore,
    ChannelLayout,
    Direction,
    NewCall,
    ScenarioSource,
    models_key,
)
from .database import open_database
from .reviews import AuditEntry, QueuedCall, ReviewError, ReviewStore, ReviewTargetMissing

__all__ = [
    "AuditEntry",
    "BatchItem",
    "BatchRun",
    "BatchStore",
    "CallMetadata",
    "CallRecord",
    "CallStore",
    "ChannelLayout",
    "Direction",
    "NewCall",
    "QueuedCall",
    "ReviewError",
    "ReviewStore",
    "ReviewTargetMissing",
    "ScenarioSource",
    "models_key",
    "open_database",
]
