"""`sort=informative` on the queue page and the moderation API, with the real model: the
comments that would teach it most first, each with its hint, and the fall-back without a model."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from domain.infra.collaborators import Runtime
from domain.records import Site
from domain.store.labels import Label
from tests.support.review import add_comment, add_user, log_in
from tests.support.scored_texts import HESITANT, SOMEWHAT, SURE

QUEUE = "/api/v1/moderation/queue"


@pytest.fixture
def site(site_and_key: tuple[Site, str]) -> Site:
    """The site the moderator sees."""
    return site_and_key[0]


@pytest.fixture
def token(runtime: Runtime, site: Site) -> dict[str, str]:
    """Headers of a moderator of the test site."""
    _, token = add_user(runtime, sites=[site.slug])
    return {"Authorization": f"Bearer {token}"}


def test_the_api_puts_a_borderline_comment_before_a_clear_one(
    client: FlaskClient, runtime: Runtime, site: Site, token: dict[str, str]
) -> None:
    sure = add_comment(runtime, site, body=SURE, toxicity=0.99)
    hesitant = add_comment(runtime, site, body=HESITANT, toxicity=0.75)
    other = runtime.store.sites.create("other-site")[0]
    add_comment(runtime, other, body=HESITANT + " indeed")  # another site's: never shown
    body = client.get(f"{QUEUE}?sort=informative", headers=token).get_json()
    assert [c["id"] for c in body["comments"]] == [hesitant.id, sure.id]
    assert body["sort"] == "informative" and "note" not in body and body["total"] == 2
    assert body["comments"][0]["informative_hints"] == ["borderline"]
    assert body["comments"][1]["informative_hints"] == ["clear of the flag line"]
    plain = client.get(f"{QUEUE}?sort=uncertainty", headers=token).get_json()
    assert plain["sort"] == "uncertainty" and "informative_hints" not in plain["comments"][0]


def test_the_api_puts_a_near_copy_of_a_labelled_comment_after_a_novel_one(
    client: FlaskClient, runtime: Runtime, site: Site, token: dict[str, str]
) -> None:
    runtime.store.labels.add_many([Label(HESITANT, "toxic", "moderator")])
    copy = add_comment(runtime, site, body=HESITANT + "!!", toxicity=0.75)
    novel = add_comment(runtime, site, body=SOMEWHAT, toxicity=0.91)
    body = client.get(f"{QUEUE}?sort=informative&per_page=1", headers=token).get_json()
    assert [c["id"] for c in body["comments"]] == [novel.id] and body["pages"] == 2
    assert "unlike anything labelled" in body["comments"][0]["informative_hints"]
    second = client.get(f"{QUEUE}?sort=informative&per_page=1&page=2", headers=token).get_json()
    assert [c["id"] for c in second["comments"]] == [copy.id]
    assert "like a labelled comment" in second["comments"][0]["informative_hints"]


def test_without_a_model_the_api_says_it_fell_back_to_uncertainty(
    client: FlaskClient, runtime: Runtime, site: Site, token: dict[str, str], models_dir: Path
) -> None:
    shutil.rmtree(models_dir)
    far = add_comment(runtime, site, body=HESITANT, spam=0.1, toxicity=0.99)
    near = add_comment(runtime, site, body=SURE, spam=0.1, toxicity=0.81)
    body = client.get(f"{QUEUE}?sort=informative", headers=token).get_json()
    assert [c["id"] for c in body["comments"]] == [near.id, far.id]
    assert body["sort"] == "uncertainty" and body["note"].startswith("No model has been trained")
    assert body["comments"][0]["informative_hints"] == []


def test_an_unknown_sort_lists_informative_among_the_choices(
    client: FlaskClient, token: dict[str, str]
) -> None:
    response = client.get(f"{QUEUE}?sort=wisest", headers=token)
    assert response.status_code == 422
    assert "informative" in response.get_json()["errors"]["sort"][0]
    document = client.get("/api/v1/openapi.json").get_json()
    [sort] = [p for p in document["paths"][QUEUE]["get"]["parameters"] if p["name"] == "sort"]
    assert sort["schema"]["enum"] == ["oldest", "newest", "score", "uncertainty", "informative"]


def test_the_page_shows_why_each_comment_would_teach_the_model(
    client: FlaskClient, runtime: Runtime, site: Site
) -> None:
    add_user(runtime)
    log_in(client)
    sure = add_comment(runtime, site, body=SURE, toxicity=0.99)
    hesitant = add_comment(runtime, site, body=HESITANT + " <b>really</b>", toxicity=0.75)
    german = add_comment(runtime, site, body="Was für ein Unsinn", language="de")
    page = client.get("/review?sort=informative").get_data(as_text=True)
    assert '<option value="informative" selected>teaches the model most</option>' in page
    rows = re.findall(r'<li class="row" id="c-(\w+)"', page)
    assert rows == [hesitant.id, sure.id, german.id]
    hint = re.search(rf'<p class="teaches" id="teaches-{hesitant.id}">(.*?)</p>', page, re.S)
    assert hint is not None
    assert re.sub(r"<[^>]+>", "", hint.group(1)) == "Teaches the model: borderline"
    assert f'aria-describedby="teaches-{hesitant.id}"' in page
    assert "&lt;b&gt;really&lt;/b&gt;" in page and "<b>really</b>" not in page
    german_hint = re.search(rf'id="teaches-{german.id}">(.*?)</p>', page, re.S)
    assert german_hint is not None
    assert "another language" in html.unescape(german_hint.group(1))
    assert "Teaches the model:" not in german_hint.group(1)
    assert 'id="order-note"' in page
    oldest = client.get("/review").get_data(as_text=True)
    assert 'class="teaches"' not in oldest and 'id="order-note"' not in oldest


def test_the_page_notes_the_fall_back(
    client: FlaskClient, runtime: Runtime, site: Site, models_dir: Path
) -> None:
    shutil.rmtree(models_dir)
    add_user(runtime)
    log_in(client)
    add_comment(runtime, site, body=SURE)
    page = html.unescape(client.get("/review?sort=informative").get_data(as_text=True))
    assert "No model has been trained yet" in page and "most uncertain first instead" in page
    assert 'class="teaches"' not in page
