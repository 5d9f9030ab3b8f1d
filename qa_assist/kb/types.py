"""What the knowledge base stores and returns: plain dataclasses shared by the CLI and the API."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

Collection = Literal["answer", "case"]
COLLECTIONS: tuple[Collection, ...] = ("answer", "case")
SearchMode = Literal["hybrid", "dense", "bm25"]
SEARCH_MODES: tuple[SearchMode, ...] = ("hybrid", "dense", "bm25")

#: Fields every entry has; everything else in a source row is metadata, kept as given.
CORE_FIELDS = ("id", "collection", "title", "text")
#: Metadata fields whose values are lists (a CSV or XLSX cell holds them joined by | or ;).
LIST_FIELDS = ("vehicle_models", "question_patterns", "symptoms", "dtcs", "parts")
#: Metadata whose words are searched with the title and text (questions, symptoms, codes...).
SEARCHED_FIELDS = ("question_patterns", "symptoms", "dtcs", "diagnosis", "fix", "vehicle_model")


@dataclass(frozen=True)
class KbEntry:
    """One standard answer (标准话术) or repair case (维修案例)."""

    id: str
    collection: Collection
    title: str
    text: str
    #: every other field of the source row (category, vehicle_models, dtcs, parts...)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def category(self) -> str | None:
        """The answer's category, or the case's subsystem: what the category filter matches."""
        value = self.metadata.get("category") or self.metadata.get("subsystem")
        return str(value) if value else None

    @property
    def vehicle_models(self) -> tuple[str, ...]:
        """Models the entry is for; empty means every model."""
        models = self.metadata.get("vehicle_models")
        if isinstance(models, list):
            return tuple(str(model) for model in models)
        single = self.metadata.get("vehicle_model")
        return (str(single),) if single else ()

    @property
    def validity(self) -> tuple[date | None, date | None]:
        """First and last day the entry applies (a standard answer's ``valid_from`` and
        ``valid_to``); None for open ends. Checked when the entry is read."""
        return _date(self.metadata.get("valid_from")), _date(self.metadata.get("valid_to"))

    @property
    def scenario(self) -> str | None:
        value = self.metadata.get("scenario")
        return str(value) if value else None

    def searchable_text(self) -> str:
        """What both retrievers read: title, the searched metadata, then the text."""
        parts = [self.title]
        for name in SEARCHED_FIELDS:
            value = self.metadata.get(name)
            if isinstance(value, list):
                parts.extend(str(item) for item in value)
            elif value:
                parts.append(str(value))
        parts.append(self.text)
        return "\n".join(parts)

    def question_text(self) -> str:
        """How people ask for the entry: its title, question patterns and symptoms."""
        asked = [self.title]
        for name in ("question_patterns", "symptoms"):
            value = self.metadata.get(name)
            if isinstance(value, list):
                asked.extend(str(item) for item in value)
        return "；".join(asked)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-lines form: core fields and metadata side by side."""
        return {
            "id": self.id,
            "collection": self.collection,
            "title": self.title,
            "text": self.text,
            **self.metadata,
        }


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Span:
    """Characters ``start`` to ``end`` (exclusive) of a text."""

    start: int
    end: int


@dataclass(frozen=True)
class SearchHit:
    id: str
    collection: Collection
    title: str
    #: the fused score (hybrid) or the retriever's own score; compare within one result list
    score: float
    text: str
    #: the sentence of ``text`` that matches the query best
    passage: str
    #: where ``passage`` starts and ends in ``text``
    passage_span: Span
    #: query words found in ``text``
    highlights: tuple[Span, ...]
    #: ``passage`` as HTML-escaped text with the query words in ``<mark>`` tags
    passage_html: str
    metadata: dict[str, Any]
    #: 1-based rank of the entry in each retriever's list (absent: not in its candidates)
    ranks: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class TriageHint:
    """What the triage model made of a ticket, used to favour matching standard answers."""

    type: str
    confidence: float
    #: the subsystem of a fault ticket, if the model gave one
    subsystem: str | None = None


@dataclass(frozen=True)
class Suggestions:
    """The top entries for a ticket or a call, and what the query was made of."""

    kind: Literal["ticket", "transcript", "partial"]
    hits: tuple[SearchHit, ...]
    #: the text the search ran on (for a call: the customer's turns first)
    query: str
    hint: TriageHint | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class IngestProblem:
    """A source row that could not be read; the other rows still load."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class IngestResult:
    entries: tuple[KbEntry, ...]
    problems: tuple[IngestProblem, ...]
