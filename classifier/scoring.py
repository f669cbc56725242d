"""In-memory model: calibrated linear heads over one shared feature space, with explanations."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from classifier.context import (
    ArticleContext,
    CompactRow,
    ReferenceSet,
    as_reference_set,
    compact_row,
    context_vectors,
    nearest_similarity,
)
from classifier.embeddings import SentenceEncoder
from classifier.features import META_NAMES, CommentVectorizer
from classifier.function_words import is_function_word
from classifier.grams import WORD_PREFIX
from classifier.labels import AXES
from classifier.lexicon import LEXICON_NAMES, load_lexicon
from classifier.normalize import (
    EMAIL_TOKEN,
    MONEY_TOKEN,
    PHONE_TOKEN,
    URL_TOKEN,
    normalize,
    normalize_with_offsets,
)

HEADS = ("spam", "toxicity", "hate_speech", "offensive")
MAX_SPANS = 5
DEFAULT_THRESHOLDS = {
    "spam": {"flag": 0.5, "reject": 0.9}, "toxicity": {"flag": 0.5, "reject": 0.9},
}
_PROMO = re.compile(r"\b(?:subscribe|subscribers?|channel|check|free|win|winner|prize|click|visit|"
                    r"follow|cash|money|offer|promo|deal|buy|earn|like|views?|txt|text|call)\b")
_SECOND_PERSON = re.compile(r"\b(?:you|your|youre|you're|u|ur|ya|yourself|thou)\b")
_WORD_SPAN = re.compile(r"\S+")
_TOKEN = re.compile(r"[a-z0-9']+|[!?]")  # same token pattern as features.analyze
# An article context that adds at least this much to the spam logit is named as a reason.
OFF_TOPIC_SHIFT = 0.5
# Attribute of a comment naming a group of people (classifier/lexicons/identity-terms.txt):
# its toxicity with what those words add taken out. The policy (domain.scoring.decide.decide) never
# rejects on toxicity that only these words carry over the line.
WITHOUT_IDENTITY = "toxicity_without_identity_terms"
# The word-list features counting listed profanity (their push is shared out in the spans).
_PROFANE_FEATURES = [i for i, name in enumerate(LEXICON_NAMES) if name.startswith("profane")]
References = Sequence[sp.spmatrix | ReferenceSet | None]


@dataclass(frozen=True)
class Span:
    """A piece of the original text that pushed a score up."""

    begin: int
    end: int
    axis: str
    weight: float


@dataclass(frozen=True)
class Score:
    """Calibrated scores, finer attributes, reason codes and highlighted spans for one text."""

    spam: float
    toxicity: float
    attributes: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    # the text's article-context vector (column indices, values) when scored in context, so
    # the caller can compare later comments with it without vectorising it again
    context_vector: CompactRow | None = field(
        default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (written out: ``dataclasses.asdict`` cost 0.1 ms a score)."""
        return {
            "spam": self.spam,
            "toxicity": self.toxicity,
            "attributes": dict(self.attributes),
            "reasons": list(self.reasons),
            "spans": [
                {"begin": s.begin, "end": s.end, "axis": s.axis, "weight": s.weight}
                for s in self.spans
            ],
        }


@dataclass
class _Batch:
    """What one vectorised batch yields: probabilities and what explanations reuse."""

    probs: np.ndarray
    meta: np.ndarray
    gram_cols: np.ndarray
    offsets: np.ndarray
    occurrence: np.ndarray
    similarity: np.ndarray  # article-context similarity per text (NaN: not known)
    spam_shift: np.ndarray  # what the article context added to the spam logit
    context_vectors: sp.csr_matrix | None  # computed when scoring in context
    lexicon_counts: np.ndarray | None  # the word-list features (None: the model has none)
    lexicon_shift: np.ndarray  # what the profanity counts added to each head's logit
    logits: np.ndarray

    def context_vector(self, i: int) -> CompactRow | None:
        """Row i of the context vectors (None when not scored in context)."""
        return None if self.context_vectors is None else compact_row(self.context_vectors, i)


