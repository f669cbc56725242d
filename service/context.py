"""Access to the app's runtime from request handlers."""

from __future__ import annotations

from flask import current_app

from domain.infra.collaborators import Runtime


def current_runtime() -> Runtime:
    """The runtime the app was created with."""
    runtime: Runtime = current_app.extensions["moderation_runtime"]
    return runtime
