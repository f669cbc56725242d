"""GET /metrics for Prometheus (no site key: bind it to a private address in production)."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request
from prometheus_client import CONTENT_TYPE_LATEST

from domain.infra.metrics import QueueDepth, exposition, metrics
from service.context import current_runtime

blueprint = Blueprint("metrics", __name__)
INTAKE_ENDPOINT = "api.create_comment"


@blueprint.get("/metrics")
def scrape() -> Response:
    """Every process's samples on this machine, and the pending-queue length read now."""
    body = exposition([QueueDepth(current_runtime().queue.depth)])
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def count_intake(response: Response) -> Response:
    """Count each intake request by the status code it got."""
    if request.endpoint == INTAKE_ENDPOINT:
        metrics().intake.labels(status=str(response.status_code)).inc()
    return response


def register(app: Flask) -> None:
    """Serve /metrics and count intake responses."""
    app.register_blueprint(blueprint)
    app.after_request(count_intake)
