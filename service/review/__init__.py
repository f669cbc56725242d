"""The moderator pages: log-in, the queue, authors, history, audit, dashboard and admin."""

from __future__ import annotations

from flask import Flask, Response, render_template
from flask_wtf.csrf import CSRFError

from domain.review.context import explain
from domain.review.decisions import REASONS, highlight
from service.errors import wants_json
from service.responses import error_response
from service.review import (
    admin,
    appeals,
    audit,
    author,
    context,
    dashboard,
    history,
    policy_notes,
    queue,
    rules_admin,
)
from service.review import auth as auth
from service.review.csrf import protect
from service.review.formatting import age, percent

__all__ = ["protect", "register"]


def _csrf_failed(error: CSRFError) -> Response | tuple[str, int]:
    """A form without a valid token: say so plainly (an expired page is the usual cause)."""
    if wants_json():
        return error_response(400, "csrf_failed", error.description or "CSRF check failed.")
    return render_template(
        "review/error.html", title="Form expired", message=error.description
    ), 400


def register(app: Flask) -> None:
    """Register the pages' blueprints, template helpers and the CSRF failure page."""
    for module in (auth, queue, context, author, history, audit, dashboard, admin, appeals,
                   rules_admin):
        app.register_blueprint(module.blueprint)
    app.add_template_global(highlight, "highlight")
    app.add_template_global(explain, "explain")
    app.add_template_global(policy_notes.explain, "explain_reason")
    app.jinja_env.globals["REASONS"] = REASONS
    app.add_template_filter(age, "age")
    app.add_template_filter(percent, "percent")
    app.register_error_handler(CSRFError, _csrf_failed)
