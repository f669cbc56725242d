"""Issue #24: a site key cannot flood the training labels that shape every site's model."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from config import Settings
from domain.infra.collaborators import Runtime
from domain.records import Submission
from service.app import create_app
from tests.support.review import models_dir  # noqa: F401 - no trained model needed

LIMIT = 5


@pytest.fixture
def limited(settings: Settings) -> Iterator[Runtime]:
    """A runtime allowing each site five labels a minute."""
    runtime = Runtime(settings.with_overrides(rate_limit_labels=f"{LIMIT}/minute"))
    runtime.store.migrate()
    yield runtime
    runtime.store.dispose()


@pytest.fixture
def web(limited: Runtime) -> FlaskClient:
    """A client of the app on the limited runtime."""
    return create_app(runtime=limited).test_client()


def test_submit_ham_is_limited_per_site_and_every_label_names_its_site(
    web: FlaskClient, limited: Runtime
) -> None:
    planet, planet_key = limited.store.sites.create("planet")
    bugle, bugle_key = limited.store.sites.create("bugle")
    statuses = [
        web.post(
            "/1.1/submit-ham",
            data={
                "api_key": planet_key,
                "blog": "https://planet.example",
                "comment_content": f"Buy cheap pills number {n}",
            },
        ).status_code
        for n in range(20)
    ]
    assert statuses == [200] * LIMIT + [429] * (20 - LIMIT)
    other = web.post(
        "/1.1/submit-ham",
        data={"api_key": bugle_key, "blog": "https://bugle.example", "comment_content": "Fine."},
    )
    assert other.status_code == 200
    labels = limited.store.labels.all()
    assert len(labels) == LIMIT + 1
    assert sorted({label.site_id for label in labels}) == sorted({planet.id, bugle.id})


def test_feedback_is_limited_per_site(web: FlaskClient, limited: Runtime) -> None:
    site, key = limited.store.sites.create("planet")
    comment = limited.store.comments.add(
        site, Submission(article_id="a", sender_name="R", email="r@example.com", comment="Hi.")
    )
    statuses = [
        web.post(
            "/api/v1/feedback",
            json={"comment_id": comment.id, "label": "ham"},
            headers={"Authorization": f"Bearer {key}"},
        ).status_code
        for _ in range(LIMIT + 2)
    ]
    assert statuses == [202] * LIMIT + [429, 429]
    assert {label.site_id for label in limited.store.labels.all()} == {site.id}
