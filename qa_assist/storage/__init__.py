"""Persistence of calls, transcripts, scores and their human reviews (SQLAlchemy; SQLite by default)."""

from .batches import BatchItem, BatchRun, BatchStore
from .calls import (
    CallColumns,
    CallMetadata,
    CallQuery,
    CallRecord,
    CallSort,
    CallStore,
    CallSummary,
    ChannelLayout,
    Direction,
    KeptAudio,
    NewCall,
    ScenarioSource,
    ScoreSummary,
    SortOrder,
    models_key,
)
from .database import open_database
from .disputes import AgentOptions, Dispute, DisputeStatus, DisputeStore
from .reviews import (
    AuditEntry,
    QueuedCall,
    ReviewConflict,
    ReviewError,
    ReviewStore,
    ReviewTargetMissing,
)

__all__ = [
    "AgentOptions",
    "AuditEntry",
    "BatchItem",
    "BatchRun",
    "BatchStore",
    "CallColumns",
    "CallMetadata",
    "CallQuery",
    "CallRecord",
    "CallSort",
    "CallStore",
    "CallSummary",
    "ChannelLayout",
    "Direction",
    "Dispute",
    "DisputeStatus",
    "DisputeStore",
    "KeptAudio",
    "NewCall",
    "QueuedCall",
    "ReviewConflict",
    "ReviewError",
    "ReviewStore",
    "ReviewTargetMissing",
    "ScenarioSource",
    "ScoreSummary",
    "SortOrder",
    "models_key",
    "open_database",
]
