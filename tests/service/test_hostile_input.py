"""Hostile input at the API: no 5xx for anything, fuzzed from the OpenAPI document too."""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.intake import comment_fields


def api_operations(app: Flask) -> list[schemathesis.APIOperation]:
    """Every operation of the app's own OpenAPI document."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


# schemathesis's pytest plugin does not yet run under pytest 9; its strategies do, in hypothesis.
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_generated_request_makes_the_api_fail(
    app: Flask, auth: dict[str, str], data: st.DataObject
) -> None:
    operations = app.extensions.setdefault("fuzz_operations", api_operations(app))
    operation = data.draw(st.sampled_from(operations), label="operation")
    case = data.draw(operation.as_strategy(), label="case")
    response = case.call(headers={**auth, **(case.headers or {})})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"comment": "😀" * 2_000}, 422),
        ({"comment": "😀" * 10_000}, 413),  # 120 KB once JSON-escaped: over the body limit
        ({"comment": "a\x00b"}, 422),
        ({"sender_name": "\u202egnp.exe\u202c Jt"}, 202),  # RTL override: stored as text
        ({"comment": "\u200b\u200b\u200b"}, 422),  # zero-width only: blank to a reader
        ({"comment": "\u200d\ufeff\u00ad \u2060"}, 422),
        ({"sender_name": "\u200c"}, 422),
        ({"article_id": None, "email": [], "comment": {}, "sender_name": 3.5}, 422),
        ({"author_ip": "::ffff:192.0.2.1"}, 202),
        ({"permalink": "x" * 5000}, 422),
    ],
)
def test_hostile_fields_get_a_clear_answer(
    client: FlaskClient, auth: dict[str, str], fields: dict, expected: int
) -> None:
    response = client.post(
        "/api/v1/comments", json={**comment_fields("ok"), **fields}, headers=auth
    )
    assert response.status_code == expected, response.get_data(as_text=True)


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"comment=%FF%FE&email=a@b.c", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00", "application/json"),
        (b'{"comment": "\\ud800"}', "application/json"),
        (b"", "application/json"),
        (b"--x\r\nbroken multipart", "multipart/form-data; boundary=x"),
    ],
)
def test_malformed_bodies_never_cause_a_server_error(
    client: FlaskClient, auth: dict[str, str], body: bytes, content_type: str
) -> None:
    response = client.post("/api/v1/comments", data=body, content_type=content_type, headers=auth)
    assert 400 <= response.status_code < 500
