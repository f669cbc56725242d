"""What the pipeline tests share: a real Celery worker and the web app over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from config import Settings
from domain.infra.collaborators import Runtime
from service.app import create_app
from tests.support.live_server import serve
from tests.support.processes import ManagedProcess, start_worker


@pytest.fixture
def worker(settings: Settings) -> Iterator[ManagedProcess]:
    """A real Celery worker process on the test Redis and database."""
    process = start_worker(settings)
    yield process
    process.stop()


@pytest.fixture
def base_url(runtime: Runtime) -> Iterator[str]:
    """The web app over real HTTP."""
    with serve(create_app(runtime=runtime)) as url:
        yield url