def _reference_sets(references: References, limit: int) -> list[ReferenceSet | None]:
    """Each text's references as a ReferenceSet of at most ``limit`` rows; a matrix shared
    by several texts stays one set (``nearest_similarity`` compares its texts at once)."""
    prepared: dict[int, ReferenceSet | None] = {}
    for reference in references:
        if id(reference) not in prepared:
            prepared[id(reference)] = as_reference_set(reference, limit)
    return [prepared[id(reference)] for reference in references]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically safe logistic function."""
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0))))


class ModelBundle:
    """Vectorizer plus calibrated linear heads (spam, toxicity, hate_speech, offensive)."""

    def __init__(self, vectorizer: CommentVectorizer, coef: np.ndarray, intercept: np.ndarray,
                 metadata: dict[str, Any], heads: Sequence[str] = HEADS,
                 embedding_coef: np.ndarray | None = None,
                 encoder: SentenceEncoder | None = None) -> None:
        self.vectorizer = vectorizer
        self.coef = np.ascontiguousarray(coef, dtype=np.float64)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.heads = tuple(heads)
        self.metadata = metadata
        self._n_vocab = len(vectorizer.idf_)
        # optional tier: weights on the sentence embeddings, shape (dimensions, heads)
        self.embedding_coef = embedding_coef
        self.encoder = encoder
        if embedding_coef is not None and encoder is None:
            raise ValueError("a model with embedding weights needs its sentence encoder")
        self.contexts = {
            head: term for head, data in (metadata.get("article_context") or {}).items()
            if (term := ArticleContext.from_metadata(data)) is not None
        }
        self.lexicon = load_lexicon()
        self.lexicon_coef = self._lexicon_coef(metadata.get("lexicon") or {})

    def _lexicon_coef(self, recorded: dict[str, Any]) -> np.ndarray | None:
        """Weights (lexicon features x heads) of a model whose calibration used the lists."""
        weights = recorded.get("weights") or {}
        if not weights:
            return None
        if recorded.get("sha256") != self.lexicon.digest:
            raise ValueError(
                f"the model was trained with word lists of sha256 {recorded.get('sha256')}, "
                f"but classifier/lexicons holds {self.lexicon.digest}; retrain the model")
        coef = np.zeros((len(LEXICON_NAMES), len(self.heads)))
        for head, values in weights.items():
            coef[:, self.heads.index(head)] = values
        return coef

    @property
    def reference_limit(self) -> int:
        """How many recent approved comments of an article the context compares with (0: none)."""
        return max((t.reference_limit for t in self.contexts.values()), default=0)

    @property
    def reference_max_spam(self) -> float:
        """Approved comments scoring this much spam or more are no context (0: no context)."""
        return min((t.reference_max_spam for t in self.contexts.values()), default=0.0)

    @property
    def context_dimensions(self) -> int:
        """Length of the vectors ``context_vectors`` returns."""
        return len(self.vectorizer.idf_) - self.vectorizer.n_word_

    def context_vectors(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Comparison vectors of texts (approved comments of an article), for ``references``."""
        originals = [t if isinstance(t, str) else str(t) for t in texts]
        x, _ = self.vectorizer.transform_parts(originals, [normalize(t) for t in originals])
        return context_vectors(self.vectorizer.char_block(x))

    @property
    def version(self) -> str:
        """Version string, also reported as model_version in verdicts."""
        return str(self.metadata.get("version", "unversioned"))

    @property
    def thresholds(self) -> dict[str, dict[str, float]]:
        """Recommended flag/reject thresholds per axis (defaults for an axis not trained)."""
        return {**DEFAULT_THRESHOLDS, **(self.metadata.get("thresholds") or {})}

    def predict_heads(self, texts: Sequence[str],
                      references: References | None = None) -> np.ndarray:
        """Return calibrated probabilities, shape (n_texts, n_heads).

        ``references[i]``: ``context_vectors`` of the approved comments posted before text i
        on its article, oldest first, or a ``ReferenceSet`` of them (prepared once for many
        calls); None or omitted: no article context.
        """
        return self._predict(list(texts), [normalize(t) for t in texts], references).probs

    def predict_logits(self, texts: Sequence[str]) -> np.ndarray:
        """Each head's score before the sigmoid (no article context), shape (texts, heads)."""
        texts = [str(t) for t in texts]
        return self._predict(texts, [normalize(t) for t in texts], None).logits

    def _predict(self, texts: list[str], norms: list[str],
                 references: References | None) -> _Batch:
        """Vectorise and apply all heads at once (one sparse product), then the context."""
        x, meta, gram_cols, offsets, occ = self.vectorizer.transform_explain(texts, norms)
        logits = x @ self.coef[: self._n_vocab] + meta @ self.coef[self._n_vocab:] + self.intercept
        if self.encoder is not None and self.embedding_coef is not None:
            logits = logits + self.encoder.encode(norms) @ self.embedding_coef
        logits = np.array(logits, dtype=np.float64)
        lexicon_shift = np.zeros_like(logits)
        counts = None
        if self.lexicon_coef is not None:
            counts = self.lexicon.features(norms)
            logits += counts @ self.lexicon_coef
            lexicon_shift = counts[:, _PROFANE_FEATURES] @ self.lexicon_coef[_PROFANE_FEATURES]
        similarity = np.full(len(texts), np.nan)
        spam_shift = np.zeros(len(texts))
        vectors = None
        if references is not None and self.contexts:
            vectors = context_vectors(self.vectorizer.char_block(x))
            for head, term in self.contexts.items():
                recent = _reference_sets(references, term.reference_limit)
                similarity = nearest_similarity(vectors, recent, term.neighbours)
                shift = term.logit_shift(similarity)
                logits[:, self.heads.index(head)] += shift
                if head == "spam":
                    spam_shift = shift
        return _Batch(_sigmoid(logits), meta, gram_cols, offsets, occ, similarity, spam_shift,
                      vectors, counts, lexicon_shift, logits)

    def score_one(self, text: str) -> Score:
        """Score a single text."""
        return self.score([text])[0]

    def score(self, texts: Sequence[str], references: References | None = None) -> list[Score]:
        """Score a batch of texts; explanations only for axes at or above the flag threshold.

        ``references`` as in ``predict_heads``: the article context of each text, if known.
        """
        texts = [t if isinstance(t, str) else str(t) for t in texts]
        if not texts:
            return []
        norms = [normalize(t) for t in texts]
        batch = self._predict(texts, norms, references)
        th = self.thresholds
        col = {h: i for i, h in enumerate(self.heads)}
        out: list[Score] = []
        for i, text in enumerate(texts):
            p = batch.probs[i]
            spam, tox = float(p[col["spam"]]), float(p[col["toxicity"]])
            attrs = {
                "hate_speech": round(float(p[col["hate_speech"]]), 4),
                "offensive": round(float(p[col["offensive"]]), 4),
                "links": float(norms[i].split().count(URL_TOKEN.strip())),
                "caps_ratio": round(float(batch.meta[i, META_NAMES.index("caps_ratio")]
                                          / max(self.vectorizer.meta_weight, 1e-9)), 4),
            }
            if np.isfinite(batch.similarity[i]):
                attrs["article_similarity"] = round(float(batch.similarity[i]), 4)
            identity = self.lexicon.identity_spans(norms[i])
            if identity:
                attrs[WITHOUT_IDENTITY] = round(
                    self._toxicity_without(norms[i], batch, i, identity), 6)
            notable = {"spam": spam >= th["spam"]["flag"],
                       "toxicity": tox >= th["toxicity"]["flag"]}
            off_topic = bool(batch.spam_shift[i] >= OFF_TOPIC_SHIFT)
            profane = self.lexicon.profane_spans(norms[i]) if notable["toxicity"] else []
            reasons = self._reasons(norms[i], notable, attrs, off_topic, bool(profane))
            spans: list[Span] = []
            if notable["spam"] or notable["toxicity"]:
                part = slice(batch.offsets[i], batch.offsets[i + 1])  # no second gram pass
                spans = self._spans(text, batch.gram_cols[part], batch.occurrence[part],
                                    [a for a in AXES if notable[a]],
                                    (profane, batch.lexicon_shift[i]))
            out.append(Score(spam=round(spam, 6), toxicity=round(tox, 6), attributes=attrs,
                             reasons=reasons, spans=spans,
                             context_vector=batch.context_vector(i)))
        return out

    def _toxicity_without(self, norm: str, batch: _Batch, i: int,
                          identity: list[tuple[int, int]]) -> float:
        """Text i's toxicity without what its identity words add (their grams and list counts).

        A gram counts as the word's when it holds at least three of its characters (or all of
        a shorter word): "gay" and "am gay" do, " ga" does not. A tier model's embedding part
        stays whole: a sentence embedding cannot be split by word.
        """
        head = self.heads.index("toxicity")
        part = slice(batch.offsets[i], batch.offsets[i + 1])
        cols, occ = batch.gram_cols[part], batch.occurrence[part]
        starts, lengths = self._gram_positions(norm, len(cols))
        known = cols >= 0
        cols, occ, starts, ends = cols[known], occ[known], starts[known], (starts + lengths)[known]
        theirs = np.zeros(len(cols), dtype=bool)
        for begin, end in identity:
            overlap = np.minimum(ends, end) - np.maximum(starts, begin)
            theirs |= overlap >= min(3, end - begin)
        logit = batch.logits[i, head] - float(occ[theirs] @ self.coef[cols[theirs], head])
        if self.lexicon_coef is not None and batch.lexicon_counts is not None:
            counted = batch.lexicon_counts[i] - self.lexicon.row_without_identity(norm)
            logit -= float(counted @ self.lexicon_coef[:, head])
        return float(_sigmoid(np.array([logit]))[0])

    @staticmethod
    def _reasons(norm: str, notable: dict[str, bool], attrs: dict[str, float],
                 off_topic: bool = False, profane: bool = False) -> list[str]:
        """Short reason codes for the axes whose score is notable."""
        reasons: list[str] = []
        if notable["spam"]:
            if off_topic:  # unlike the approved comments of its article
                reasons.append("spam:off-topic")
            if attrs["links"] > 0:
                reasons.append("spam:links")
            if EMAIL_TOKEN.strip() in norm or PHONE_TOKEN.strip() in norm:
                reasons.append("spam:contact")
            if MONEY_TOKEN.strip() in norm:
                reasons.append("spam:money")
            if _PROMO.search(norm) or not reasons:
                reasons.append("spam:promotion")
        if notable["toxicity"]:
            if attrs["hate_speech"] >= 0.5:
                reasons.append("toxicity:hate")
            if profane:  # a word or phrase of the lists in classifier/lexicons
                reasons.append("toxicity:profanity")
            if _SECOND_PERSON.search(norm):
                reasons.append("toxicity:insult")
            if len(reasons) == 0 or not reasons[-1].startswith("toxicity"):
                reasons.append("toxicity:general")
        return reasons

    def _gram_positions(self, norm: str, n_grams: int) -> tuple[np.ndarray, np.ndarray]:
        """Start (in the normalised text) and length of each gram, in ``analyze`` order."""
        lo, hi = self.vectorizer.ngram_range
        size = len(norm) + 2  # ``analyze`` pads with one space on each side
        starts = [np.arange(-1, size - n - 1 + 1) for n in range(lo, hi + 1)]
        lengths = [np.full(max(size - n + 1, 0), n) for n in range(lo, hi + 1)]
        words = [(m.start(), m.end()) for m in _TOKEN.finditer(norm)]
        w_start = np.array([a for a, _ in words], dtype=np.int64)
        w_end = np.array([e for _, e in words], dtype=np.int64)
        starts += [w_start, w_start[:-1]]
        lengths += [w_end - w_start, w_end[1:] - w_start[:-1]]
        return np.concatenate(starts)[:n_grams], np.concatenate(lengths)[:n_grams]

    def _spans(self, text: str, cols: np.ndarray, occ: np.ndarray, axes: list[str],
               lexicon: tuple[list[tuple[int, int]], np.ndarray]) -> list[Span]:
        """Top contributing words per axis, mapped back to the original text.

        A word's contribution is coef * tf-idf summed over its grams, plus an equal share of
        what the profanity counts added to the axis for each profane word or phrase
        (``lexicon``: their spans in the normalised text and that logit shift per head).
        """
        tracked = normalize_with_offsets(text)
        norm = tracked.text
        words = [(m.start(), m.end()) for m in _WORD_SPAN.finditer(norm)]
        if not words:
            return []
        st, ln = self._gram_positions(norm, len(cols))
        keep = cols >= 0
        cols, st, ln, per_occ = cols[keep], st[keep], ln[keep], occ[keep]
        word_starts = np.array([a for a, _ in words], dtype=np.int64)
        content = np.array([not is_function_word(norm[a:e]) for a, e in words])
        owner = np.maximum(np.searchsorted(word_starts, st + ln // 2, side="right") - 1, 0)
        spans: list[Span] = []
        profane_spans, lexicon_shift = lexicon
        profane = np.array([b for b, _ in profane_spans], dtype=np.int64)
        profane_owner = np.searchsorted(word_starts, profane, side="right") - 1
        for axis in axes:
            head = self.heads.index(axis)
            contrib = np.bincount(owner, weights=per_occ * self.coef[cols, head],
                                  minlength=len(words))
            if len(profane) and lexicon_shift[head] > 0:
                np.add.at(contrib, profane_owner, lexicon_shift[head] / len(profane))
            contrib = np.where(content, contrib, 0.0)
            for k in np.argsort(-contrib, kind="stable")[:MAX_SPANS]:
                if contrib[k] <= 0:
                    break
                b, e = tracked.original_span(*words[k])
                if e > b:
                    weight = round(float(contrib[k]), 4)
                    spans.append(Span(begin=b, end=e, axis=axis, weight=weight))
        return spans



__all__ = ["Score", "Span", "ModelBundle", "AXES", "HEADS", "WORD_PREFIX"]
