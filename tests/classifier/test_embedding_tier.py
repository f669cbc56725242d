"""The optional embedding tier end to end: training, saving, loading, refusing a mismatch.

Trained on a small slice of every shipped data set (the tier embeds every training text, a
few milliseconds each); its quality is measured by ``python -m classifier.report``.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from classifier import ModelBundle, ModelRegistry
from classifier.data import ALL_SETS, DATASETS_DIR
from classifier.embeddings import DIMENSIONS, SentenceEncoder
from classifier.registry import ArtifactError, TrainingOptions
from classifier.training import train_bundle
from config import Settings
from domain.infra.collaborators import Runtime
from tests.support.intake import post_comment
from tests.support.processes import results_of_a_worker_run, run_command

ROWS_PER_SET = 60


def _slice_datasets(target: Path) -> Path:
    """The first rows of each label (per video, per fine label) of every set, shipped layout."""
    for name in ALL_SETS:
        with (DATASETS_DIR / name / "comments.csv").open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            fields, taken = reader.fieldnames or [], {}
            for row in reader:
                group = (row["label"], row.get("video", ""), row.get("fine_label", ""))
                taken.setdefault(group, [])
                if len(taken[group]) < ROWS_PER_SET // 2:
                    taken[group].append(row)
        (target / name).mkdir(parents=True)
        with (target / name / "comments.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(row for rows in taken.values() for row in rows)
    return target


@pytest.fixture(scope="module")
def tier_models(encoder: SentenceEncoder,
                tmp_path_factory: pytest.TempPathFactory) -> tuple[ModelRegistry, ModelBundle]:
    """A registry using the tier, with one small model trained, saved and promoted."""
    root = tmp_path_factory.mktemp("tier")
    datasets = _slice_datasets(root / "datasets")
    registry = ModelRegistry(root / "models", TrainingOptions(embeddings=True,
                                                              embedding_model=str(encoder.model_dir)))
    bundle = registry.train(datasets_dir=datasets)
    registry.save(bundle)
    registry.promote(bundle.version)
    return registry, bundle


def test_the_tier_learns_weights_for_spam_and_toxicity_only(
        tier_models: tuple[ModelRegistry, ModelBundle]) -> None:
    _, bundle = tier_models
    assert bundle.embedding_coef is not None
    assert bundle.embedding_coef.shape == (DIMENSIONS, len(bundle.heads))
    weight = np.linalg.norm(bundle.embedding_coef, axis=0)
    by_head = dict(zip(bundle.heads, weight, strict=True))
    assert by_head["spam"] > 0 and by_head["toxicity"] > 0
    assert by_head["hate_speech"] == 0 and by_head["offensive"] == 0
    assert bundle.metadata["embeddings"]["dimensions"] == DIMENSIONS


def test_embeddings_move_the_scores(tier_models: tuple[ModelRegistry, ModelBundle]) -> None:
    """The same texts score differently once the embedding weights are taken away."""
    _, bundle = tier_models
    texts = ["you are a worthless idiot", "subscribe to my channel for free gifts",
             "The budget vote is next week."]
    with_tier = bundle.predict_heads(texts)
    linear_only = ModelBundle(bundle.vectorizer, bundle.coef, bundle.intercept, bundle.metadata,
                              bundle.heads)
    assert np.abs(with_tier - linear_only.predict_heads(texts))[:, :2].max() > 1e-3


def test_a_saved_tier_model_loads_and_scores_identically(
        tier_models: tuple[ModelRegistry, ModelBundle]) -> None:
    registry, bundle = tier_models
    loaded = registry.load(bundle.version)
    texts = ["y0u 1d10t", "check out my channel http://spam.example", "Thanks for the report."]
    assert np.abs(loaded.predict_heads(texts) - bundle.predict_heads(texts)).max() < 1e-5
    assert [s.reasons for s in loaded.score(texts)] == [s.reasons for s in bundle.score(texts)]


def test_other_weights_than_trained_with_are_refused(
        tier_models: tuple[ModelRegistry, ModelBundle], tmp_path: Path) -> None:
    registry, bundle = tier_models
    meta_file = registry.models_dir / bundle.version / "metadata.json"
    meta = json.loads(meta_file.read_text("utf-8"))
    meta["embeddings"]["weights_sha256"] = "0" * 64
    meta_file.write_text(json.dumps(meta), "utf-8")
    try:
        with pytest.raises(ArtifactError, match="sentence-embedding weights"):
            registry.load(bundle.version)
    finally:
        meta["embeddings"]["weights_sha256"] = bundle.metadata["embeddings"]["weights_sha256"]
        meta_file.write_text(json.dumps(meta), "utf-8")


def test_a_tier_model_without_its_weights_is_refused(
        tier_models: tuple[ModelRegistry, ModelBundle], tmp_path: Path) -> None:
    registry, bundle = tier_models
    elsewhere = ModelRegistry(registry.models_dir, TrainingOptions(embedding_model=str(tmp_path)))
    with pytest.raises(ArtifactError, match="model.safetensors"):
        elsewhere.load(bundle.version)


def test_train_command_explains_missing_weights(settings: Settings, tmp_path: Path) -> None:
    """`moderation train --embeddings` without the weights: one clear line, exit status 1."""
    missing = settings.with_overrides(embedding_model=str(tmp_path / "no-such-model"))
    completed = run_command(missing, "train", "--embeddings", "--json")
    assert completed.returncode == 1
    assert "model.safetensors" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_default_training_is_untouched_by_the_tier() -> None:
    """Without an encoder nothing of the tier is trained or recorded."""
    bundle = train_bundle(exclude=set(ALL_SETS) - {"youtube-spam"}, heads_to_fit={"spam"})
    assert bundle.embedding_coef is None and bundle.encoder is None
    assert "embeddings" not in bundle.metadata


def test_a_worker_scores_with_a_tier_model(
        tier_models: tuple[ModelRegistry, ModelBundle], settings: Settings,
        runtime: Runtime) -> None:
    """A real worker with the tier enabled loads the tier model and delivers its verdicts."""
    registry, bundle = tier_models
    shutil.copytree(registry.models_dir / bundle.version,
                    settings.effective_models_dir / bundle.version)
    ModelRegistry(settings.effective_models_dir).promote(bundle.version)
    _, key = runtime.store.sites.create("planet")
    ids = [post_comment(runtime, key, text) for text in
           ("Thanks for the clear report on the budget.", "you are a stupid idiot")]
    tier_settings = settings.with_overrides(embeddings=True,
                                            embedding_model=str(bundle.encoder.model_dir))
    results = results_of_a_worker_run(tier_settings, "planet", 2)
    assert sorted(entry["comment_id"] for entry in results) == sorted(ids)
    assert {entry["model_version"] for entry in results} == {bundle.version}
    listing = run_command(settings, "models", "list").stdout.splitlines()
    assert [line for line in listing if "[embedding tier]" in line] == [
        line for line in listing if bundle.version in line]
