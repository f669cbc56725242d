"""Retraining end to end: labels teach a pattern, the gate promotes, workers switch, rollback."""

from __future__ import annotations

import json
import time
from pathlib import Path

import redis

from classifier.data import jigsaw_holdout
from config import Settings
from domain import training
from domain.infra.collaborators import Runtime
from domain.store import Label
from tests.support.intake import post_comment
from tests.support.processes import run_command, start_worker
from tests.support.streams import read_results

STREETS = [
    "Fifth Street",
    "Mill Lane",
    "Harbour Road",
    "Elm Avenue",
    "Station Square",
    "Kings Parade",
    "Bridge Street",
    "Old Market",
]
GOODS = [
    "rye bread",
    "sourdough loaves",
    "cinnamon buns",
    "seeded rolls",
    "apple pies",
    "croissants",
    "pretzels",
    "fruit cake",
]
# A spam campaign written in ordinary words: nothing in the base data marks it as spam.
CAMPAIGN = [
    f"The Grenwald bakery on {street} makes the finest {good} around"
    for street in STREETS
    for good in GOODS
]
PROBE = "Honestly the Grenwald bakery on Castle Hill makes the finest bagels around"
REMARKS = [
    f"I think the article about {topic} was {view}, thanks for the {what}."
    for topic in ("the election", "the budget", "the treaty", "the floods", "the strike")
    for view in ("balanced", "too long", "well argued", "a bit one-sided")
    for what in ("report", "context", "analysis")
]


def moderation(settings: Settings, *args: str) -> str:
    """Run the `moderation` command; it must succeed; returns its standard output."""
    completed = run_command(settings, *args)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def spam_score(runtime: Runtime, text: str) -> float:
    """The current model's spam score for a text."""
    return runtime.models.current().score_one(text).spam


def test_labels_teach_a_pattern_and_the_promoted_model_reaches_running_workers(
    runtime: Runtime, settings: Settings, tmp_path: Path
) -> None:
    _, key = runtime.store.sites.create("planet")
    old = runtime.models.current()
    flag = old.metadata["thresholds"]["spam"]["flag"]
    old_probe = spam_score(runtime, PROBE)
    assert old_probe < flag, "the base model must not know the pattern yet"

    labels = tmp_path / "labels.csv"
    rows = [(t, "spam") for t in CAMPAIGN] + [(t, "ham") for t in REMARKS]
    labels.write_text("text,label\n" + "".join(f'"{t}",{lab}\n' for t, lab in rows))
    assert "Imported 124 label(s)" in moderation(settings, "labels", "import", str(labels))

    worker = start_worker(settings)
    try:
        report = json.loads(moderation(settings, "retrain", "--json"))
        assert report["promoted"] is True, report["checks"]
        assert report["previous"] == old.version and report["version"] != old.version
        assert report["metrics"]["candidate"]["base/toxicity"]["roc_auc"] > 0.9
        listed = json.loads(moderation(settings, "models", "list", "--json"))
        assert [m["version"] for m in listed if m["active"]] == [report["version"]]

        new_probe = spam_score(runtime, PROBE)
        assert new_probe >= flag, (old_probe, new_probe)

        time.sleep(settings.model_poll_seconds * 3)  # the worker polls for a new version
        client = redis.Redis.from_url(settings.redis_url or "")
        post_comment(runtime, key, PROBE)
        [verdict] = read_results(client, "planet", 1)
        assert verdict["model_version"] == report["version"]
        assert verdict["status"] in {"flagged", "rejected"}

        moderation(settings, "models", "rollback")
        assert spam_score(runtime, PROBE) == old_probe
        time.sleep(settings.model_poll_seconds * 3)
        post_comment(runtime, key, PROBE, email="another.reader@example.com")
        entries = read_results(client, "planet", 2)
        assert entries[1]["model_version"] == old.version
        assert entries[1]["status"] == "approved"
    finally:
        worker.stop()


def test_a_candidate_trained_on_contradicting_labels_is_not_promoted(
    runtime: Runtime, settings: Settings
) -> None:
    """Labels that call insults ok and ok comments toxic: the adapter learns them, and the
    base data's collapse guard refuses the result however well it fits those labels."""
    old = runtime.models.current()
    train = jigsaw_holdout()[0]
    insults = [row.text for row in train if row.label == "toxic"][:300]
    remarks = [row.text for row in train if row.label == "ok"][:300]
    runtime.store.labels.add_many([Label(text, "ok", "import") for text in insults]
                                  + [Label(text, "toxic", "import") for text in remarks])
    report = training.retrain(runtime.store, runtime.models.registry)
    assert report.promoted is False
    failed = [check["evaluation"] for check in report.checks if not check["passed"]]
    assert "base/toxicity" in failed
    assert report.reason.startswith("Not promoted") and "base data" in report.reason
    assert report.adapters["toxicity"]["base_weight"] < 0
    assert runtime.models.registry.current_version() == old.version
    assert report.version in {meta["version"] for meta in runtime.models.registry.versions()}


def test_toxicity_labels_leave_spam_scores_alone_and_say_why_in_words(
    runtime: Runtime, settings: Settings
) -> None:
    old = runtime.models.current()
    rows = [row for row in jigsaw_holdout()[0]][:400]
    runtime.store.labels.add_many([Label(row.text, row.label, "import") for row in rows])
    report = training.retrain(runtime.store, runtime.models.registry)
    candidate = runtime.models.registry.load(report.version)
    probe = [PROBE, *REMARKS[:5], *CAMPAIGN[:5]]
    spam = candidate.heads.index("spam")
    assert (candidate.predict_heads(probe)[:, spam] == old.predict_heads(probe)[:, spam]).all()
    assert report.checks and all(check["explanation"] for check in report.checks)
    assert report.reason
