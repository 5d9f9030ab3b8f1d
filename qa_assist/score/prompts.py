"""Prompt templates (jinja2 files in ``prompts/``) rendered in a sandbox that fails on a
missing variable, so a template typo is an error and never an empty hole in a prompt."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

#: The repository's ``prompts/`` folder (beside the package in a checkout or editable install).
DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


class PromptError(ValueError):
    """A template that is missing or cannot be rendered."""


@lru_cache(maxsize=8)
def _environment(folder: Path) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )


def render_prompt(name: str, folder: Path | None = None, **variables: object) -> str:
    try:
        return _environment(folder or DEFAULT_PROMPTS_DIR).get_template(name).render(**variables)
    except jinja2.TemplateNotFound as error:
        raise PromptError(
            f"no prompt template {name!r} in {folder or DEFAULT_PROMPTS_DIR}"
        ) from error
    except jinja2.TemplateError as error:
        raise PromptError(f"prompt template {name!r}: {error}") from error
