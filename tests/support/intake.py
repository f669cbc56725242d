"""Posting comments as a site's server does, through the real app."""

from __future__ import annotations

from typing import Any

from domain.infra.collaborators import Runtime
from service.app import create_app


def comment_fields(text: str, article: str = "a1", **extra: Any) -> dict[str, Any]:
    """A valid comment form with the given text."""
    return {
        "article_id": article,
        "sender_name": "Reader",
        "email": "reader@example.com",
        "comment": text,
        "author_ip": "198.51.100.7",
        **extra,
    }


def post_comment(runtime: Runtime, key: str, text: str, **extra: Any) -> str:
    """Post one comment through the app in-process; returns its id."""
    client = create_app(runtime=runtime).test_client()
    response = client.post(
        "/api/v1/comments",
        json=comment_fields(text, **extra),
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    return str(response.get_json()["id"])
