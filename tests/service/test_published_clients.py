"""The most used published Akismet and Perspective clients, unchanged, against our server.

Python: `akismet` (tests/service/test_akismet.py) and `google-api-python-client` (here).
Node.js: `akismet-api` 6.0.0 and `perspective-api-client` 3.1.0 (tests/service/clients).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from googleapiclient import discovery
from googleapiclient.errors import HttpError

from domain.infra.collaborators import Runtime
from domain.records import Site
from tests.support.live_server import serve
from tests.support.published_clients import (
    PUBLIC_HOST,
    TlsServer,
    require_node_clients,
    run_node,
    serve_tls,
)
from tests.support.streams import read_results

BENIGN = "Interesting comparison of the two spheres of influence."
SPAM = "Check out my channel and subscribe!!! Win free money at http://spam.example.com"
TOXIC = "You are a stupid idiot and a worthless piece of shit, shut up"
BLOG = "https://news.example"
PRODUCTION = ["TOXICITY", "SEVERE_TOXICITY", "INSULT", "PROFANITY", "THREAT", "IDENTITY_ATTACK"]


@pytest.fixture
def tls_server(app: Flask, runtime: Runtime, tmp_path: Path) -> Iterator[TlsServer]:
    """The app over HTTPS, its model loaded, for clients that insist on https."""
    require_node_clients()
    runtime.models.current()
    with serve_tls(app, tmp_path) as server:
        yield server


def test_akismet_api_puts_the_key_in_the_host_name_and_is_answered(
    tls_server: TlsServer, site_and_key: tuple[Site, str], runtime: Runtime
) -> None:
    """akismet-api sends `https://<key>.<host>/1.1/comment-check`, with no api_key field."""
    host = f"{PUBLIC_HOST}:{tls_server.port}"
    texts = json.dumps({"benign": BENIGN, "spam": SPAM})
    out = run_node("akismet_api.js", site_and_key[1], host, BLOG, texts, server=tls_server)
    assert out == {
        "verified": True,
        "ham": False,
        "spam": True,
        "honeypot": True,
        "wrongKeyVerified": False,
        "wrongKeyError": "Invalid API key",
    }
    assert [(lb.label, lb.source) for lb in runtime.store.labels.all()] == [
        ("spam", "akismet"),
        ("ham", "akismet"),
    ]
    results = read_results(runtime.redis, "daily-planet", 2)
    assert [r["status"] for r in results] == ["approved", "rejected"]


def _perspective(server: TlsServer, key: str, text: str, attributes: list[str]) -> Any:
    """perspective-api-client's answer (or error), routed through HTTPS_PROXY to us."""
    return run_node(
        "perspective_api_client.js", key, text, json.dumps(attributes), server=server, proxy=True
    )


def test_perspective_api_client_gets_every_production_attribute(
    tls_server: TlsServer, site_and_key: tuple[Site, str]
) -> None:
    key = site_and_key[1]
    out = _perspective(tls_server, key, TOXIC, ["toxicity", "insult"])
    scores = out["result"]["attributeScores"]
    assert set(scores) == {"TOXICITY", "INSULT"}
    assert scores["INSULT"]["summaryScore"]["value"] > 0.8
    every = _perspective(tls_server, key, TOXIC, [a.lower() for a in PRODUCTION])
    assert set(every["result"]["attributeScores"]) == set(PRODUCTION)
    refused = _perspective(tls_server, key, BENIGN, ["flirtation"])
    assert refused["error"] == "ResponseError"
    assert refused["message"] == "Attribute FLIRTATION does not support request languages: en"
    assert refused["data"]["error"]["status"] == "INVALID_ARGUMENT"


@pytest.fixture
def base_url(app: Flask, runtime: Runtime) -> Iterator[str]:
    """The app over plain HTTP."""
    runtime.models.current()
    with serve(app) as url:
        yield url


def _google_client(base_url: str, key: str) -> Any:
    """Built as Perspective's Python sample builds it, with our discovery URL."""
    return discovery.build(
        "commentanalyzer",
        "v1alpha1",
        developerKey=key,
        discoveryServiceUrl=f"{base_url}/$discovery/rest?version=v1alpha1",
        static_discovery=False,
        cache_discovery=False,
    )


def test_google_api_python_client_analyzes_with_spans_and_client_token(
    base_url: str, site_and_key: tuple[Site, str]
) -> None:
    client = _google_client(base_url, site_and_key[1])
    request = {
        "comment": {"text": TOXIC},
        "requestedAttributes": {name: {} for name in PRODUCTION},
        "languages": ["en"],
        "spanAnnotations": True,
        "clientToken": "token-7",
        "doNotStore": True,
    }
    answer = client.comments().analyze(body=request).execute()
    assert answer["clientToken"] == "token-7"
    assert set(answer["attributeScores"]) == set(PRODUCTION)
    for name in PRODUCTION:
        entry = answer["attributeScores"][name]
        assert entry["summaryScore"]["type"] == "PROBABILITY"
        assert 0 <= entry["summaryScore"]["value"] <= 1
        assert entry["spanScores"], name
    suggestion = {
        "comment": {"text": TOXIC},
        "attributeScores": {"INSULT": {"summaryScore": {"value": 1}}},
        "clientToken": "token-8",
    }
    assert client.comments().suggestscore(body=suggestion).execute() == {"clientToken": "token-8"}


def test_google_api_python_client_sees_googles_error_shape(
    base_url: str, site_and_key: tuple[Site, str]
) -> None:
    client = _google_client(base_url, site_and_key[1])
    request = {"comment": {"text": BENIGN}, "requestedAttributes": {"SEXUALLY_EXPLICIT": {}}}
    with pytest.raises(HttpError) as caught:
        client.comments().analyze(body=request).execute()
    assert caught.value.status_code == 400
    error = json.loads(caught.value.content)["error"]
    assert error["message"] == "Attribute SEXUALLY_EXPLICIT does not support request languages: en"
    assert error["details"][0]["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    wrong = _google_client(base_url, "nope")
    with pytest.raises(HttpError) as refused:
        wrong.comments().analyze(body={"comment": {"text": BENIGN}}).execute()
    assert refused.value.status_code == 400
