"""Helpers for the review queue's tests: comments in a given state, users, logging in."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient

from domain.infra import redis_keys
from domain.infra.collaborators import Runtime
from domain.records import Comment, Site, Submission, User
from domain.store import ScoredVerdict
from domain.vocabulary import DecidedBy, Role, Status

PASSWORD = "correct horse battery"


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    """A models folder without the English model: the review tests never score with it."""
    return tmp_path / "models"


def give_language_models(runtime: Runtime, trained_models_dir: Path) -> None:
    """Copy the session's trained language models into the runtime's models folder.

    A review test that scores a comment a rule decides needs no English model, but every
    comment's language is read first; with no language models there, the worker would train
    them (20 s on two cores) as an installation does on its first start.
    """
    shutil.copytree(trained_models_dir / "languages",
                    runtime.settings.effective_models_dir / "languages",
                    ignore=shutil.ignore_patterns(".*.lock"))


def add_comment(
    runtime: Runtime,
    site: Site,
    status: Status = Status.FLAGGED,
    body: str = "A remark about the article.",
    sender_name: str = "Reader",
    email: str = "reader@example.com",
    article_id: str = "article-1",
    spam: float = 0.6,
    toxicity: float | None = 0.1,
    spans: list[dict[str, Any]] | None = None,
    model_version: str = "v-test",
    reasons: list[str] | None = None,
    language: str | None = "en",
    **context: str | None,
) -> Comment:
    """Store a comment and record a model verdict for it (none for a pending one).

    `context` takes the optional intake fields: parent_id, section, article_title, article_url.
    """
    comment = runtime.store.comments.add(
        site,
        Submission(
            article_id=article_id,
            sender_name=sender_name,
            email=email,
            comment=body,
            **context,  # type: ignore[arg-type]
        ),
    )
    if status is not Status.PENDING:
        runtime.store.comments.record_verdicts(
            [
                ScoredVerdict(
                    comment_id=comment.id,
                    site_id=site.id,
                    status=status,
                    decided_by=DecidedBy.MODEL,
                    spam=spam,
                    toxicity=toxicity,
                    attributes={},
                    reasons=reasons if reasons is not None
                    else ["spam:above_flag"] if status is Status.FLAGGED else [],
                    spans=spans or [],
                    model_version=model_version,
                    language=language,
                )
            ]
        )
    stored = runtime.store.comments.get(comment.id)
    assert stored is not None
    return stored


def add_user(
    runtime: Runtime,
    email: str = "mod@example.com",
    role: Role = Role.MODERATOR,
    sites: list[str] | None = None,
) -> tuple[User, str]:
    """Create a user with the test password; returns it with its personal API token."""
    return runtime.store.users.create(email, PASSWORD, role, sites)


def csrf_token(client: FlaskClient, path: str = "/review/login") -> str:
    """The CSRF token of a form on a page, as a browser would read it."""
    html = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def log_in(client: FlaskClient, email: str = "mod@example.com", password: str = PASSWORD) -> Any:
    """Log in through the form, with its CSRF token."""
    token = csrf_token(client)
    return client.post(
        "/review/login", data={"email": email, "password": password, "csrf_token": token}
    )


def results(runtime: Runtime, site_slug: str) -> list[dict[str, str]]:
    """Every entry of a site's results stream, decoded."""
    client = redis.Redis.from_url(runtime.settings.redis_url or "")
    return [
        {k.decode(): v.decode() for k, v in fields.items()}
        for _, fields in client.xrange(redis_keys.results(site_slug))
    ]
