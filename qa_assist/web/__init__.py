"""Web pages for QA specialists, agents and supervisors: server-rendered jinja2 templates with
a little plain JavaScript, Chinese by default with an English switch."""

from importlib import resources

from fastapi.staticfiles import StaticFiles

from .pages import router


def static_files() -> StaticFiles:
    """The pages' CSS and JavaScript, for ``app.mount("/static", ...)``."""
    return StaticFiles(directory=str(resources.files("qa_assist.web") / "static"))


__all__ = ["router", "static_files"]
