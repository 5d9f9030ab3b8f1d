"""Rendering a page: the jinja2 templates, the zh/en labels, the language of the request
(``?lang=en`` switches and is remembered in a cookie; Chinese by default) and the navigation
the signed-in user's role may use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..api.deps import signed_in_user
from ..auth import User

Language = Literal["zh", "en"]
LANGUAGE_COOKIE = "qa_assist_lang"

templates = Jinja2Templates(directory=str(resources.files("qa_assist.web") / "templates"))


@dataclass(frozen=True)
class NavLink:
    path: str
    #: key of labels.yaml
    label: str
    #: the permission a user needs to see the link
    permission: str


NAVIGATION = (
    NavLink("/", "calls", "calls:read"),
    NavLink("/review", "review_queue", "reviews:write"),
    NavLink("/assist", "assist", "assist:use"),
    NavLink("/dashboard", "dashboard", "dashboard:read"),
    NavLink("/upload", "upload", "calls:upload"),
)


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    text = (resources.files("qa_assist.web") / "labels.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def translations(lang: Language) -> dict[str, str]:
    return {key: value[lang] for key, value in labels().items()}


def language(request: Request) -> Language:
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    return "en" if chosen == "en" else "zh"


def clock(seconds: float | None) -> str:
    """``m:ss`` of a position in a recording."""
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


templates.env.filters.update(clock=clock, num=number, pct=percent)


def render(
    request: Request, template: str, status_code: int = 200, **context: object
) -> HTMLResponse:
    """The page in the request's language; a language chosen by ``?lang=`` is remembered."""
    lang = language(request)
    user = context.pop("user", None) or signed_in_user(request)
    other: Language = "zh" if lang == "en" else "en"
    switch = request.url.include_query_params(lang=other)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "t": translations(lang),
            "lang": lang,
            "user": user,
            "nav": [
                link for link in NAVIGATION if isinstance(user, User) and user.can(link.permission)
            ],
            "switch_url": f"{switch.path}?{switch.query}",
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
    )
    if request.query_params.get("lang") in ("zh", "en"):
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response
