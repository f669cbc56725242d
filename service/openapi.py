"""The OpenAPI document of the site-facing API, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from domain.intake.validate import MAX_CHARS
from service import moderation_openapi, newsroom_openapi, policies_openapi
from service.responses import json_response

blueprint = Blueprint("openapi", __name__)


def _string(name: str, description: str) -> dict[str, Any]:
    """A string property bounded like the validator bounds it."""
    return {"type": "string", "maxLength": MAX_CHARS[name], "description": description}


COMMENT_FIELDS = {
    "article_id": _string("article_id", "The article the comment belongs to."),
    "sender_name": _string("sender_name", "The name the reader typed in the form."),
    "email": _string("email", "The reader's email; syntax is checked, no DNS look-up."),
    "comment": _string(
        "comment",
        "The comment, at most 500 characters counted as Unicode code points after CRLF -> LF.",
    ),
    "parent_id": _string("parent_id", "Id of the comment this one replies to."),
    "author_ip": _string("author_ip", "The reader's IP address (not your server's)."),
    "user_agent": _string("user_agent", "The reader's browser user agent."),
    "referrer": _string("referrer", "The page the reader came from."),
    "permalink": _string("permalink", "The article's URL."),
    "section": _string("section", "The article's section (e.g. politics): the review queue "
                       "filters by it and the site's policy can judge each section differently "
                       "(`sections`)."),
    "article_title": _string("article_title", "The article's headline, shown to moderators."),
    "article_url": {
        **_string("article_url", "The article's address (http or https), linked on the review "
                  "page."),
        "format": "uri",
    },
    "nudged": {"type": "boolean", "description": "The pre-check (POST /comments:check) warned "
               "the author, who posted anyway; counted on the dashboard. Forms may send "
               "true/false, 1/0 or on/off."},
}
REQUIRED = ["article_id", "sender_name", "email", "comment"]

ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}
VALIDATION_ERRORS = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"sender_name": ["Sender name is required"]},
        }
    },
    "required": ["errors"],
}
COMMENT = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "status": {"type": "string", "enum": ["pending", "approved", "rejected", "flagged"]},
        "article_id": {"type": "string"},
        "parent_id": {"type": ["string", "null"]},
        "section": {"type": ["string", "null"]},
        "article_title": {"type": ["string", "null"]},
        "article_url": {"type": ["string", "null"]},
        "scores": {
            "type": "object",
            "description": "spam and toxicity in [0, 1], plus attributes: hate_speech, "
            "offensive, links, caps_ratio, article_similarity (how much the comment "
            "resembles the approved comments of its article; absent until it has some) and "
            "toxicity_without_identity_terms (the toxicity with what words naming a group of "
            "people add taken out; only when the comment names one: identity words alone "
            "never get a comment rejected, the reason toxicity:identity-term says so)",
            "properties": {
                "spam": {"type": ["number", "null"]},
                "toxicity": {"type": ["number", "null"]},
            },
            "additionalProperties": {"type": ["number", "null"]},
        },
        "reasons": {
            "type": "array",
            "items": {"type": "string"},
            "description": "reason codes, e.g. spam:links, spam:off-topic, toxicity:insult, "
            "toxicity:identity-term, spam:above_flag",
        },
        "spans": {"type": "array", "items": {"type": "object"}},
        "model_version": {"type": ["string", "null"]},
        "language": {
            "type": ["string", "null"],
            "description": "Detected language, ISO 639-1 (e.g. de, zh) or und when it cannot be "
            "told; null while pending. A language no model covers is never scored as English: "
            "the site's policy flags (default) or rejects it with reason language:unsupported.",
        },
        "decided_by": {"type": ["string", "null"], "enum": ["model", "rule", "moderator", None]},
        "created_at": {"type": "string", "format": "date-time"},
        "decided_at": {"type": ["string", "null"]},
        "statement": {"$ref": "#/components/schemas/Statement"},
    },
    "required": ["id", "status", "scores", "reasons", "model_version", "decided_by"],
}


def _error_response(description: str) -> dict[str, Any]:
    """A documented error response."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    comment_body = {
        "type": "object",
        "properties": COMMENT_FIELDS,
        "required": REQUIRED,
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Comment moderation API",
            "version": "1.0.0",
            "description": (
                "Post readers' comments for spam and toxicity moderation. Verdicts arrive on the "
                "Redis stream and channel `moderation:results:<site>` and through GET."
            ),
        },
        "components": {
            "securitySchemes": {
                "siteKey": {"type": "http", "scheme": "bearer"},
                "userToken": moderation_openapi.SECURITY_SCHEME,
            },
            "schemas": {
                "Error": ERROR,
                "ValidationErrors": VALIDATION_ERRORS,
                "Comment": COMMENT,
                "NewComment": comment_body,
                **newsroom_openapi.SCHEMAS,
                **policies_openapi.SCHEMAS,
            },
        },
        "security": [{"siteKey": []}],
        "paths": {
            "/api/v1/comments": {
                "post": {
                    "operationId": "createComment",
                    "summary": "Submit a comment for moderation",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/NewComment"}
                            },
                            "application/x-www-form-urlencoded": {
                                "schema": {"$ref": "#/components/schemas/NewComment"}
                            },
                        },
                    },
                    "responses": {
                        "202": {
                            "description": "Stored and queued; the verdict follows.",
                            "headers": {"Location": {"schema": {"type": "string"}}},
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "id": {"type": "string"},
                                            "status": {"type": "string", "enum": ["pending"]},
                                            "url": {"type": "string"},
                                        },
                                        "required": ["id", "status"],
                                    }
                                }
                            },
                        },
                        "400": _error_response("The body is not a JSON object or a form."),
                        "401": _error_response("Missing or invalid site API key."),
                        "413": _error_response("The body is larger than the limit (64 KiB)."),
                        "422": {
                            "description": "The form's rules failed; every problem at once.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ValidationErrors"}
                                }
                            },
                        },
                        "429": _error_response("Too many comments; see Retry-After."),
                        "503": _error_response("The database is unavailable; see Retry-After."),
                    },
                }
            },
            "/api/v1/comments/{comment_id}": {
                "get": {
                    "operationId": "getComment",
                    "summary": "A comment's status and verdict",
                    "parameters": [
                        {
                            "name": "comment_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The comment.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Comment"}
                                }
                            },
                        },
                        "401": _error_response("Missing or invalid site API key."),
                        "404": _error_response("No such comment for this site."),
                    },
                }
            },
            **moderation_openapi.PATHS,
            **newsroom_openapi.PATHS,
            **policies_openapi.PATHS,
        },
    }


@blueprint.get("/api/v1/openapi.json")
def openapi_json() -> Response:
    """Serve the OpenAPI document."""
    return json_response(document())
