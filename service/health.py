"""Health check for load balancers and operators: is the database and Redis reachable?"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect

from service.context import current_runtime
from service.responses import json_response

blueprint = Blueprint("health", __name__)


def _check(probe: object) -> str:
    """Run one probe; 'ok' or the error's type (never its text, which may hold a URL)."""
    try:
        probe()  # type: ignore[operator]
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        return f"unavailable: {type(error).__name__}"
    return "ok"


@blueprint.get("/healthz")
def healthz() -> Response:
    """200 when the database and Redis answer, 503 otherwise, with each check's result."""
    runtime = current_runtime()
    checks = {
        "database": _check(runtime.store.ping),
        "redis": _check(runtime.redis.ping),
    }
    healthy = all(value == "ok" for value in checks.values())
    body: dict[str, Any] = {"status": "ok" if healthy else "unavailable", "checks": checks}
    try:
        body["queue_depth"] = runtime.queue.depth() if checks["redis"] == "ok" else None
    except Exception:  # noqa: BLE001 - the depth is informative only
        body["queue_depth"] = None
    return json_response(body, 200 if healthy else 503)


@blueprint.get("/")
def home() -> Response:
    """People who open the service's address land on the moderator pages."""
    return redirect("/review", 302)  # type: ignore[return-value]
