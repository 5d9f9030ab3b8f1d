"""Persistence of calls, transcripts and scores (SQLAlchemy; SQLite by default)."""

from .calls import CallRecord, CallStore, NewCall
from .database import open_database

__all__ = ["CallRecord", "CallStore", "NewCall", "open_database"]
