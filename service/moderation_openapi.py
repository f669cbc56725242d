"""The moderation API's part of the OpenAPI document (merged into service/openapi.py)."""

from __future__ import annotations

from typing import Any

SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A moderator's personal API token (printed by `moderation users create`).",
}
_SECURITY: list[dict[str, list[str]]] = [{"userToken": []}]
_COMMENT_ID = {"name": "comment_id", "in": "path", "required": True, "schema": {"type": "string"}}


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    """A query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", **schema},
    }


def _error(description: str) -> dict[str, Any]:
    """A documented error response."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


_VALIDATION = {
    "description": "Bad input; every problem per field.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationErrors"}}},
}
_QUEUE_ITEM = {
    "allOf": [
        {"$ref": "#/components/schemas/Comment"},
        {
            "type": "object",
            "properties": {
                "site": {"type": "string"},
                "sender_name": {"type": "string"},
                "email": {"type": "string"},
                "body": {"type": "string"},
                "informative_hints": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "With sort=informative only: why the comment stands where it "
                    "does, in a few words each: 'borderline' (its score is near the flag line), "
                    "'unlike anything labelled', 'like a labelled comment', 'like 3 waiting "
                    "comments', 'clear of the flag line'; for a comment after the ranked ones, "
                    "why it is not ranked (another language, newer than the ranked pool, or "
                    "arrived since the order was drawn up).",
                },
            },
        },
    ]
}
_SORT = (
    "Order: oldest first, newest first, highest score, most uncertain (scores closest to the "
    "site's flag line), or informative: 'teaches the model most' (the English model ranks the "
    "1,000 oldest flagged English comments by how much a decision on each would teach it; other "
    "languages and younger comments follow, most uncertain first; the ranking is kept 30 s). "
    "Without a model, informative falls back to uncertainty and the answer says so in `sort` "
    "and `note`."
)
_DECISION = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "event": {"type": "string", "enum": ["verdict", "moderated"]},
        "decided_by": {"type": "string", "enum": ["model", "rule", "moderator"]},
        "moderator": {"type": ["string", "null"]},
        "previous_status": {"type": "string"},
        "status": {"type": "string"},
        "reason": {"type": ["string", "null"]},
        "model_version": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
    },
    "required": ["id", "event", "decided_by", "previous_status", "status", "created_at"],
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A JSON response."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PATHS: dict[str, Any] = {
    "/api/v1/moderation/queue": {
        "get": {
            "operationId": "moderationQueue",
            "summary": "The review queue, with the moderator pages' filters",
            "security": _SECURITY,
            "parameters": [
                _query(
                    "status",
                    "Which comments (default flagged).",
                    enum=["flagged", "approved", "rejected", "all"],
                ),
                _query(
                    "sort", _SORT, enum=["oldest", "newest", "score", "uncertainty", "informative"]
                ),
                _query("site", "Only this site (slug)."),
                _query("article_id", "Only this article."),
                _query("from", "Created on or after this day (YYYY-MM-DD).", format="date"),
                _query("to", "Created on or before this day (YYYY-MM-DD).", format="date"),
                _query("score_min", "Highest of spam/toxicity at least this (0..1)."),
                _query("score_max", "Highest of spam/toxicity at most this (0..1)."),
                _query("q", "Text found in the comment, sender name or email."),
                _query("page", "Page number, from 1."),
                _query("per_page", "Comments per page, 1..100 (default 25)."),
            ],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "comments": {"type": "array", "items": _QUEUE_ITEM},
                            "total": {"type": "integer"},
                            "page": {"type": "integer"},
                            "per_page": {"type": "integer"},
                            "pages": {"type": "integer"},
                            "sort": {
                                "type": "string",
                                "description": "The order applied: the one asked for, or "
                                "uncertainty when informative fell back.",
                            },
                            "note": {
                                "type": "string",
                                "description": "Why informative fell back to uncertainty.",
                            },
                        },
                        "required": ["comments", "total", "page", "per_page", "pages", "sort"],
                    },
                    "One page of the queue.",
                ),
                "401": _error("Missing or invalid personal token."),
                "422": _VALIDATION,
            },
        }
    },
    "/api/v1/moderation/comments/{comment_id}/decision": {
        "post": {
            "operationId": "moderateComment",
            "summary": "Approve or reject a comment (published to the site as `moderated`)",
            "security": _SECURITY,
            "parameters": [_COMMENT_ID],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "status": {"type": "string", "enum": ["approved", "rejected"]},
                                "reason": {
                                    "type": ["string", "null"],
                                    "enum": ["spam", "toxic", "off_topic", "other", None],
                                },
                                "expected_status": {
                                    "type": "string",
                                    "description": "The status you saw; 409 if it changed.",
                                    "enum": ["pending", "approved", "rejected", "flagged"],
                                },
                            },
                            "required": ["status"],
                        }
                    }
                },
            },
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "comment": _QUEUE_ITEM,
                            "decision": {"oneOf": [_DECISION, {"type": "null"}]},
                        },
                        "required": ["comment", "decision"],
                    },
                    "Recorded (decision is null when the comment already had that status).",
                ),
                "400": _error("The body is not JSON."),
                "401": _error("Missing or invalid personal token."),
                "404": _error("No such comment on a site you may moderate."),
                "409": _error("The comment changed since you saw it."),
                "422": _VALIDATION,
            },
        }
    },
    "/api/v1/moderation/comments/{comment_id}/history": {
        "get": {
            "operationId": "commentHistory",
            "summary": "Every decision on a comment, oldest first",
            "security": _SECURITY,
            "parameters": [_COMMENT_ID],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "properties": {
                            "comment_id": {"type": "string"},
                            "decisions": {"type": "array", "items": _DECISION},
                        },
                        "required": ["comment_id", "decisions"],
                    },
                    "The history.",
                ),
                "401": _error("Missing or invalid personal token."),
                "404": _error("No such comment on a site you may moderate."),
            },
        }
    },
}
