"""The pages, one module per group: calls (list, detail, exports), review queue, agent assist,
dashboard and daily report, upload."""

from fastapi import APIRouter

from . import assist, calls, dashboard, review, upload

router = APIRouter(include_in_schema=False)
for module in (calls, review, assist, dashboard, upload):
    router.include_router(module.router)

__all__ = ["router"]
