"""Agent assist: a pasted ticket or customer message classified (type, priority and why,
escalation risk, entities) with knowledge-base suggestions; a missing model or index is a
notice naming the command that makes it, not an error page."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from ...kb import KbIndexError, Suggester, Suggestions, knowledge_base
from ...models import ModelError
from ...triage import load_labels
from ...triage.results import TriageResult
from ..rendering import render
from .common import AssistUser

router = APIRouter()

#: Suggestions shown for a ticket.
SUGGESTIONS = 5
MAX_TEXT = 20_000


@dataclass(frozen=True)
class Missing:
    """What could not run, the command that fixes it and the reason given."""

    label: str
    command: str
    reason: str


@dataclass(frozen=True)
class Assisted:
    text: str
    triage: TriageResult | None
    suggestions: Suggestions | None
    missing: tuple[Missing, ...]


def entity_groups(result: TriageResult) -> list[tuple[str, list[str]]]:
    """(label key, values) of each kind of entity found."""
    entities = result.entities
    return [
        (f"entity_{field.name}", [item.value for item in getattr(entities, field.name)])
        for field in fields(entities)
        if getattr(entities, field.name)
    ]


def triage_name(kind: str, value: str, lang: str) -> str:
    """A triage label (``types``, ``subsystems``) in the page's language."""
    label = load_labels().get(kind, value)
    return label.zh if lang == "zh" else label.en


def assist(request: Request, text: str) -> Assisted:
    registry = request.app.state.registry
    missing: list[Missing] = []
    triage = None
    try:
        triage = registry.triage_classifier().classify(text)
    except ModelError as error:
        missing.append(Missing("triage_missing", "qa-assist triage train", str(error)))
    suggestions = None
    try:
        suggester = Suggester(
            knowledge_base(registry), registry.settings, registry.triage_classifier
        )
        suggestions = suggester.for_ticket(text, SUGGESTIONS)
    except (KbIndexError, ModelError) as error:
        missing.append(Missing("kb_missing", "qa-assist kb build", str(error)))
    return Assisted(text, triage, suggestions, tuple(missing))


@router.get("/assist", response_class=HTMLResponse)
def assist_page(request: Request, user: AssistUser) -> HTMLResponse:
    return render(
        request,
        "assist.html",
        user=user,
        result=None,
        text="",
        entity_groups=entity_groups,
        triage_name=triage_name,
    )


@router.post("/assist", response_class=HTMLResponse)
def assist_form(
    request: Request,
    user: AssistUser,
    text: Annotated[str, Form(max_length=MAX_TEXT)] = "",
) -> HTMLResponse:
    if not text.strip():
        return render(
            request,
            "assist.html",
            status_code=422,
            user=user,
            result=None,
            text=text,
            entity_groups=entity_groups,
            triage_name=triage_name,
        )
    return render(
        request,
        "assist.html",
        user=user,
        result=assist(request, text),
        text=text,
        entity_groups=entity_groups,
        triage_name=triage_name,
    )
