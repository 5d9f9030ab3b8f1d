"""HTTP service: JSON API and web pages."""

from .app import API_PREFIX, create_app

__all__ = ["API_PREFIX", "create_app"]
