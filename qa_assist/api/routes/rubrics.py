"""Rubrics (评分表): every user who reads calls sees which ones score them; administrators
install a site's own versions (YAML), which are validated before anything is stored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from ...auth import User
from ...score import RubricError, RubricInfo, RubricLibrary, RubricVersionClash
from ..deps import require

router = APIRouter(prefix="/rubrics", tags=["rubrics"])

#: A rubric is a page or two of YAML; anything this large is a mistake.
MAX_RUBRIC_BYTES = 256 * 1024

Reader = Annotated[User, Depends(require("calls:read"))]
Admin = Annotated[User, Depends(require("rubrics:admin"))]


def _library(request: Request) -> RubricLibrary:
    return RubricLibrary(request.app.state.settings.resolved_rubrics_dir)


Library = Annotated[RubricLibrary, Depends(_library)]


class RubricList(BaseModel):
    data: list[RubricInfo]
    count: int


def _known(library: RubricLibrary, rubric_id: str) -> None:
    if rubric_id not in library.names():
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"no rubric {rubric_id!r} (rubrics: {', '.join(library.names())})",
        )


@router.get("", response_model=RubricList)
def list_rubrics(_: Reader, library: Library) -> RubricList:
    data = [library.info(name) for name in library.names()]
    return RubricList(data=data, count=len(data))


@router.get("/{rubric_id}", response_model=RubricInfo)
def get_rubric(rubric_id: str, _: Reader, library: Library) -> RubricInfo:
    _known(library, rubric_id)
    return library.info(rubric_id)


@router.get("/{rubric_id}/yaml", response_class=PlainTextResponse)
def get_rubric_yaml(rubric_id: str, _: Reader, library: Library) -> str:
    _known(library, rubric_id)
    return library.text(rubric_id)


@router.put(
    "/{rubric_id}",
    response_model=RubricInfo,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/yaml": {"schema": {"type": "string"}}},
        }
    },
)
async def install_rubric(
    rubric_id: str, request: Request, admin: Admin, library: Library
) -> RubricInfo:
    """Install the YAML in the body as the site's rubric of this id. A mistake is a 422
    naming the item and field; a changed text under a version already used is a 409."""
    body = await request.body()
    if len(body) > MAX_RUBRIC_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            detail=f"a rubric is at most {MAX_RUBRIC_BYTES} bytes",
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(422, detail="the rubric is not UTF-8 text") from None
    try:
        rubric = library.install(text, admin.name, expected_id=rubric_id)
    except RubricVersionClash as error:
        raise HTTPException(status.HTTP_409_CONFLICT, detail=str(error)) from None
    except RubricError as error:
        raise HTTPException(422, detail=str(error)) from None
    return library.info(rubric.id)


@router.delete("/{rubric_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_rubric(rubric_id: str, _: Admin, library: Library) -> None:
    """Drop the site's rubric of this id; a shipped rubric of the id scores again."""
    try:
        library.remove(rubric_id)
    except RubricError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(error)) from None
