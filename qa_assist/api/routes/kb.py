"""Knowledge base over HTTP: search, add or replace documents, delete them, and suggestions
for a ticket, a call transcript or a call under way."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ...kb import (
    KbEntry,
    KbIndexError,
    KbIndexMissing,
    KnowledgeBase,
    PlainTurn,
    SearchHit,
    Suggester,
    Suggestions,
    knowledge_base,
    to_entry,
)
from ...kb.search import Filters
from ...models import ModelError
from ..deps import require

router = APIRouter(tags=["knowledge base"])

_ASSIST = [Depends(require("assist:use"))]
_EDIT = [Depends(require("kb:write"))]

#: Documents per upsert request: each is embedded, about 30 a second on 2 cores.
MAX_DOCUMENTS = 1000

Collection = Literal["answer", "case"]


def _knowledge_base(request: Request) -> KnowledgeBase:
    return knowledge_base(request.app.state.registry)


KB = Annotated[KnowledgeBase, Depends(_knowledge_base)]


class _FilterFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    k: int = Field(default=5, ge=1, le=50, description="How many hits.")
    collection: Collection | None = Field(default=None, description="Only this collection.")
    category: str | None = Field(
        default=None, description="Only this answer category or case subsystem."
    )
    vehicle_model: str | None = Field(
        default=None, description="Only entries for this model (and those for every model)."
    )
    valid_on: date | None = Field(
        default=None, description="Only entries valid on this day (valid_from/valid_to)."
    )

    def filters(self) -> Filters:
        return Filters(self.collection, self.category, self.vehicle_model, self.valid_on)


class SearchRequest(_FilterFields):
    query: str = Field(min_length=1, max_length=2000, description="What to look for.")
    mode: Literal["hybrid", "dense", "bm25"] = Field(
        default="hybrid", description="Fused search, or one retriever alone."
    )


class SearchResponse(BaseModel):
    hits: list[SearchHit]
    count: int


class Document(BaseModel):
    """An entry: ``id``, ``collection``, ``title``, ``text``; any other field (category,
    scenario, vehicle_models, symptoms, dtcs, parts...) is kept as metadata."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1, max_length=200)
    collection: Collection
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)


class DocumentBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[Document] = Field(min_length=1, max_length=MAX_DOCUMENTS)


class UpsertResponse(BaseModel):
    added: list[str]
    replaced: list[str]
    count: int = Field(description="Entries in the knowledge base now.")


class DeleteResponse(BaseModel):
    deleted: str
    count: int = Field(description="Entries in the knowledge base now.")


class TurnIn(BaseModel):
    """A turn of a call (a transcript's turns carry more fields; only these two are read)."""

    model_config = ConfigDict(extra="ignore")

    speaker: Literal["agent", "customer", "unknown"] = "unknown"
    text: str


class TranscriptIn(BaseModel):
    """A transcript as ``/calls`` returns it, or just its turns."""

    model_config = ConfigDict(extra="ignore")

    turns: list[TurnIn] = Field(min_length=1)


class SuggestRequest(_FilterFields):
    """Exactly one of ``ticket``, ``transcript`` and ``partial``."""

    ticket: str | None = Field(
        default=None, max_length=20_000, description="Ticket, e-mail or chat text."
    )
    transcript: TranscriptIn | None = Field(
        default=None, description="A finished call: the customer's turns weigh most."
    )
    partial: list[TurnIn] | str | None = Field(
        default=None, description="A call under way: its turns so far, or its running text."
    )

    @model_validator(mode="after")
    def _one_source(self) -> SuggestRequest:
        given = [name for name in ("ticket", "transcript", "partial") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("give exactly one of ticket, transcript and partial")
        return self


def _unavailable(error: Exception) -> HTTPException:
    return HTTPException(status_code=503, detail=str(error))


def _entries(documents: list[Document]) -> list[KbEntry]:
    entries, problems = [], []
    for number, document in enumerate(documents):
        entry = to_entry(document.model_dump())
        if isinstance(entry, str):
            problems.append(f"documents[{number}]: {entry}")
        else:
            entries.append(entry)
    if problems:
        raise HTTPException(status_code=422, detail="; ".join(problems))
    return entries


@router.post("/kb/search", response_model=SearchResponse, dependencies=_ASSIST)
def search(body: SearchRequest, kb: KB) -> SearchResponse:
    """The best entries for a query, each with its score and the matched passage highlighted
    (`passage_html` with `<mark>` tags; `highlights` and `passage_span` as offsets in `text`)."""
    if not body.query.strip():
        raise HTTPException(status_code=422, detail="query is blank")
    try:
        hits = kb.search(body.query, body.k, body.filters(), mode=body.mode)
    except (KbIndexError, ModelError) as error:
        raise _unavailable(error) from error
    return SearchResponse(hits=hits, count=len(hits))


@router.post("/kb/documents", response_model=UpsertResponse, dependencies=_EDIT)
def upsert(body: Document | DocumentBatch, kb: KB) -> UpsertResponse:
    """Add one document (`{id, collection, title, text, ...}`) or many (`{"documents": [...]}`);
    a document whose id exists replaces it. Saved before the response is sent."""
    documents = [body] if isinstance(body, Document) else body.documents
    entries = _entries(documents)
    try:
        outcome = kb.upsert(entries)
        count = kb.index().size
    except KbIndexMissing:
        raise HTTPException(
            status_code=503,
            detail="no knowledge base yet: build one with `qa-assist kb build` first",
        ) from None
    except (KbIndexError, ModelError) as error:
        raise _unavailable(error) from error
    return UpsertResponse(added=list(outcome.added), replaced=list(outcome.replaced), count=count)


@router.delete("/kb/documents/{entry_id}", response_model=DeleteResponse, dependencies=_EDIT)
def delete(entry_id: str, kb: KB) -> DeleteResponse:
    try:
        kb.delete([entry_id])
        count = kb.index().size
    except KeyError:
        raise HTTPException(status_code=404, detail=f"no document with id {entry_id!r}") from None
    except ValueError as error:
        raise HTTPException(status_code=409, detail=str(error)) from None
    except KbIndexError as error:
        raise _unavailable(error) from error
    return DeleteResponse(deleted=entry_id, count=count)


@router.post("/suggest", response_model=Suggestions, dependencies=_ASSIST)
def suggest(body: SuggestRequest, kb: KB, request: Request) -> Any:
    """Suggestions for a ticket (with the triage type used as a hint), a finished call or a
    call under way."""
    registry = request.app.state.registry
    suggester = Suggester(kb, registry.settings, registry.triage_classifier)
    filters = body.filters()
    try:
        if body.ticket is not None:
            if not body.ticket.strip():
                raise HTTPException(status_code=422, detail="ticket is blank")
            return suggester.for_ticket(body.ticket, body.k, filters)
        if body.transcript is not None:
            turns = [PlainTurn(turn.speaker, turn.text) for turn in body.transcript.turns]
            return suggester.for_transcript(turns, body.k, filters)
        partial = body.partial
        if isinstance(partial, list):
            return suggester.for_partial(
                [PlainTurn(turn.speaker, turn.text) for turn in partial], body.k, filters
            )
        return suggester.for_partial(partial or "", body.k, filters)
    except (KbIndexError, ModelError) as error:
        raise _unavailable(error) from error
