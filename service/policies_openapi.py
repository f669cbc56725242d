"""The OpenAPI path and schemas of the pre-check (nudge), and the site policy's keys."""

from __future__ import annotations

from typing import Any

SCHEMAS: dict[str, Any] = {
    "CheckResult": {
        "type": "object",
        "description": "Whether the comment would be held or rejected, and why. Nothing is stored.",
        "properties": {
            "ok": {
                "type": "boolean",
                "description": "False when the words would be held or rejected (show the "
                "nudge), or the form has errors. A hold by pre-moderation alone keeps it true.",
            },
            "outcome": {
                "type": "string",
                "enum": ["approved", "held", "rejected", "invalid"],
                "description": "What posting now would lead to.",
            },
            "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/Warning"}},
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "The form's problems, as POST /comments would give them.",
            },
        },
        "required": ["ok", "outcome", "warnings", "errors"],
    },
    "Warning": {
        "type": "object",
        "properties": {
            "code": {
                "type": "string",
                "examples": ["rule:12", "toxicity:insult", "rule:first_comment"],
            },
            "message": {
                "type": "string",
                "description": "A sentence for the author (the site's `explanations` override it).",
            },
            "spans": {
                "type": "array",
                "description": "Where in the comment, code points.",
                "items": {
                    "type": "object",
                    "properties": {"begin": {"type": "integer"}, "end": {"type": "integer"}},
                },
            },
        },
        "required": ["code", "message", "spans"],
    },
}

PATHS: dict[str, Any] = {
    "/api/v1/comments:check": {
        "post": {
            "operationId": "checkComment",
            "summary": "Pre-check a comment before the author posts it (the nudge)",
            "description": "Same body as POST /api/v1/comments. Scores and judges the comment "
            "with the site's policies (rules, section, pre-moderation, reputation) and stores "
            "nothing. When `ok` is false the form can say 'Your comment may break our "
            'guidelines: edit it or post anyway\', and post with `"nudged": true`.',
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/NewComment"}},
                    "application/x-www-form-urlencoded": {
                        "schema": {"$ref": "#/components/schemas/NewComment"}
                    },
                },
            },
            "responses": {
                "200": {
                    "description": "The answer, also for a form with errors.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/CheckResult"}}
                    },
                },
                "400": {
                    "description": "The body is not a JSON object or a form.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
                "401": {
                    "description": "Missing or invalid site API key.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        }
    }
}

# The site policy's keys for newsroom policies (README "Site policy"); set with
# `moderation sites policy NAME --set KEY=JSON`. Documented here for integrators' tooling.
POLICY_KEYS = {
    "premoderation": "none | new_authors | all",
    "new_author_comments": "how many first comments new_authors holds (3)",
    "sections": "{section: {thresholds, premoderation, new_author_comments, reputation}}",
    "reputation": "{window_days: 90, trusted_min_approved: 10, trusted_max_rejected: 0, "
    "risky_rejection_rate: 0.5, risky_min_decided: 4}",
    "alerts": "{flagged_queue, rejections_per_minute, rejection_jump_factor: 3, near_duplicates, "
    "near_duplicate_minutes: 10, near_duplicate_similarity: 0.8, cooldown_minutes: 30, "
    "webhook_url, emails}",
}
