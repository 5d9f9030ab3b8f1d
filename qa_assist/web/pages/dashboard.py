"""The supervisors' dashboard (scores, item failures, ticket categories and their alerts over
a period) and the nightly batch's daily report, both exportable."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ...analytics import Dashboard, Table, build_dashboard
from ...batch import build_report, render_html
from ...batch.render import report_tables
from ..export import download
from ..rendering import Language, language, render, translations
from .common import DashboardReader, settings_of

router = APIRouter()


def _day(request: Request, name: str, default: date) -> date:
    value = request.query_params.get(name, "").strip()
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, detail=f"{name}={value!r} is not a date (YYYY-MM-DD)") from None


def _dashboard(request: Request) -> Dashboard:
    settings = settings_of(request)
    end = _day(request, "end", date.today())
    start = _day(request, "start", end - timedelta(days=settings.web_dashboard_days - 1))
    if start > end:
        raise HTTPException(422, detail=f"start {start} is after end {end}")
    if (end - start).days >= 366:
        raise HTTPException(422, detail="the period is longer than a year")
    params = request.query_params
    return build_dashboard(
        request.app.state.store.sessions,
        settings,
        start,
        end,
        agent=params.get("agent", "").strip() or None,
        team=params.get("team", "").strip() or None,
    )


def dashboard_tables(board: Dashboard, lang: Language) -> dict[str, Table]:
    t = translations(lang)
    groups = (t["calls_count"], t["average"], t["fatal"], t["to_review"])

    def grouped(lines) -> tuple:  # type: ignore[no-untyped-def]
        return tuple((g.name, g.calls, g.average, g.fatal, g.to_review) for g in lines)

    def name(zh: str, en: str) -> str:
        return zh if lang == "zh" else en

    return {
        "trend": Table(t["trend"], (t["day"], *groups), grouped(board.trend)),
        "agents": Table(t["by_agent"], (t["agent"], *groups), grouped(board.agents)),
        "teams": Table(t["by_team"], (t["team"], *groups), grouped(board.teams)),
        "items": Table(
            t["item_failures"][:31],
            (t["item"], t["failed_count"], t["judged"], t["fail_rate"]),
            tuple(
                (name(i.title_zh, i.title_en), i.failed, i.judged, round(i.rate, 3))
                for i in board.items
            ),
        ),
        "categories": Table(
            t["category_trends"],
            (t["category"], *(d.isoformat() for d in board.days)),
            tuple((name(c.zh, c.en), *c.counts) for c in board.category_trends),
        ),
        "alerts": Table(
            t["alerts"],
            (t["category"], t["calls_count"], t["share"], t["baseline"], t["alerts"]),
            tuple(
                (name(c.zh, c.en), c.count, c.share, c.baseline_share, t["yes"] if c.alert else "")
                for c in board.categories
            ),
        ),
    }


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, user: DashboardReader) -> HTMLResponse:
    board = _dashboard(request)
    return render(
        request,
        "dashboard.html",
        user=user,
        board=board,
        query=request.url.query,
        most=max((b.count for b in board.distribution), default=0),
        report_day=board.end.isoformat(),
    )


@router.get("/dashboard.{fmt}")
def export_dashboard(fmt: str, request: Request, user: DashboardReader) -> Response:
    board = _dashboard(request)
    tables = dashboard_tables(board, language(request))
    name = f"dashboard-{board.start.isoformat()}-{board.end.isoformat()}"
    return download(tables, name, fmt, request.query_params.get("table"))


def _report(request: Request, day: str):  # type: ignore[no-untyped-def]
    try:
        chosen = date.fromisoformat(day)
    except ValueError:
        raise HTTPException(422, detail=f"{day!r} is not a date (YYYY-MM-DD)") from None
    settings = settings_of(request)
    if not settings.report_url:
        # Links in the report lead back to this server.
        settings = settings.model_copy(update={"report_url": str(request.base_url)})
    return build_report(request.app.state.store.sessions, chosen, settings)


@router.get("/reports/{day}.{fmt}")
def export_report(day: str, fmt: str, request: Request, user: DashboardReader) -> Response:
    report = _report(request, day)
    return download(report_tables(report), f"report-{day}", fmt, request.query_params.get("table"))


@router.get("/reports/{day}", response_class=HTMLResponse)
def report_page(day: str, request: Request, user: DashboardReader) -> HTMLResponse:
    return HTMLResponse(render_html(_report(request, day)))
