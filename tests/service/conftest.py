"""Fixtures for the web app: the app on a test runtime, its client, a registered site."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.infra.collaborators import Runtime
from domain.records import Site
from service.app import create_app


@pytest.fixture
def app(runtime: Runtime) -> Iterator[Flask]:
    """The web app over the test runtime."""
    app = create_app(runtime=runtime)
    app.config["TESTING"] = True
    yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A client that calls the app in-process."""
    return app.test_client()


@pytest.fixture
def site_and_key(runtime: Runtime) -> tuple[Site, str]:
    """A registered site and its API key."""
    return runtime.store.sites.create("daily-planet", "The Daily Planet")


@pytest.fixture
def auth(site_and_key: tuple[Site, str]) -> dict[str, str]:
    """Headers that authenticate as the test site."""
    return {"Authorization": f"Bearer {site_and_key[1]}"}
