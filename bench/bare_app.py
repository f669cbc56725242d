"""The intake ceiling: a bare Flask app that only validates a comment and XADDs it to a stream.

It runs under the same gunicorn options as `moderation web` (cli.gunicorn_app), so the ratio of
our end-to-end rate to its rate shows what storing, scoring and publishing cost on top of HTTP::

    REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python -m bench.bare_app --port 8001
"""

from __future__ import annotations

import argparse
import hmac
import os
import uuid
from typing import Any

import redis
from flask import Flask, Response
from gunicorn.app.base import BaseApplication

from cli.gunicorn_app import gunicorn_options
from domain.intake.validate import validate_submission
from service.api import bearer_token, parse_body
from service.responses import json_response

STREAM = "bench:bare:comments"


def create_bare_app(redis_url: str, key: str) -> Flask:
    """A Flask app with one intake route: authenticate, validate, XADD, answer 202."""
    app = Flask(__name__)
    client = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
    expected = key.encode()

    @app.post("/api/v1/comments")
    def create_comment() -> Response:
        """Validate and hand the comment to a stream; no database, no model."""
        token = bearer_token()
        if token is None or not hmac.compare_digest(token.encode(), expected):
            return json_response({"error": {"code": "unauthorized"}}, 401)
        result = validate_submission(parse_body())
        if result.submission is None:
            return json_response({"errors": result.errors}, 422)
        submission = result.submission
        comment_id = uuid.uuid4().hex
        client.xadd(
            STREAM,
            {
                "comment_id": comment_id,
                "article_id": submission.article_id,
                "sender_name": submission.sender_name,
                "email": submission.email,
                "comment": submission.comment,
            },
        )
        location = f"/api/v1/comments/{comment_id}"
        return json_response(
            {"id": comment_id, "status": "pending", "url": location}, 202, {"Location": location}
        )

    @app.get("/healthz")
    def healthz() -> Response:
        """200 when Redis answers."""
        client.ping()
        return json_response({"status": "ok"})

    return app


class BareApplication(BaseApplication):  # type: ignore[misc]
    """gunicorn serving the bare app with the service's own options."""

    def __init__(self, redis_url: str, key: str, options: dict[str, Any]) -> None:
        self._redis_url = redis_url
        self._key = key
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply the service's gunicorn options."""
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        """Build the app in each worker, after the fork."""
        return create_bare_app(self._redis_url, self._key)


def main(argv: list[str] | None = None) -> None:
    """Serve the bare app in the foreground until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--key", default=os.environ.get("BENCH_SITE_KEY", "bench"))
    args = parser.parse_args(argv)
    options = gunicorn_options("127.0.0.1", args.port, args.workers)
    BareApplication(os.environ["REDIS_URL"], args.key, options).run()


if __name__ == "__main__":
    main()
