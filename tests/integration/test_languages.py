"""Comments in other languages through the real pipeline: HTTP, Redis, a Celery worker."""

from __future__ import annotations

import redis
import requests

from domain.infra.collaborators import Runtime
from tests.integration.test_pipeline import post
from tests.support.processes import ManagedProcess
from tests.support.streams import read_results

RUSSIAN_INSULT = "Эта статья полная чушь, автор идиот"
TRANSLITERATED = "eta statya polnaya chush, avtor idiot"
GERMAN_INSULT = "Du bist ein dummes Arschloch, halt endlich dein Maul, du Idiot"
GERMAN_CIVIL = "Vielen Dank für den ausführlichen Artikel, die Grafiken sind sehr hilfreich."
ENGLISH_CIVIL = "Interesting comparison of the two spheres of influence, thanks for the history."


def _verdicts(runtime: Runtime, base_url: str, key: str, site: str,
              texts: list[str]) -> list[dict[str, str]]:
    """Post texts and return their stream entries in the order posted."""
    ids = [post(base_url, key, text).json()["id"] for text in texts]
    client = redis.Redis.from_url(runtime.settings.redis_url or "")
    by_id = {e["comment_id"]: e for e in read_results(client, site, len(ids), timeout=180)}
    return [by_id[i] for i in ids]


def test_each_comment_is_read_by_its_languages_model_or_held_by_the_policy(
    runtime: Runtime, base_url: str, worker: ManagedProcess
) -> None:
    _, key = runtime.store.sites.create("asia-daily")
    texts = [RUSSIAN_INSULT, TRANSLITERATED, GERMAN_INSULT, GERMAN_CIVIL, ENGLISH_CIVIL]
    russian, transliterated, german_insult, german_civil, english = _verdicts(
        runtime, base_url, key, "asia-daily", texts)

    assert russian["status"] == "flagged" and russian["language"] == "ru"
    assert "language:unsupported" in russian["reasons"] and russian["toxicity"] == ""
    assert transliterated["status"] != "approved" and transliterated["language"] != "en"
    assert german_insult["language"] == "de"
    assert german_insult["status"] in {"rejected", "flagged"}
    assert german_civil["language"] == "de" and german_civil["status"] == "approved"
    assert english["language"] == "en" and english["status"] == "approved"

    document = requests.get(f"{base_url}/api/v1/comments/{russian['comment_id']}",
                            headers={"Authorization": f"Bearer {key}"}, timeout=10).json()
    assert document["language"] == "ru" and document["status"] == "flagged"
    assert document["scores"]["toxicity"] is None


def test_a_site_may_reject_unsupported_languages_and_list_the_ones_it_accepts(
    runtime: Runtime, base_url: str, worker: ManagedProcess
) -> None:
    site, key = runtime.store.sites.create("berlin-post")
    runtime.store.sites.set_policy("berlin-post", {
        **site.policy, "unsupported_language_action": "reject", "accepted_languages": ["de"],
        "default_language": "de"})
    russian, english, german = _verdicts(
        runtime, base_url, key, "berlin-post", [RUSSIAN_INSULT, ENGLISH_CIVIL, GERMAN_CIVIL])
    assert russian["status"] == "rejected" and "language:not_accepted" in russian["reasons"]
    assert english["status"] == "rejected" and english["language"] == "en"
    assert german["status"] == "approved"
