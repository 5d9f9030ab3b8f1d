"""The call list's filter form: query parameters read into a ``CallQuery`` (a bad value is a
422 naming the field), and written back into links (paging, exports) unchanged."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import get_args
from urllib.parse import urlencode

from fastapi import HTTPException
from starlette.datastructures import QueryParams

from ..auth import User
from ..storage.calls import CallQuery, CallSort, SortOrder

#: The form's fields, in the order links carry them.
FIELDS = (
    "date_from",
    "date_to",
    "agent",
    "team",
    "scenario",
    "min_score",
    "max_score",
    "fatal",
    "needs_review",
    "sort",
    "order",
    "per_page",
)
#: Most rows a page may be asked to show.
MAX_PER_PAGE = 500
SORTS: tuple[str, ...] = get_args(CallSort)
ORDERS: tuple[str, ...] = get_args(SortOrder)


def _refuse(name: str, value: str, expected: str) -> HTTPException:
    return HTTPException(status_code=422, detail=f"{name}={value!r} is not {expected}")


def _date(params: QueryParams, name: str) -> date | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _refuse(name, value, "a date (YYYY-MM-DD)") from None


def _score(params: QueryParams, name: str) -> float | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise _refuse(name, value, "a number") from None
    if not 0 <= number <= 100:
        raise _refuse(name, value, "between 0 and 100")
    return number


def _flag(params: QueryParams, name: str) -> bool | None:
    value = params.get(name, "").strip()
    if value in ("", "any"):
        return None
    if value in ("yes", "no"):
        return value == "yes"
    raise _refuse(name, value, "yes, no or any")


def _choice(params: QueryParams, name: str, choices: tuple[str, ...], default: str) -> str:
    value = params.get(name, "").strip() or default
    if value not in choices:
        raise _refuse(name, value, f"one of {', '.join(choices)}")
    return value


def _positive(params: QueryParams, name: str, default: int) -> int:
    value = params.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise _refuse(name, value, "a whole number from 1")
    return int(value)


@dataclass(frozen=True)
class CallFilters:
    """The form as the user filled it in, and the query it means."""

    values: dict[str, str]
    query: CallQuery
    page: int

    def link(self, path: str, **changes: object) -> str:
        """``path`` with these filters (and the changes) as its query string."""
        values = {**self.values, **{key: str(value) for key, value in changes.items()}}
        query = urlencode({key: value for key, value in values.items() if value})
        return f"{path}?{query}" if query else path


def call_filters(params: QueryParams, user: User, page_size: int) -> CallFilters:
    """The filters of a call list request; an agent sees only their own calls."""
    min_score, max_score = _score(params, "min_score"), _score(params, "max_score")
    if min_score is not None and max_score is not None and min_score > max_score:
        raise HTTPException(status_code=422, detail="min_score is above max_score")
    date_from, date_to = _date(params, "date_from"), _date(params, "date_to")
    if date_from and date_to and date_from > date_to:
        raise HTTPException(status_code=422, detail="date_from is after date_to")
    page = _positive(params, "page", 1)
    page_size = min(_positive(params, "per_page", page_size), MAX_PER_PAGE)
    query = CallQuery(
        date_from=date_from,
        date_to=date_to,
        agent_id=params.get("agent", "").strip() or None,
        team=params.get("team", "").strip() or None,
        scenario=params.get("scenario", "").strip() or None,
        min_score=min_score,
        max_score=max_score,
        fatal=_flag(params, "fatal"),
        needs_review=_flag(params, "needs_review"),
        sort=_choice(params, "sort", SORTS, "call_time"),  # type: ignore[arg-type]
        order=_choice(params, "order", ORDERS, "desc"),  # type: ignore[arg-type]
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    if user.role == "agent":
        # No agent id on the account: an id no call carries, so the list is empty.
        query = replace(query, agent_id=user.agent_id or "")
    values = {name: params.get(name, "").strip() for name in FIELDS}
    return CallFilters(values, query, page)
