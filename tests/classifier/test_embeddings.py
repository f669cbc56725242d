"""The numpy MiniLM encoder of the optional tier: parity with sentence-transformers, caching."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import erf

from classifier.embeddings import (
    DIMENSIONS,
    EmbeddingModelMissing,
    SentenceEncoder,
    _gelu,
    embed_normalized,
    locate_model,
)

REFERENCE = json.loads(Path(__file__).with_name("minilm_reference.json").read_text("utf-8"))


def test_matches_sentence_transformers_on_reference_sentences(encoder: SentenceEncoder) -> None:
    """Vectors computed by sentence-transformers (torch) on the same weights, stored once."""
    ours = encoder.encode(REFERENCE["texts"])
    reference = np.asarray(REFERENCE["vectors"], dtype=np.float32)
    assert ours.shape == (len(REFERENCE["texts"]), DIMENSIONS)
    assert np.abs(ours - reference).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_batching_and_padding_do_not_change_a_vector(encoder: SentenceEncoder) -> None:
    """A text embedded alone equals the same text padded inside a batch of longer ones."""
    alone = np.stack([encoder.encode([t], batch_size=1)[0] for t in REFERENCE["texts"]])
    batched = encoder.encode(REFERENCE["texts"], batch_size=4)
    assert np.abs(alone - batched).max() < 1e-5


def test_similar_sentences_are_closer_than_unrelated_ones(encoder: SentenceEncoder) -> None:
    """The point of the tier: meaning, not shared words."""
    insult, paraphrase, unrelated = encoder.encode([
        "you are a complete idiot", "what a stupid moron you are",
        "the council approved the new budget for schools",
    ])
    assert float(insult @ paraphrase) > float(insult @ unrelated) + 0.2


@given(st.floats(min_value=-60.0, max_value=60.0, allow_nan=False, width=32))
def test_gelu_matches_the_erf_definition(value: float) -> None:
    """The float32 rational erf stays within 1e-6 of the exact GELU (scaled by |x|)."""
    x = np.array([value], dtype=np.float32)
    exact = 0.5 * float(x[0]) * (1.0 + float(erf(float(x[0]) / math.sqrt(2.0))))
    assert abs(float(_gelu(x)[0]) - exact) <= 1e-6 * max(1.0, abs(value))


def test_missing_weights_name_the_fix(tmp_path: Path) -> None:
    """A wrong directory gives an error that says what to install."""
    with pytest.raises(EmbeddingModelMissing, match="model.safetensors"):
        locate_model(tmp_path)


class CountingEncoder:
    """A real encoder that counts the texts it was asked to embed."""

    def __init__(self, inner: SentenceEncoder) -> None:
        self.inner = inner
        self.model_dir = inner.model_dir
        self.embedded: list[str] = []

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        self.embedded.extend(texts)
        return self.inner.encode(texts, batch_size)


def test_cache_embeds_each_text_once_across_runs(encoder: SentenceEncoder,
                                                 tmp_path: Path) -> None:
    """Retraining embeds only new texts; cached vectors equal freshly computed ones."""
    cache = tmp_path / "cache.npz"
    counting = CountingEncoder(encoder)
    first = embed_normalized(counting, ["a first text", "a second text", "a first text"], cache)
    assert sorted(counting.embedded) == ["a first text", "a second text"]
    again = CountingEncoder(encoder)
    reports: list[tuple[int, int]] = []
    second = embed_normalized(again, ["a second text", "a third text"], cache,
                              lambda done, total: reports.append((done, total)))
    assert again.embedded == ["a third text"]
    assert reports == [(1, 1)]
    assert np.array_equal(second[0], first[1])
    assert np.abs(second[1] - encoder.encode(["a third text"])[0]).max() < 1e-6
