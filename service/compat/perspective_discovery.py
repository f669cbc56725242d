"""The discovery document Google's client libraries read before calling Perspective.

Perspective's own Python sample builds its client with
`discovery.build("commentanalyzer", "v1alpha1", discoveryServiceUrl=...)`; pointing that URL
at `https://<our host>/$discovery/rest?version=v1alpha1` is the whole migration, because the
document names our host as the root of every method.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from service.responses import json_response

blueprint = Blueprint("perspective_discovery", __name__)

VERSION = "v1alpha1"


def _method(name: str, request_schema: str, response_schema: str) -> dict[str, Any]:
    """One `comments.<name>` method: POST, JSON body, authenticated by `?key=`."""
    path = f"{VERSION}/comments:{name}"
    return {
        "id": f"commentanalyzer.comments.{name}",
        "path": path,
        "flatPath": path,
        "httpMethod": "POST",
        "parameters": {},
        "parameterOrder": [],
        "request": {"$ref": request_schema},
        "response": {"$ref": response_schema},
        "description": f"Perspective's comments:{name}, answered by this service.",
    }


def _object(description: str) -> dict[str, Any]:
    """A schema for a JSON object the client passes through as it is."""
    return {"type": "object", "description": description, "additionalProperties": {"type": "any"}}


def document(root_url: str) -> dict[str, Any]:
    """The discovery document (format `rest` v1) with every method rooted at `root_url`."""
    schemas = {
        name: {**_object(description), "id": name}
        for name, description in {
            "AnalyzeCommentRequest": "comment, requestedAttributes, languages, doNotStore, ...",
            "AnalyzeCommentResponse": "attributeScores, languages, detectedLanguages, clientToken",
            "SuggestCommentScoreRequest": "comment, attributeScores, languages, clientToken, ...",
            "SuggestCommentScoreResponse": "clientToken",
        }.items()
    }
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": f"commentanalyzer:{VERSION}",
        "name": "commentanalyzer",
        "version": VERSION,
        "title": "Perspective Comment Analyzer API (self-hosted)",
        "protocol": "rest",
        "rootUrl": root_url,
        "servicePath": "",
        "baseUrl": root_url,
        "batchPath": "batch",
        "parameters": {
            "key": {"type": "string", "location": "query", "description": "The site API key."},
            "alt": {"type": "string", "location": "query", "default": "json", "enum": ["json"]},
            "prettyPrint": {"type": "boolean", "location": "query", "default": "true"},
        },
        "schemas": schemas,
        "resources": {
            "comments": {
                "methods": {
                    "analyze": _method(
                        "analyze", "AnalyzeCommentRequest", "AnalyzeCommentResponse"
                    ),
                    "suggestscore": _method(
                        "suggestscore", "SuggestCommentScoreRequest", "SuggestCommentScoreResponse"
                    ),
                }
            }
        },
    }


@blueprint.get("/$discovery/rest")
def discovery() -> Response:
    """The document for `?version=v1alpha1` (the only version Perspective has)."""
    version = request.args.get("version", VERSION)
    if version != VERSION:
        error = {"code": 404, "message": f"No API for version {version!r}.", "status": "NOT_FOUND"}
        return json_response({"error": error}, 404)
    return json_response(document(request.host_url))
