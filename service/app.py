"""The Flask application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from config import Settings
from domain.infra.collaborators import Runtime
from service import (
    api,
    body_limit,
    compat,
    errors,
    feedback,
    health,
    metrics,
    moderation_api,
    newsroom_api,
    openapi,
    precheck_api,
    review,
    security,
    sessions,
)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the web app: intake API, results API, health and OpenAPI document."""
    settings = settings or (runtime.settings if runtime else Settings.from_env())
    runtime = runtime or Runtime(settings)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        JSON_SORT_KEYS=False,
    )
    app.session_interface = sessions.CookieSessions()
    app.extensions["moderation_runtime"] = runtime
    runtime.store.migrate()
    errors.register(app)
    body_limit.register(app, settings.max_body_bytes)
    security.register(app)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(feedback.blueprint)
    app.register_blueprint(health.blueprint)
    metrics.register(app)  # GET /metrics and intake counts
    app.register_blueprint(openapi.blueprint)
    app.register_blueprint(moderation_api.blueprint)
    app.register_blueprint(newsroom_api.blueprint)  # reports, appeals, authors' data
    app.register_blueprint(precheck_api.blueprint)  # the nudge: POST /comments:check
    compat.register(app)  # Perspective, Akismet, Coral Talk: key/signature auth, CSRF-exempt
    review.register(app)
    review.protect(app)  # CSRF on every form; last, so it sees every API blueprint to exempt
    logging.getLogger(__name__).debug("app created for %s", _describe(settings))
    return app


def _describe(settings: Settings) -> dict[str, Any]:
    """What a log line may say about the settings (no secrets, no URLs with passwords)."""
    return {"data_dir": str(settings.data_dir), "workers": settings.web_workers}
