"""Ticket triage: classify one ticket or a batch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from ...models import ModelError
from ...triage.classifier import TriageClassifier
from ...triage.results import TriageResult
from ..deps import require

router = APIRouter(prefix="/tickets", tags=["tickets"])

#: Tickets per batch request: a full batch takes a few seconds on 2 cores.
MAX_BATCH = 256


class Ticket(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1, max_length=20_000, description="Ticket, e-mail, chat or transcript text."
    )
    id: str | None = Field(default=None, description="Your id, returned with the result.")


class TicketBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tickets: list[Ticket] = Field(min_length=1, max_length=MAX_BATCH)


class ClassifiedTicket(BaseModel):
    id: str | None
    result: TriageResult


class ClassifiedBatch(BaseModel):
    data: list[ClassifiedTicket]
    count: int


def _classifier(request: Request) -> TriageClassifier:
    try:
        return request.app.state.registry.triage_classifier()
    except ModelError as error:
        raise HTTPException(status_code=503, detail=str(error)) from error


Classifier = Annotated[TriageClassifier, Depends(_classifier)]


@router.post(
    "/classify",
    response_model=TriageResult | ClassifiedBatch,
    dependencies=[Depends(require("assist:use"))],
)
def classify(body: Ticket | TicketBatch, classifier: Classifier) -> TriageResult | ClassifiedBatch:
    """`{"text": ...}` gives one result; `{"tickets": [{"text": ..., "id": ...}, ...]}` gives
    `{data, count}` with a result per ticket, in order (classified in batches: much faster)."""
    if isinstance(body, Ticket):
        if not body.text.strip():
            raise HTTPException(status_code=422, detail="text is blank")
        return classifier.classify(body.text)
    blank = [index for index, ticket in enumerate(body.tickets) if not ticket.text.strip()]
    if blank:
        raise HTTPException(status_code=422, detail=f"tickets {blank} have blank text")
    results = classifier.classify_batch([ticket.text for ticket in body.tickets])
    data = [ClassifiedTicket(id=t.id, result=r) for t, r in zip(body.tickets, results, strict=True)]
    return ClassifiedBatch(data=data, count=len(data))
