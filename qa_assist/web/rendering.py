"""Rendering a page: the jinja2 templates, the zh/en labels, and the language of the request
(``?lang=en`` switches and is remembered in a cookie; Chinese by default)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

Language = Literal["zh", "en"]
LANGUAGE_COOKIE = "qa_assist_lang"

templates = Jinja2Templates(directory=str(resources.files("qa_assist.web") / "templates"))


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    text = (resources.files("qa_assist.web") / "labels.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def language(request: Request) -> Language:
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    return "en" if chosen == "en" else "zh"


def render(request: Request, template: str, status_code: int = 200, **context: object) -> HTMLResponse:
    """The page in the request's language; a language chosen by ``?lang=`` is remembered."""
    lang = language(request)
    t = {key: value[lang] for key, value in labels().items()}
    response = templates.TemplateResponse(
        request, template, {"t": t, "lang": lang, **context}, status_code=status_code
    )
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response
