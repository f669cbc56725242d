"""Drop-in endpoints for clients of Perspective, Akismet and Coral Talk's external moderation."""

from __future__ import annotations

from flask import Flask

from service.compat import akismet, coral, perspective, perspective_discovery

__all__ = ["register"]


def register(app: Flask) -> None:
    """Register the compatibility blueprints (all key- or signature-authenticated, no cookies)."""
    for module in (perspective, perspective_discovery, akismet, coral):
        app.register_blueprint(module.blueprint)
