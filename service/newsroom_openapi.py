"""The OpenAPI paths and schemas of the newsroom endpoints: reports, appeals, authors' data."""

from __future__ import annotations

from typing import Any

from domain.newsroom.reports import REPORT_REASONS


def _ref(name: str) -> dict[str, Any]:
    """A JSON body of a component schema."""
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _error(description: str) -> dict[str, Any]:
    """A documented error response."""
    return {"description": description, "content": _ref("Error")}


COMMENT_ID = {"name": "comment_id", "in": "path", "required": True, "schema": {"type": "string"}}
EMAIL = {
    "name": "email",
    "in": "query",
    "required": True,
    "schema": {"type": "string", "maxLength": 254},
}

SCHEMAS: dict[str, Any] = {
    "Statement": {
        "type": ["object", "null"],
        "description": "Statement of reasons of a rejection (DSA art. 17), for the author.",
        "properties": {
            "ground": {"type": "string", "enum": ["terms", "illegal"]},
            "legal_grounds": {"type": ["string", "null"]},
            "explanation": {"type": "string", "description": "Plain words, from the reasons."},
            "automated": {"type": "boolean", "description": "Decided by the model or a rule."},
            "redress": {"type": "string", "description": "The site's appeal URL or text."},
        },
        "required": ["ground", "legal_grounds", "explanation", "automated", "redress"],
    },
    "NewReport": {
        "type": "object",
        "properties": {
            "reason": {"type": "string", "enum": list(REPORT_REASONS)},
            "reporter": {
                "type": "string",
                "maxLength": 200,
                "description": "The site's id for the reader; one report each counts.",
            },
            "message": {"type": "string", "maxLength": 2000},
            "legal_grounds": {"type": "string", "maxLength": 2000},
        },
        "required": ["reason", "reporter"],
    },
    "NewAppeal": {
        "type": "object",
        "properties": {"message": {"type": "string", "maxLength": 2000}},
    },
}

PATHS: dict[str, Any] = {
    "/api/v1/comments/{comment_id}/reports": {
        "post": {
            "operationId": "reportComment",
            "summary": "A reader reports a comment (enough reports flag it; one for illegal)",
            "parameters": [COMMENT_ID],
            "requestBody": {"required": True, "content": _ref("NewReport")},
            "responses": {
                "202": {
                    "description": "Stored (and counted once the comment is decided).",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"report_count": {"type": "integer"}},
                                "required": ["report_count"],
                            }
                        }
                    },
                },
                "400": _error("The body is not a JSON object or a form."),
                "401": _error("Missing or invalid site API key."),
                "404": _error("No such comment for this site."),
                "422": {"description": "Invalid fields.", "content": _ref("ValidationErrors")},
                "429": _error("This reporter sent too many reports; see Retry-After."),
            },
        }
    },
    "/api/v1/comments/{comment_id}/appeals": {
        "post": {
            "operationId": "appealDecision",
            "summary": "The author appeals the decision on their rejected comment",
            "parameters": [COMMENT_ID],
            "requestBody": {"required": False, "content": _ref("NewAppeal")},
            "responses": {
                "202": {
                    "description": "Queued for a moderator (`/review?status=appealed`); the "
                    "outcome arrives on the stream with `event: appeal`."
                },
                "401": _error("Missing or invalid site API key."),
                "404": _error("No such comment for this site."),
                "409": _error(
                    "Already appealed (code `duplicate`) or not rejected (code `not_appealable`)."
                ),
                "422": {"description": "Invalid message.", "content": _ref("ValidationErrors")},
            },
        }
    },
    "/api/v1/authors/export": {
        "get": {
            "operationId": "exportAuthor",
            "summary": "Everything stored about one email on this site (GDPR art. 15)",
            "parameters": [EMAIL],
            "responses": {
                "200": {
                    "description": "comments, decisions, reports, appeals, labels, erasures.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "401": _error("Missing or invalid site API key."),
                "422": {"description": "No email.", "content": _ref("ValidationErrors")},
            },
        }
    },
    "/api/v1/authors": {
        "delete": {
            "operationId": "eraseAuthor",
            "summary": "Erase one email's texts, names, emails and IPs on this site (GDPR art. 17)",
            "parameters": [EMAIL],
            "responses": {
                "200": {
                    "description": "Done; idempotent. Decisions stay, anonymised.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "erasure_id": {"type": "integer"},
                                    "status": {"type": "string"},
                                    "comments_erased": {"type": "integer"},
                                },
                            }
                        }
                    },
                },
                "401": _error("Missing or invalid site API key."),
                "422": {"description": "No email.", "content": _ref("ValidationErrors")},
            },
        }
    },
}
