"""Server-rendered pages (jinja2), Chinese by default with an English switch (``?lang=en``)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..api.deps import Store

Language = Literal["zh", "en"]

templates = Jinja2Templates(directory=str(resources.files("qa_assist.web") / "templates"))
router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[str, str]]:
    text = (resources.files("qa_assist.web") / "labels.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _page(request: Request, template: str, lang: Language, **context: object) -> HTMLResponse:
    labels = {key: value[lang] for key, value in _labels().items()}
    return templates.TemplateResponse(
        request, template, {"t": labels, "lang": lang, **context}
    )


@router.get("/", response_class=HTMLResponse)
def call_list_page(request: Request, store: Store, lang: Language = "zh") -> HTMLResponse:
    records, count = store.list_calls(limit=200)
    return _page(request, "calls.html", lang, calls=records, count=count)


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(call_id: int, request: Request, store: Store, lang: Language = "zh") -> HTMLResponse:
    record = store.get_call(call_id)
    if record is None:
        raise HTTPException(status_code=404, detail=f"no call with id {call_id}")
    return _page(request, "call.html", lang, call=record)
